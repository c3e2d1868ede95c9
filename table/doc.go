// Package table streams the tables users bring to batch inference and the
// tables of results they take away: CSV, JSON Lines and Parquet rows, read
// and written one row at a time, from local files or from S3 (s3:// paths,
// through the AWS SDK's default configuration, so AWS_ENDPOINT_URL points
// them at a local cloud).
//
// Memory does not grow with a table's length: CSV and JSON Lines are read
// and written through fixed buffers; Parquet is read one row at a time and
// written in row groups of bounded size. A Parquet file on S3 is copied to
// a temporary file first, because the format keeps its index at the end.
package table
