package prepare_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// writeOpenAI writes an OpenAI batch input file of the given bodies, one
// request each (https://platform.openai.com/docs/guides/batch), then plain
// requests up to the 100 records a job needs.
func writeOpenAI(t *testing.T, url string, bodies ...string) string {
	t.Helper()
	plain := `{` + userMsg + `}`
	if url == embedURL {
		plain = `{"input":"x"}`
	}
	for len(bodies) < 100 {
		bodies = append(bodies, plain)
	}
	var b strings.Builder
	for i, body := range bodies {
		fmt.Fprintf(&b, `{"custom_id":"r%d","method":"POST","url":"%s","body":%s}`+"\n", i, url, body)
	}
	p := filepath.Join(t.TempDir(), "batch.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const chatURL, embedURL = "/v1/chat/completions", "/v1/embeddings"

const userMsg = `"messages":[{"role":"user","content":"hi"}]`

// Ranges from the catalogue's pages: Llama temperature 0–1 and max_gen_len
// up to 2,048 (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html);
// Titan Text Embeddings V2 dimensions 256, 512 or 1024
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html).
func TestPrepareOpenAISettingsOutOfRange(t *testing.T) {
	const llama = "meta.llama3-1-8b-instruct-v1:0"
	in := writeOpenAI(t, chatURL, `{`+userMsg+`,"temperature":0.5}`, `{`+userMsg+`,"temperature":1.7}`, `{`+userMsg+`,"temperature":1.9,"max_tokens":4000}`)
	out := t.TempDir()
	_, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: llama, Out: out})
	if err == nil || !strings.Contains(err.Error(), "batch.jsonl:2") || !strings.Contains(err.Error(), "temperature 1.7 is outside 0 to 1") || !strings.Contains(err.Error(), "--clamp") {
		t.Fatalf("temperature above Llama's range: %v", err)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("a refused input left %d files", len(left))
	}
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: llama, Out: t.TempDir(), Clamp: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"max_tokens: clamped 1 value(s) into 1 to 2048", "temperature: clamped 2 value(s) into 0 to 1"}
	if len(res.Warnings) != 2 || !strings.HasPrefix(res.Warnings[0], want[0]) || !strings.HasPrefix(res.Warnings[1], want[1]) {
		t.Fatalf("warnings %q, want %q", res.Warnings, want)
	}
	recs := readManifests(t, res.Files, llama, "")
	if body := string(recs[2].ModelInput); !strings.Contains(body, `"temperature":1`) || !strings.Contains(body, `"max_gen_len":2048`) {
		t.Errorf("clamped body %s", body)
	}
}

func TestPrepareOpenAIUnsupportedParameters(t *testing.T) {
	const nova = "amazon.nova-lite-v1:0"
	in := writeOpenAI(t, chatURL, `{`+userMsg+`,"n":1,"stream":false}`, `{`+userMsg+`,"seed":7,"tools":[],"response_format":{"type":"json_object"}}`, `{`+userMsg+`,"n":2}`)
	_, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: nova, Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "batch.jsonl:2") || !strings.Contains(err.Error(), "seed, tools, response_format have no meaning on Bedrock") || !strings.Contains(err.Error(), "--drop-unsupported") {
		t.Fatalf("unsupported parameters: %v", err)
	}
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: nova, Out: t.TempDir(), DropUnsupported: true})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(res.Warnings, "\n")
	for _, k := range []string{"n: dropped from 1", "response_format: dropped from 1", "seed: dropped from 1", "tools: dropped from 1"} {
		if !strings.Contains(got, k) {
			t.Errorf("warnings %q lack %q", res.Warnings, k)
		}
	}
}

// Llama's InvokeModel body has no stop sequences
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html);
// Converse's InferenceConfiguration has stopSequences
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html).
func TestPrepareOpenAIStopMapsWhereTheFamilyHasIt(t *testing.T) {
	in := writeOpenAI(t, chatURL, `{`+userMsg+`,"stop":["END"]}`)
	for _, tc := range []struct{ model, inv, want string }{
		{"mistral.mistral-7b-instruct-v0:2", "", `"stop":["END"]`},
		{"anthropic.claude-3-haiku-20240307-v1:0", "", `"stop_sequences":["END"]`},
		{"meta.llama3-1-8b-instruct-v1:0", batch.InvocationConverse, `"stopSequences":["END"]`},
	} {
		res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: tc.model, InvocationType: tc.inv, Out: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		if body := string(readManifests(t, res.Files, tc.model, tc.inv)[0].ModelInput); !strings.Contains(body, tc.want) {
			t.Errorf("%s: body %s lacks %s", tc.model, body, tc.want)
		}
	}
	_, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: "meta.llama3-1-8b-instruct-v1:0", Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "stop has no meaning on Bedrock") {
		t.Fatalf("stop for Llama's InvokeModel: %v", err)
	}
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: "meta.llama3-1-8b-instruct-v1:0", Out: t.TempDir(), DropUnsupported: true})
	if err != nil || len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "stop: dropped from 1") {
		t.Fatalf("dropping stop for Llama: %v %q", err, res.Warnings)
	}
}

func TestPrepareOpenAIDimensions(t *testing.T) {
	const titan = "amazon.titan-embed-text-v2:0"
	in := writeOpenAI(t, embedURL, `{"input":"a","dimensions":512}`)
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: titan, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if body := string(readManifests(t, res.Files, titan, "")[0].ModelInput); !strings.Contains(body, `"dimensions":512`) {
		t.Errorf("body %s lacks the dimensions", body)
	}
	bad := writeOpenAI(t, embedURL, `{"input":"a","dimensions":300}`)
	_, err = prepare.Run(context.Background(), prepare.Options{Input: bad, Format: "openai", ModelID: titan, Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "batch.jsonl:1") || !strings.Contains(err.Error(), "1024, 512, 256") {
		t.Fatalf("300 dimensions: %v", err)
	}
	_, err = prepare.Run(context.Background(), prepare.Options{Input: in, Format: "openai", ModelID: "cohere.embed-english-v3", Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "dimensions has no meaning on Bedrock") {
		t.Fatalf("dimensions for Cohere: %v", err)
	}
}

// The generation flags are held to the same ranges: Titan Text's
// temperature lies in 0–1 and Lite's maxTokenCount is at most 4,096
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html).
func TestPrepareSettingFlagsOutOfRange(t *testing.T) {
	src := filepath.Join(t.TempDir(), "rows.csv")
	os.WriteFile(src, []byte("text\na\n"), 0o644)
	hot := 1.2
	for _, c := range []struct {
		opts prepare.Options
		want string
	}{
		{prepare.Options{Temperature: &hot}, "--temperature 1.2 is outside 0 to 1"},
		{prepare.Options{MaxTokens: 5000}, "--max-tokens 5000 is outside 0 to 4096"},
	} {
		o := c.opts
		o.Input, o.ModelID, o.Out = src, "amazon.titan-text-lite-v1", t.TempDir()
		o.Templates = []prepare.Template{{Text: "{{.text}}"}}
		_, err := prepare.Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}
