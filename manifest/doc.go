// Package manifest is the Amazon Bedrock batch inference file format as a
// library: it streams input records ({"recordId", "modelInput"} JSON lines)
// out of a manifest, validates files and whole jobs against the service's
// quotas, writes and reads the output lines and the job's manifest.json.out,
// and splits large inputs into files that fit the quotas.
//
// Everything streams: a file is read one line at a time through a bounded
// buffer, so memory depends on the longest record and on the number of
// record ids in one file (at most MaxRecordsPerFile), never on the file's size.
package manifest
