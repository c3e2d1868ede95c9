package manifest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, input string, maxLine int) ([]Record, []error) {
	t.Helper()
	rd := NewReader(strings.NewReader(input), "in.jsonl", maxLine)
	var recs []Record
	var errs []error
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return recs, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
}

func TestReaderRecords(t *testing.T) {
	input := "{\"recordId\":\"a1\",\"modelInput\":{\"x\":1}}\n" +
		"\n" +
		"{\"modelInput\":{\"y\":[1,2]}}\r\n" +
		"  {\"recordId\":null,\"modelInput\":{},\"extra\":true}  \n" +
		"{\"recordId\":\"\\u00e9t\\u00e9\",\"modelInput\":{\"z\":\"\"}}" // no final newline
	recs, errs := readAll(t, input, 0)
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	want := []struct {
		id        string
		line      int
		generated bool
		input     string
	}{
		{"a1", 1, false, `{"x":1}`},
		{"REC00000003", 3, true, `{"y":[1,2]}`},
		{"REC00000004", 4, true, `{}`},
		{"été", 5, false, `{"z":""}`},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		if r.RecordID != w.id || r.Line != w.line || r.GeneratedID != w.generated || string(r.ModelInput) != w.input {
			t.Errorf("record %d = {%q line %d generated %v %s}, want {%q line %d generated %v %s}",
				i, r.RecordID, r.Line, r.GeneratedID, r.ModelInput, w.id, w.line, w.generated, w.input)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name, line string
		kind       Kind
		msg        string
	}{
		{"not json", `hello`, KindSyntax, "not a JSON object"},
		{"array", `[1,2]`, KindSyntax, "not a JSON object"},
		{"truncated", `{"recordId":"a","modelInput":{"x":`, KindSyntax, "invalid JSON"},
		{"no model input", `{"recordId":"a"}`, KindMissingField, "modelInput is missing"},
		{"null model input", `{"recordId":"a","modelInput":null}`, KindMissingField, "modelInput is missing"},
		{"string model input", `{"recordId":"a","modelInput":"hi"}`, KindInvalidField, "modelInput must be a JSON object"},
		{"numeric id", `{"recordId":7,"modelInput":{}}`, KindInvalidField, "recordId must be a string"},
		{"empty id", `{"recordId":"","modelInput":{}}`, KindInvalidField, "recordId is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := `{"recordId":"ok","modelInput":{}}` + "\n" + tt.line + "\n"
			recs, errs := readAll(t, input, 0)
			if len(recs) != 1 || len(errs) != 1 {
				t.Fatalf("got %d records and %d errors, want 1 and 1", len(recs), len(errs))
			}
			var me *Error
			if !errors.As(errs[0], &me) {
				t.Fatalf("error %v is %T, want *Error", errs[0], errs[0])
			}
			if me.File != "in.jsonl" || me.Line != 2 || me.Kind != tt.kind || !strings.Contains(me.Msg, tt.msg) {
				t.Errorf("error = %+v, want in.jsonl line 2, kind %s, message containing %q", me, tt.kind, tt.msg)
			}
			if !strings.HasPrefix(me.Error(), "in.jsonl line 2: ") {
				t.Errorf("Error() = %q, want it to start with the file and line", me.Error())
			}
		})
	}
}

func TestReaderLineTooLongThenContinues(t *testing.T) {
	long := `{"recordId":"big","modelInput":{"t":"` + strings.Repeat("x", 600_000) + `"}}`
	input := long + "\n" + `{"recordId":"next","modelInput":{}}` + "\n" + long
	recs, errs := readAll(t, input, 1000)
	if len(errs) != 2 {
		t.Fatalf("got %d errors, want 2: %v", len(errs), errs)
	}
	for i, line := range []int{1, 3} {
		var me *Error
		if !errors.As(errs[i], &me) || me.Kind != KindLineTooLong || me.Line != line {
			t.Errorf("error %d = %v, want LineTooLong on line %d", i, errs[i], line)
		}
	}
	if len(recs) != 1 || recs[0].RecordID != "next" || recs[0].Line != 2 {
		t.Fatalf("records = %+v, want only \"next\" on line 2", recs)
	}
}

func TestReaderLongLineWithinLimit(t *testing.T) {
	long := `{"recordId":"big","modelInput":{"t":"` + strings.Repeat("y", 700_000) + `"}}`
	recs, errs := readAll(t, long+"\n"+long[:0], 1<<20)
	if len(errs) != 0 || len(recs) != 1 || len(recs[0].ModelInput) != 700_000+8 {
		t.Fatalf("got %d records, errors %v", len(recs), errs)
	}
}

func TestGeneratedRecordID(t *testing.T) {
	for line, want := range map[int]string{1: "REC00000001", 42: "REC00000042", 123456789: "REC123456789"} {
		if got := GeneratedRecordID(line); got != want {
			t.Errorf("GeneratedRecordID(%d) = %q, want %q", line, got, want)
		}
	}
}
