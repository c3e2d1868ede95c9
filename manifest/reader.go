package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// Record is one input record of a batch job.
type Record struct {
	// RecordID is the record's recordId, or the one generated for it.
	RecordID string
	// ModelInput is the record's modelInput: the model's request body.
	// The records ForEach yields take it from the buffer of their chunk of
	// lines (at most 1 MiB), which stays in memory while any of them is
	// kept.
	ModelInput json.RawMessage
	// Line is the record's 1-based line number in its file.
	Line int
	// GeneratedID is true when the line had no recordId and RecordID was
	// generated with GeneratedRecordID.
	GeneratedID bool
	// End is the offset in the file just past the record's line.
	End int64
}

// GeneratedRecordID is the recordId given to a record whose line has none,
// as the service adds one: "REC" followed by the 1-based line number,
// zero-padded to 8 digits, e.g. line 42 → "REC00000042" (11 alphanumeric
// characters like the service's ids; more digits past line 99,999,999). The
// id depends only on the line number, so it is the same every time the file
// is read. When the file itself uses that id for another record, the
// Reader given the file's TakenIDs (see Reader.AvoidIDs) appends "-1",
// "-2", … until the id is free.
func GeneratedRecordID(line int) string {
	var buf [24]byte
	b := append(buf[:0], "REC"...)
	digits := strconv.Itoa(line)
	for i := len(digits); i < 8; i++ {
		b = append(b, '0')
	}
	return string(append(b, digits...))
}

// Reader streams the records of one input file.
type Reader struct {
	lines     *lineReader
	file      string
	chunkHint int                 // bytes to reserve for ForEach's next chunk
	taken     map[string]struct{} // ids generated ids must avoid (AvoidIDs)
	// recycle, when not nil, takes back the buffers of chunks whose
	// records fn has seen, for readChunk to fill again: set by callers
	// that keep nothing of a Record after fn returns.
	recycle chan []byte
}

// AvoidIDs makes the ids generated for records without one avoid ids:
// pass the file's FileStats.TakenIDs, the ids of its own records that have
// the generated shape, so that no generated id equals a record's own.
// Without it a generated id is GeneratedRecordID of the line.
func (r *Reader) AvoidIDs(ids []string) {
	if len(ids) == 0 {
		r.taken = nil
		return
	}
	r.taken = make(map[string]struct{}, len(ids))
	for _, id := range ids {
		r.taken[id] = struct{}{}
	}
}

// generatedID is the id of line n, which has none: GeneratedRecordID(n),
// or the first of its "-k" variants that no record of the file uses.
func (r *Reader) generatedID(n int) string {
	id := GeneratedRecordID(n)
	for k := 1; ; k++ {
		if _, used := r.taken[id]; !used {
			return id
		}
		id = GeneratedRecordID(n) + "-" + strconv.Itoa(k)
	}
}

