package manifest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

type memFile struct {
	bytes.Buffer
	closed bool
}

func (m *memFile) Close() error { m.closed = true; return nil }

func splitInto(t *testing.T, input string, maxRecords int, maxBytes int64) ([]Part, []*memFile, error) {
	t.Helper()
	var files []*memFile
	parts, err := Split(strings.NewReader(input), maxRecords, maxBytes, func(i int) (io.WriteCloser, error) {
		if i != len(files) {
			t.Fatalf("create(%d) called after %d parts", i, len(files))
		}
		f := &memFile{}
		files = append(files, f)
		return f, nil
	})
	return parts, files, err
}

func TestSplitByRecords(t *testing.T) {
	input := jsonl(249) + `{"modelInput":{"p":"no id"}}` + "\n"
	parts, files, err := splitInto(t, input, 100, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[0].Records != 100 || parts[1].Records != 100 || parts[2].Records != 50 {
		t.Fatalf("parts = %+v, want 100, 100, 50 records", parts)
	}
	var seen []string
	for i, f := range files {
		if !f.closed {
			t.Errorf("part %d not closed", i)
		}
		if int64(f.Len()) != parts[i].Bytes {
			t.Errorf("part %d: %d bytes written, Part says %d", i, f.Len(), parts[i].Bytes)
		}
		rd := NewReader(bytes.NewReader(f.Bytes()), "", 0)
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.GeneratedID {
				t.Fatalf("part %d line %d has no explicit recordId", i, rec.Line)
			}
			seen = append(seen, rec.RecordID)
		}
	}
	if len(seen) != 250 || seen[0] != "r0" || seen[248] != "r248" || seen[249] != "REC00000250" {
		t.Fatalf("records after split: %d, first %q, last two %q", len(seen), seen[0], seen[len(seen)-2:])
	}
}

func TestSplitByBytes(t *testing.T) {
	input := jsonl(30)
	lineLen := int64(len(strings.SplitAfter(input, "\n")[0]))
	parts, _, err := splitInto(t, input, 1000, 4*lineLen+3)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range parts {
		if p.Bytes > 4*lineLen+3 {
			t.Fatalf("part of %d bytes exceeds the limit", p.Bytes)
		}
		total += p.Records
	}
	if total != 30 || len(parts) < 8 {
		t.Fatalf("parts = %+v", parts)
	}
}

func TestSplitErrors(t *testing.T) {
	if _, _, err := splitInto(t, jsonl(3), 10, 10); kindOf(err) != KindRecordTooLarge {
		t.Fatalf("record over maxBytes: %v", err)
	}
	if _, _, err := splitInto(t, jsonl(3)+"nope\n", 10, 1000); kindOf(err) != KindSyntax {
		t.Fatalf("bad line: %v", err)
	}
	if _, _, err := splitInto(t, jsonl(3)+`{"recordId":"r0","modelInput":{}}`+"\n", 10, 1000); kindOf(err) != KindDuplicateID {
		t.Fatalf("duplicate id: %v", err)
	}
	if _, err := Split(strings.NewReader(""), 0, 1, nil); err == nil {
		t.Fatal("maxRecords 0 accepted")
	}
}
