// Package dynamodb is the local cloud's DynamoDB: the JSON 1.0 protocol
// (X-Amz-Target DynamoDB_20120810.<Operation>) for tables (create,
// describe, delete, list, TTL, continuous backups) and items (put, get,
// update, delete, query on the table and its secondary indexes, scan,
// batch write and batch get), with condition, key condition, filter,
// projection and update expressions parsed as DynamoDB parses them and
// DynamoDB's errors and messages.
//
// Numbers are exact decimals (up to 38 digits, as DynamoDB keeps them);
// items expire by their TTL attribute on the local cloud's clock.
//
// # Storage
//
// Each table lives in its own directory of DataDir: table.json holds its
// definition, items.log every write as one JSON line. A write appends one
// line, so its cost does not depend on the table's size (a table of
// 100,000 items is not rewritten on a put, as a single JSON document per
// table would be), and a process that stops loses nothing that was
// answered. Opening a table replays its log into memory and, once the log
// holds more than twice as many lines as the table has items (plus 1000),
// rewrites it compacted. One file per item was the alternative; it costs a
// file creation per write and a directory of 100,000 files to read on
// open, where the log is one sequential read.
//
// In memory, items are grouped by partition key and sorted by sort key
// lazily, when a Query or Scan reads a partition, so writes stay cheap;
// every secondary index keeps the same structure over its own keys.
package dynamodb
