package manifest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan/jsonscantest"
)

// referenceParse is the record parse done with encoding/json alone, which
// parseRecord must agree with whichever way it takes.
func referenceParse(line []byte, file string, n int) (Record, error) {
	trimmed := []byte(strings.TrimSpace(string(line)))
	if trimmed[0] != '{' {
		return Record{}, errorf(file, n, KindSyntax, "line is not a JSON object; each line must be {\"recordId\": \"…\", \"modelInput\": {…}}")
	}
	var raw rawRecord
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return Record{}, errorf(file, n, KindSyntax, "invalid JSON: %s", jsonErrorText(err))
	}
	rec := Record{Line: n, ModelInput: raw.ModelInput}
	switch {
	case len(raw.RecordID) == 0 || string(raw.RecordID) == "null":
		rec.RecordID = fmt.Sprintf("REC%08d", n)
		rec.GeneratedID = true
	case raw.RecordID[0] != '"':
		return Record{}, errorf(file, n, KindInvalidField, "recordId must be a string, not %s", truncateJSON(raw.RecordID))
	default:
		if err := json.Unmarshal(raw.RecordID, &rec.RecordID); err != nil {
			return Record{}, err
		}
		if rec.RecordID == "" {
			return Record{}, errorf(file, n, KindInvalidField, "recordId is empty; give the record an id or leave the field out to have one generated")
		}
	}
	if len(raw.ModelInput) == 0 || string(raw.ModelInput) == "null" {
		return Record{}, errorf(file, n, KindMissingField, "modelInput is missing; it must hold the model's request body as a JSON object")
	}
	if raw.ModelInput[0] != '{' {
		return Record{}, errorf(file, n, KindInvalidField, "modelInput must be a JSON object (the model's request body), not %s", truncateJSON(raw.ModelInput))
	}
	return rec, nil
}

var recordLines = []string{
	`{"recordId":"a1","modelInput":{"x":1}}`,
	` {"modelInput" : {"y":[1,2,{"z":null}]}, "recordId" : "b\n\u00e9\ud83d\ude00"} `,
	`{"recordId":null,"modelInput":{}}`,
	`{"recordId":"dup","recordId":"second","modelInput":{"a":1},"modelInput":{"b":2}}`,
	`{"RecordId":"folded","MODELINPUT":{"k":true}}`,
	`{"record\u0049d":"escaped key","modelInput":{}}`,
	`{"recordİd":"non-ascii key","modelInput":{}}`,
	`{"recordId":"x","modelInput":{},"extra":[1,{"deep":"\""}]}`,
	`{"recordId":"x","modelInput":{"t":"bad\xffbyte"}}`,
	"{\"recordId\":\"bad\xffid\",\"modelInput\":{}}",
	`{"recordId":7,"modelInput":{}}`,
	`{"recordId":"","modelInput":{}}`,
	`{"recordId":"x","modelInput":null}`,
	`{"recordId":"x","modelInput":[1]}`,
	`{"recordId":"x"}`,
	`{"recordId":"x","modelInput":{"a":}}`,
	`{"recordId":"x","modelInput":{"a":1}} trailing`,
	`{"recordId":"x","modelInput":{"a":1},}`,
	`{"recordId":"x" "modelInput":{}}`,
	`{"recordId":"x","modelInput":{"a":"unterminated}}`,
	`{"recordId":"x","modelInput":{"a":01}}`,
	"\v{\"recordId\":\"vt\",\"modelInput\":{}}",
	`{"recordId":"x","modelInput":{"a":1}}}`,
	`[1]`,
	`"just a string"`,
}

// checkSameParse compares parseRecord with referenceParse on one line and
// reports whether the line was a record.
func checkSameParse(t *testing.T, line string) bool {
	t.Helper()
	want, wantErr := referenceParse([]byte(line), "f", 9)
	for _, owned := range []bool{false, true} {
		got, err := parseRecord([]byte(line), "f", 9, owned)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%q (owned %v): error %v, want %v", line, owned, err, wantErr)
		}
		if err == nil && (got.RecordID != want.RecordID || got.GeneratedID != want.GeneratedID ||
			got.Line != want.Line || string(got.ModelInput) != string(want.ModelInput)) {
			t.Fatalf("%q (owned %v): record %+v, want %+v", line, owned, got, want)
		}
	}
	return wantErr == nil
}

func TestParseRecordMatchesEncodingJSON(t *testing.T) {
	for _, line := range recordLines {
		checkSameParse(t, line)
	}
}

// TestParseRecordMutations checks random edits of record lines: the fast
// scan and encoding/json must agree on every one, errors included.
func TestParseRecordMutations(t *testing.T) {
	parsed := 0
	rng := rand.New(rand.NewPCG(3, 4))
	for b := range jsonscantest.Mutants(rng, recordLines[:8], "{}[],:\"\\ 0123456789-.etrunlIdDR\xffu", 20000) {
		if strings.TrimSpace(string(b)) == "" {
			continue
		}
		if checkSameParse(t, string(b)) {
			parsed++
		}
	}
	if parsed < 1000 {
		t.Fatalf("only %d of the mutated lines were records", parsed)
	}
}

// TestForEachModelInputIsIsolated appends to one record's modelInput, which
// ForEach takes from its shared chunk, and checks the next is untouched.
func TestForEachModelInputIsIsolated(t *testing.T) {
	var recs []Record
	err := NewReader(strings.NewReader(jsonl(3)), "f", 0).ForEach(2, func(rec Record, err error) error {
		recs = append(recs, rec)
		return err
	})
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records: %v", len(recs), err)
	}
	want := string(recs[1].ModelInput)
	_ = append(recs[0].ModelInput, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"...)
	if got := string(recs[1].ModelInput); got != want {
		t.Fatalf("record 2's modelInput changed to %s", got)
	}
}

// BenchmarkParseRecord compares the record parse with the encoding/json
// reference on a typical Anthropic Messages line.
func BenchmarkParseRecord(b *testing.B) {
	line := []byte(`{"recordId":"rec000042","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":128,` +
		`"messages":[{"role":"user","content":[{"type":"text","text":"Summarise customer review 42: the product arrived on time, works as described, and the battery lasts two days."}]}]}}`)
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := parseRecord(line, "f", 1, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := referenceParse(line, "f", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
