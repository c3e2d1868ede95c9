package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Part describes one file written by Split.
type Part struct {
	Records int
	Bytes   int64
}

// Split copies the records of r into as many parts as needed so that none
// holds more than maxRecords records or maxBytes bytes; create opens part i
// (0-based) and Split closes it. Every record is written as
// {"recordId", "modelInput"} with its id made explicit — a generated id is
// the one the whole file would have had (GeneratedRecordID of its original
// line), so results join back to the source line — and other fields of the
// line are dropped. Record ids must be unique within each part. Lines are
// checked as they are read; the first bad line stops the split with an
// *Error naming it.
func Split(r io.Reader, maxRecords int, maxBytes int64, create func(part int) (io.WriteCloser, error)) ([]Part, error) {
	if maxRecords <= 0 || maxBytes <= 0 {
		return nil, fmt.Errorf("split: maxRecords (%d) and maxBytes (%d) must be positive", maxRecords, maxBytes)
	}
	rd := NewReader(r, "", 0)
	var (
		parts []Part
		cur   *splitPart
		buf   []byte
	)
	closeCur := func() error {
		if cur == nil {
			return nil
		}
		err := cur.close()
		parts = append(parts, cur.Part)
		cur = nil
		return err
	}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if cur != nil {
				_ = cur.close()
			}
			return parts, err
		}
		buf = AppendInputLine(buf[:0], rec)
		if int64(len(buf)) > maxBytes {
			if cur != nil {
				_ = cur.close()
			}
			return parts, errorf("", rec.Line, KindRecordTooLarge, "the record takes %d bytes, more than the %d bytes allowed per file", len(buf), maxBytes)
		}
		if cur != nil && (cur.Records == maxRecords || cur.Bytes+int64(len(buf)) > maxBytes) {
			if err := closeCur(); err != nil {
				return parts, err
			}
		}
		if cur == nil {
			w, err := create(len(parts))
			if err != nil {
				return parts, fmt.Errorf("split: create part %d: %w", len(parts), err)
			}
			cur = newSplitPart(w)
		}
		if first, dup := cur.ids[rec.RecordID]; dup {
			_ = cur.close()
			return parts, errorf("", rec.Line, KindDuplicateID, "recordId %q is also used on line %d; record ids must be unique within a file", rec.RecordID, first)
		}
		cur.ids[rec.RecordID] = rec.Line
		if _, err := cur.w.Write(buf); err != nil {
			_ = cur.close()
			return parts, fmt.Errorf("split: write part %d: %w", len(parts), err)
		}
		cur.Records++
		cur.Bytes += int64(len(buf))
	}
	if err := closeCur(); err != nil {
		return parts, err
	}
	return parts, nil
}

type splitPart struct {
	Part
	dst io.WriteCloser
	w   *bufio.Writer
	ids map[string]int
}

func newSplitPart(dst io.WriteCloser) *splitPart {
	return &splitPart{dst: dst, w: bufio.NewWriterSize(dst, 256<<10), ids: map[string]int{}}
}

func (p *splitPart) close() error {
	ferr := p.w.Flush()
	if err := p.dst.Close(); err != nil {
		return err
	}
	return ferr
}

// AppendInputLine appends rec as an input line {"recordId", "modelInput"}
// with its newline. rec.ModelInput must be valid JSON on one line, as the
// Reader returns it.
func AppendInputLine(dst []byte, rec Record) []byte {
	dst = append(dst, `{"recordId":`...)
	dst = appendJSONString(dst, rec.RecordID)
	dst = append(dst, `,"modelInput":`...)
	dst = append(dst, rec.ModelInput...)
	return append(dst, '}', '\n')
}
