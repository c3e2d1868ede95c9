package prepare_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// promptOf is the user text of a Claude record's modelInput.
func promptOf(t *testing.T, body json.RawMessage) string {
	t.Helper()
	var b struct {
		Messages []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &b); err != nil || len(b.Messages) == 0 {
		t.Fatalf("body %s: %v", body, err)
	}
	var text string
	if json.Unmarshal(b.Messages[0].Content, &text) == nil {
		return text
	}
	var blocks []struct {
		Text string `json:"text"`
	}
	json.Unmarshal(b.Messages[0].Content, &blocks)
	return blocks[0].Text
}

// A JSON Lines row's null renders as nothing and a nested value as its JSON
// (RFC 8259), not as Go's own syntax.
func TestPreparePromptsKeepValuesExact(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		sb.WriteString(`{"id":"r` + string(rune('a'+i%26)) + `","note":null,"meta":{"b":2,"a":"x"},"tags":["p","q"],"n":1.50}` + "\n")
	}
	in := filepath.Join(t.TempDir(), "rows.jsonl")
	os.WriteFile(in, []byte(sb.String()), 0o644)
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: t.TempDir(),
		Templates: []prepare.Template{{Text: "[{{.note}}] {{.meta}} {{.tags}} {{.meta.a}} {{index .tags 1}} {{.n}}{{if .note}} never{{end}}"}}})
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifests(t, res.Files, haiku, batch.InvocationInvokeModel)
	if got, want := promptOf(t, recs[0].ModelInput), `[] {"a":"x","b":2} ["p","q"] x q 1.50`; got != want {
		t.Errorf("prompt %q, want %q", got, want)
	}
}

func TestPrepareRefusesBytesThatAreNotUTF8(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "latin1.csv")
	var sb strings.Builder
	sb.WriteString("id,text\n")
	for i := 0; i < 120; i++ {
		sb.WriteString("r" + strings.Repeat("x", i) + ",caf\xe9 cr\xe8me\n") // ISO-8859-1 é and è
	}
	os.WriteFile(in, []byte(sb.String()), 0o644)
	tmpl := []prepare.Template{{Text: "{{.text}}"}}
	out := t.TempDir()
	_, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: out, Templates: tmpl})
	if err == nil || !strings.Contains(err.Error(), "latin1.csv:2 (row 1)") || !strings.Contains(err.Error(), `column "text" is not valid UTF-8 (byte 0xe9 at offset 3)`) {
		t.Fatalf("latin-1 bytes: %v, want an error naming the row, the column and the byte", err)
	}
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: out, Templates: tmpl, Encoding: "windows-1252"})
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifests(t, res.Files, haiku, batch.InvocationInvokeModel)
	if got := promptOf(t, recs[0].ModelInput); got != "café crème" {
		t.Errorf("decoded prompt %q, want café crème", got)
	}
	if _, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: t.TempDir(), Templates: tmpl, Encoding: "klingon"}); err == nil || !strings.Contains(err.Error(), "windows-1252") {
		t.Errorf("an unknown encoding: %v", err)
	}
}
