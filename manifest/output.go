package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// OutputSuffix is appended to an input file's name to name its output file:
// "a.jsonl" → "a.jsonl.out".
const OutputSuffix = ".out"

// OutputName is the name of the output file the service writes for an input
// file name.
func OutputName(inputName string) string { return inputName + OutputSuffix }

// OutputLine is one line of a job's output: the record and either the
// model's answer or the error that stopped it.
type OutputLine struct {
	RecordID    string          `json:"recordId"`
	ModelInput  json.RawMessage `json:"modelInput"`
	ModelOutput json.RawMessage `json:"modelOutput,omitempty"`
	Error       *OutputError    `json:"error,omitempty"`
}

// OutputError is the error object of a failed record.
type OutputError struct {
	ErrorCode    int    `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// Failed reports whether the line records an error.
func (l OutputLine) Failed() bool { return l.Error != nil }

// AppendOutputLine appends l as one JSON line (with its newline) to dst.
// ModelInput and ModelOutput must be valid JSON; values that span several
// lines are compacted onto one. A line with an Error gets no modelOutput.
func AppendOutputLine(dst []byte, l OutputLine) ([]byte, error) {
	dst = append(dst, `{"recordId":`...)
	dst = appendJSONString(dst, l.RecordID)
	dst = append(dst, `,"modelInput":`...)
	var err error
	if dst, err = appendRaw(dst, l.ModelInput); err != nil {
		return dst, fmt.Errorf("record %q: modelInput: %w", l.RecordID, err)
	}
	if l.Error != nil {
		dst = append(dst, `,"error":{"errorCode":`...)
		dst = strconv.AppendInt(dst, int64(l.Error.ErrorCode), 10)
		dst = append(dst, `,"errorMessage":`...)
		dst = appendJSONString(dst, l.Error.ErrorMessage)
		dst = append(dst, '}')
	} else {
		dst = append(dst, `,"modelOutput":`...)
		if dst, err = appendRaw(dst, l.ModelOutput); err != nil {
			return dst, fmt.Errorf("record %q: modelOutput: %w", l.RecordID, err)
		}
	}
	return append(dst, '}', '\n'), nil
}

// appendRaw appends a JSON value, compacting it when it spans lines.
func appendRaw(dst []byte, v json.RawMessage) ([]byte, error) {
	if len(v) == 0 {
		return append(dst, "null"...), nil
	}
	if bytes.IndexByte(v, '\n') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return append(dst, v...), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return dst, err
	}
	return append(dst, buf.Bytes()...), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// OutputWriter writes output lines through a buffer. Call Flush when done.
type OutputWriter struct {
	w   *bufio.Writer
	buf []byte
}

// NewOutputWriter writes output lines to w.
func NewOutputWriter(w io.Writer) *OutputWriter {
	return &OutputWriter{w: bufio.NewWriterSize(w, 256<<10)}
}

// Write writes one line.
func (o *OutputWriter) Write(l OutputLine) error {
	var err error
	o.buf, err = AppendOutputLine(o.buf[:0], l)
	if err != nil {
		return err
	}
	_, err = o.w.Write(o.buf)
	return err
}

// Flush writes any buffered lines to the underlying writer.
func (o *OutputWriter) Flush() error { return o.w.Flush() }

// OutputReader reads the lines of an output file back.
type OutputReader struct {
	lines *lineReader
	file  string
}

// NewOutputReader reads output lines from r; file names it in errors and
// maxLine bounds one line (0 means DefaultMaxRecordBytes).
func NewOutputReader(r io.Reader, file string, maxLine int) *OutputReader {
	return &OutputReader{lines: newLineReader(r, maxLine), file: file}
}

// Next returns the next output line, or io.EOF after the last.
func (o *OutputReader) Next() (OutputLine, error) {
	for {
		line, err := o.lines.next()
		if errors.Is(err, errLineTooLong) {
			return OutputLine{}, errorf(o.file, o.lines.line, KindLineTooLong, "line is longer than %d bytes", o.lines.max)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return OutputLine{}, io.EOF
			}
			return OutputLine{}, fmt.Errorf("read %s: %w", o.file, err)
		}
		if blank(line) {
			continue
		}
		var l OutputLine
		if err := json.Unmarshal(line, &l); err != nil {
			return OutputLine{}, errorf(o.file, o.lines.line, KindOutputMalformed, "invalid output line: %s", jsonErrorText(err))
		}
		if l.RecordID == "" {
			return OutputLine{}, errorf(o.file, o.lines.line, KindOutputMalformed, "output line has no recordId")
		}
		if l.Error == nil && len(l.ModelOutput) == 0 {
			return OutputLine{}, errorf(o.file, o.lines.line, KindOutputMalformed, "output line has neither modelOutput nor error")
		}
		return l, nil
	}
}

// Line is the number of the line last read.
func (o *OutputReader) Line() int { return o.lines.line }