// hasGeneratedShape reports whether id could be one GeneratedRecordID or
// generatedID makes: "REC", eight or more digits, and maybe "-" and digits.
func hasGeneratedShape(id string) bool {
	rest, ok := strings.CutPrefix(id, "REC")
	if !ok {
		return false
	}
	digits, suffix, dashed := strings.Cut(rest, "-")
	return len(digits) >= 8 && allDigits(digits) && (!dashed || suffix != "" && allDigits(suffix))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NewReader reads records from r. file names the input in errors; maxLine
// bounds one line in bytes (0 means DefaultMaxRecordBytes).
func NewReader(r io.Reader, file string, maxLine int) *Reader {
	return &Reader{lines: newLineReader(r, maxLine), file: file}
}

// Next returns the next record, skipping blank lines. It returns io.EOF after
// the last record, and an *Error for a line that is not a valid record (with
// a Record holding only its Line); after such an error reading may go on
// with the following line.
func (r *Reader) Next() (Record, error) {
	for {
		line, err := r.lines.next()
		if err == errLineTooLong {
			return Record{Line: r.lines.line}, r.tooLong()
		}
		if err != nil {
			if err == io.EOF {
				return Record{}, io.EOF
			}
			return Record{}, fmt.Errorf("read %s: %w", r.file, err)
		}
		if blank(line) {
			continue
		}
		rec, err := parseRecord(line, r.file, r.lines.line, false)
		rec.Line = r.lines.line
		if err == nil {
			rec.End = r.lines.bytes
			if rec.GeneratedID && r.taken != nil {
				rec.RecordID = r.generatedID(rec.Line)
			}
		}
		return rec, err
	}
}

func (r *Reader) tooLong() error {
	return errorf(r.file, r.lines.line, KindLineTooLong,
		"line is longer than %d bytes; shorten the record or raise the record size limit", r.lines.max)
}

// Line is the number of the line last read.
func (r *Reader) Line() int { return r.lines.line }

// BytesRead is the number of bytes consumed from the stream so far.
func (r *Reader) BytesRead() int64 { return r.lines.bytes }

type rawRecord struct {
	RecordID   json.RawMessage `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

// parseRecord parses line n of file. The record's ModelInput is a part of
// line when owned says that line's memory stays the record's, and a copy
// otherwise.
func parseRecord(line []byte, file string, n int, owned bool) (Record, error) {
	trimmed := bytes.TrimSpace(line)
	if trimmed[0] != '{' {
		return Record{}, errorf(file, n, KindSyntax, "line is not a JSON object; each line must be {\"recordId\": \"…\", \"modelInput\": {…}}")
	}
	id, input, ok := scanRecord(trimmed)
	if !ok {
		// An unusual line (escaped or differently cased keys) or an
		// invalid one: encoding/json decides, and words the error.
		var raw rawRecord
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return Record{}, errorf(file, n, KindSyntax, "invalid JSON: %s", jsonErrorText(err))
		}
		id, input, owned = raw.RecordID, raw.ModelInput, true
	}
	rec := Record{Line: n}
	switch {
	case len(id) == 0 || string(id) == "null":
		rec.RecordID = GeneratedRecordID(n)
		rec.GeneratedID = true
	case id[0] != '"':
		return Record{}, errorf(file, n, KindInvalidField, "recordId must be a string, not %s", truncateJSON(id))
	default:
		text := id[1 : len(id)-1]
		rec.RecordID = jsonscan.Unquote(text, bytes.IndexByte(text, '\\') >= 0)
		if rec.RecordID == "" {
			return Record{}, errorf(file, n, KindInvalidField, "recordId is empty; give the record an id or leave the field out to have one generated")
		}
	}
	if len(input) == 0 || string(input) == "null" {
		return Record{}, errorf(file, n, KindMissingField, "modelInput is missing; it must hold the model's request body as a JSON object")
	}
	if input[0] != '{' {
		return Record{}, errorf(file, n, KindInvalidField, "modelInput must be a JSON object (the model's request body), not %s", truncateJSON(input))
	}
	if owned {
		rec.ModelInput = input[:len(input):len(input)] // an append must not spill into the next record
	} else {
		rec.ModelInput = bytes.Clone(input)
	}
	return rec, nil
}

// scanRecord checks that line is a valid JSON object and returns the values
// of its recordId and modelInput members (nil when absent). It declines —
// ok false — a line that is not valid JSON, and one whose keys encoding/json
// might match to the fields differently (escaped, non-ASCII or differently
// cased keys), leaving those to encoding/json.
func scanRecord(line []byte) (id, input []byte, ok bool) {
	d := jsonscan.NewDecoder(line)
	if !d.BeginObject() {
		return nil, nil, false
	}
	for d.NextMember() {
		key, escaped, ok := d.Key()
		if !ok || escaped || !isASCII(key) {
			return nil, nil, false
		}
		switch string(key) {
		case "recordId":
			id, ok = d.Skip()
		case "modelInput":
			input, ok = d.Skip()
		default:
			if bytes.EqualFold(key, []byte("recordId")) || bytes.EqualFold(key, []byte("modelInput")) {
				return nil, nil, false
			}
			_, ok = d.Skip()
		}
		if !ok {
			return nil, nil, false
		}
	}
	return id, input, d.End()
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// jsonErrorText turns an encoding/json error into a short reason.
func jsonErrorText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%s (at byte %d of the line)", se.Error(), se.Offset)
	}
	return err.Error()
}

// truncateJSON shows at most 40 bytes of a JSON value in a message.
func truncateJSON(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
