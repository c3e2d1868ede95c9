package manifest

import (
	"fmt"
	"strings"
)

// Kind classifies what is wrong with a manifest, for callers that branch on it.
type Kind string

// The kinds of manifest errors.
const (
	KindSyntax          Kind = "Syntax"          // a line is not a JSON object
	KindMissingField    Kind = "MissingField"    // modelInput is absent
	KindInvalidField    Kind = "InvalidField"    // a field has the wrong type or value
	KindLineTooLong     Kind = "LineTooLong"     // a line exceeds MaxRecordBytes
	KindDuplicateID     Kind = "DuplicateID"     // a recordId repeats within a file
	KindTooManyRecords  Kind = "TooManyRecords"  // a file exceeds MaxRecordsPerFile
	KindFileTooLarge    Kind = "FileTooLarge"    // a file exceeds MaxFileBytes
	KindJobTooLarge     Kind = "JobTooLarge"     // all files together exceed MaxJobBytes
	KindTooFewRecords   Kind = "TooFewRecords"   // a job has fewer than MinRecordsPerJob
	KindRecordTooLarge  Kind = "RecordTooLarge"  // one record does not fit a split part
	KindNoRecords       Kind = "NoRecords"       // there is nothing to read
	KindOutputMalformed Kind = "OutputMalformed" // an output line or manifest.json.out cannot be read
)

// Error is a problem found in a manifest: which file, which line (1-based;
// 0 when the problem concerns a whole file or job) and what is wrong.
type Error struct {
	File string
	Line int
	Kind Kind
	Msg  string
}

func (e *Error) Error() string {
	var where []string
	if e.File != "" {
		where = append(where, e.File)
	}
	if e.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if len(where) == 0 {
		return e.Msg
	}
	return strings.Join(where, " ") + ": " + e.Msg
}

func errorf(file string, line int, kind Kind, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
