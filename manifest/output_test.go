package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestOutputRoundTrip(t *testing.T) {
	lines := []OutputLine{
		{RecordID: "a", ModelInput: json.RawMessage(`{"p":"hi"}`), ModelOutput: json.RawMessage("{\n  \"text\": \"hello\"\n}")},
		{RecordID: "b\"\n\x01", ModelInput: json.RawMessage(`{"p":2}`), Error: &OutputError{ErrorCode: 400, ErrorMessage: "Malformed input request: \"messages\" is required"}},
	}
	var buf bytes.Buffer
	w := NewOutputWriter(&buf)
	for _, l := range lines {
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if strings.Count(text, "\n") != 2 {
		t.Fatalf("want exactly 2 lines, got %q", text)
	}
	first := strings.SplitN(text, "\n", 2)[0]
	if first != `{"recordId":"a","modelInput":{"p":"hi"},"modelOutput":{"text":"hello"}}` {
		t.Fatalf("first line = %s", first)
	}
	rd := NewOutputReader(&buf, "x.jsonl.out", 0)
	for i, want := range lines {
		got, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got.RecordID != want.RecordID || got.Failed() != want.Failed() {
			t.Fatalf("line %d = %+v, want %+v", i, got, want)
		}
		if want.Error != nil && *got.Error != *want.Error {
			t.Fatalf("error = %+v, want %+v", got.Error, want.Error)
		}
		if want.Error == nil && string(got.ModelOutput) != `{"text":"hello"}` {
			t.Fatalf("modelOutput = %s", got.ModelOutput)
		}
		if want.Error != nil && got.ModelOutput != nil {
			t.Fatalf("failed line has modelOutput %s", got.ModelOutput)
		}
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after last line: %v, want io.EOF", err)
	}
}

func TestOutputRejectsInvalidJSON(t *testing.T) {
	_, err := AppendOutputLine(nil, OutputLine{RecordID: "a", ModelInput: json.RawMessage(`{}`), ModelOutput: json.RawMessage("{\n")})
	if err == nil || !strings.Contains(err.Error(), "modelOutput") {
		t.Fatalf("err = %v, want a modelOutput error", err)
	}
}

func TestOutputReaderMalformed(t *testing.T) {
	for _, in := range []string{`{"recordId":"a"`, `{"modelInput":{},"modelOutput":{}}`, `{"recordId":"a","modelInput":{}}`} {
		rd := NewOutputReader(strings.NewReader("\n"+in+"\n"), "o.out", 0)
		_, err := rd.Next()
		var me *Error
		if !errors.As(err, &me) || me.Kind != KindOutputMalformed || me.Line != 2 {
			t.Errorf("%s: err = %v, want OutputMalformed on line 2", in, err)
		}
	}
}

func TestJSONStringEscaping(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		enc := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, enc, err)
		}
		if got != strings.ToValidUTF8(s, "\uFFFD") {
			t.Fatalf("%q round-trips to %q", s, got)
		}
		if bytes.ContainsAny(enc, "\n\r") {
			t.Fatalf("encoding of %q spans lines", s)
		}
	})
}

func TestSummaryRoundTrip(t *testing.T) {
	s := Summary{TotalRecordCount: 100, ProcessedRecordCount: 100, SuccessRecordCount: 95, ErrorRecordCount: 5, InputTokenCount: 1234, OutputTokenCount: 567}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, s); err != nil {
		t.Fatal(err)
	}
	want := `{"totalRecordCount":100,"processedRecordCount":100,"successRecordCount":95,"errorRecordCount":5,"inputTokenCount":1234,"outputTokenCount":567}` + "\n"
	if buf.String() != want {
		t.Fatalf("manifest.json.out = %s, want %s", buf.String(), want)
	}
	got, err := ReadSummary(&buf)
	if err != nil || got != s {
		t.Fatalf("ReadSummary = %+v, %v", got, err)
	}
	bad := `{"totalRecordCount":10,"processedRecordCount":10,"successRecordCount":9,"errorRecordCount":2}`
	if _, err := ReadSummary(strings.NewReader(bad)); kindOf(err) != KindOutputMalformed {
		t.Fatalf("inconsistent counts: %v", err)
	}
}
