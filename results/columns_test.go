package results_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/prepare"
	"github.com/bedrockbatch/bedrockbatch/results"
)

// A source column named like a result column keeps its name; the result
// column takes the prefix bedrock_ (again, until the name is free).
func TestResultColumnsYieldToSourceColumns(t *testing.T) {
	p := filepath.Join(t.TempDir(), "items.csv")
	var sb strings.Builder
	sb.WriteString("status,output,bedrock_output,text\n")
	for i := 0; i < 100; i++ {
		sb.WriteString("draft,mine,also mine,item\n")
	}
	os.WriteFile(p, []byte(sb.String()), 0o644)
	files := prep(t, prepare.Options{Input: p, ModelID: nova, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, nova, outs, nil, nil)
	out := filepath.Join(t.TempDir(), "results.csv")
	if _, err := results.Run(context.Background(), results.Options{Outputs: outs, Join: p, Out: out}); err != nil {
		t.Fatal(err)
	}
	cols, rows := readTable(t, out)
	want := "status,output,bedrock_output,text,record_id,bedrock_status,bedrock_bedrock_output,input_tokens,output_tokens,stop_reason,error_code,error_message"
	if strings.Join(cols, ",") != want {
		t.Fatalf("columns\n%s\nwant\n%s", strings.Join(cols, ","), want)
	}
	r := rows[0]
	if str(r["status"]) != "draft" || str(r["output"]) != "mine" || str(r["bedrock_output"]) != "also mine" ||
		str(r["bedrock_status"]) != results.StatusAnswered || !strings.Contains(str(r["bedrock_bedrock_output"]), "item") {
		t.Errorf("row %v", r)
	}
}

// Mistral's responses report no token counts
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html):
// the results leave them empty rather than writing 0.
func TestUnknownTokenCountsAreEmpty(t *testing.T) {
	const mistral = "mistral.mistral-7b-instruct-v0:2"
	src := source(t, 100)
	files := prep(t, prepare.Options{Input: src, ModelID: mistral, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, mistral, outs, nil, nil)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	if _, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: out}); err != nil {
		t.Fatal(err)
	}
	_, rows := readTable(t, out)
	for _, r := range rows {
		if r["input_tokens"] != nil || r["output_tokens"] != nil || str(r["output"]) == "" {
			t.Fatalf("row %v: want output and no token counts", r)
		}
	}
}

// Anthropic's Messages responses name their model
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html);
// Nova's do not (https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html).
func TestOpenAIModelFromTheResponses(t *testing.T) {
	const claude = "anthropic.claude-3-5-haiku-20241022-v1:0"
	src := source(t, 100)
	files := prep(t, prepare.Options{Input: src, ModelID: claude, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, claude, outs, nil, nil)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	if _, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: out, Format: "openai"}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	var l struct {
		Response struct {
			Body struct{ Model string }
		}
	}
	json.Unmarshal(sc.Bytes(), &l)
	if l.Response.Body.Model != "claude-3-5-haiku-20241022" {
		t.Errorf("model %q, want the one the response names", l.Response.Body.Model)
	}

	files = prep(t, prepare.Options{Input: src, ModelID: nova, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs = t.TempDir()
	runJobs(t, files, nova, outs, nil, nil)
	_, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: filepath.Join(t.TempDir(), "out.jsonl"), Format: "openai"})
	if err == nil || !strings.Contains(err.Error(), "--model") {
		t.Fatalf("Nova outputs without --model: %v, want an error asking for --model", err)
	}
}
