package manifest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func kindOf(err error) Kind {
	var me *Error
	if errors.As(err, &me) {
		return me.Kind
	}
	return ""
}

func TestValidateFileOK(t *testing.T) {
	input := jsonl(120) + `{"modelInput":{"p":1}}` + "\n"
	st, err := ValidateFile(strings.NewReader(input), "ok.jsonl", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 121 || st.Bytes != int64(len(input)) || st.GeneratedIDs != 1 || st.File != "ok.jsonl" {
		t.Fatalf("stats = %+v, want 121 records, %d bytes, 1 generated id", st, len(input))
	}
}

func TestValidateFileRules(t *testing.T) {
	dup := jsonl(5) + `{"recordId":"r2","modelInput":{}}` + "\n"
	tests := []struct {
		name  string
		input string
		lim   Limits
		kind  Kind
		line  int
		msg   string
	}{
		{"duplicate id", dup, Limits{}, KindDuplicateID, 6, `recordId "r2" is also used on line 3`},
		{"too many records", jsonl(11), Limits{MaxRecordsPerFile: 10}, KindTooManyRecords, 11, "more than 10 records"},
		{"file too large", jsonl(50), Limits{MaxFileBytes: 1000}, KindFileTooLarge, 0, "larger than 1000 bytes"},
		{"bad line", jsonl(3) + "{oops}\n", Limits{}, KindSyntax, 4, "invalid JSON"},
		{"line too long", jsonl(2) + `{"recordId":"x","modelInput":{"a":"` + strings.Repeat("z", 200) + `"}}`, Limits{MaxRecordBytes: 100}, KindLineTooLong, 3, "longer than 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateFile(strings.NewReader(tt.input), "f.jsonl", tt.lim)
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if me.Kind != tt.kind || me.Line != tt.line || me.File != "f.jsonl" || !strings.Contains(me.Msg, tt.msg) {
				t.Fatalf("err = %+v, want kind %s line %d message containing %q", me, tt.kind, tt.line, tt.msg)
			}
		})
	}
}

func TestValidateFileDuplicatesAllowed(t *testing.T) {
	dup := jsonl(3) + `{"recordId":"r1","modelInput":{}}` + "\n"
	if _, err := ValidateFile(strings.NewReader(dup), "f", Limits{AllowDuplicateRecordIDs: true}); err != nil {
		t.Fatal(err)
	}
}

func TestValidateJob(t *testing.T) {
	st, err := ValidateFile(strings.NewReader(jsonl(99)), "small.jsonl", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	err = ValidateJob([]FileStats{st}, Limits{})
	if kindOf(err) != KindTooFewRecords || !strings.Contains(err.Error(), "small.jsonl") ||
		!strings.Contains(err.Error(), "99 records") || !strings.Contains(err.Error(), "minimum is 100") {
		t.Fatalf("ValidateJob(99 records) = %v, want TooFewRecords naming the file, the count and the minimum", err)
	}
	two := []FileStats{{File: "a", Records: 60, Bytes: 10}, {File: "b", Records: 40, Bytes: 10}}
	if err := ValidateJob(two, Limits{}); err != nil {
		t.Fatalf("100 records over two files: %v", err)
	}
	if err := ValidateJob(two, Limits{MinRecordsPerJob: 1000}); kindOf(err) != KindTooFewRecords || !strings.Contains(err.Error(), "minimum is 1000") {
		t.Fatalf("custom minimum: %v", err)
	}
	if err := ValidateJob(two, Limits{MaxJobBytes: 19}); kindOf(err) != KindJobTooLarge || !strings.Contains(err.Error(), "a, b") {
		t.Fatalf("job too large: %v", err)
	}
	if err := ValidateJob(nil, Limits{}); kindOf(err) != KindNoRecords {
		t.Fatalf("no files: %v", err)
	}
}

func TestLimitsDefaults(t *testing.T) {
	l := Limits{MaxRecordsPerFile: 7}.WithDefaults()
	if l.MinRecordsPerJob != 100 || l.MaxRecordsPerFile != 7 || l.MaxFileBytes != 1<<30 || l.MaxJobBytes != 5<<30 || l.MaxRecordBytes != DefaultMaxRecordBytes {
		t.Fatalf("WithDefaults = %+v", l)
	}
}

// A record without an id never collides with a record's own id, even one
// shaped like the generated ids.
func TestGeneratedIDsAvoidTheFilesOwn(t *testing.T) {
	input := `{"recordId":"REC00000003","modelInput":{}}` + "\n" +
		`{"recordId":"REC00000003-1","modelInput":{}}` + "\n" +
		`{"modelInput":{}}` + "\n" +
		`{"modelInput":{}}` + "\n" +
		`{"recordId":"REC1","modelInput":{}}` + "\n"
	st, err := ValidateFile(strings.NewReader(input), "f.jsonl", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(st.TakenIDs) != "[REC00000003 REC00000003-1]" || st.GeneratedIDs != 2 {
		t.Fatalf("TakenIDs %v, GeneratedIDs %d", st.TakenIDs, st.GeneratedIDs)
	}
	want := "[REC00000003 REC00000003-1 REC00000003-2 REC00000004 REC1]"
	rd := NewReader(strings.NewReader(input), "f.jsonl", 0)
	rd.AvoidIDs(st.TakenIDs)
	var ids []string
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.RecordID)
	}
	if fmt.Sprint(ids) != want {
		t.Fatalf("Next: ids %v, want %s", ids, want)
	}
	rd = NewReader(strings.NewReader(input), "f.jsonl", 0)
	rd.AvoidIDs(st.TakenIDs)
	ids = nil
	err = rd.ForEach(2, func(rec Record, err error) error {
		ids = append(ids, rec.RecordID)
		return err
	})
	if err != nil || fmt.Sprint(ids) != want {
		t.Fatalf("ForEach: ids %v, %v; want %s", ids, err, want)
	}
}
