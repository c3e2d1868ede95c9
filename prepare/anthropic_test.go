package prepare_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// anthropicRequests writes n Message Batches request lines
// (https://docs.anthropic.com/en/api/creating-message-batches): custom_id
// and params, a Messages API request with model, max_tokens, messages and
// line-specific extras.
func anthropicRequests(t *testing.T, n int, extra string) string {
	t.Helper()
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, `{"custom_id":"req-%d","params":{"model":"claude-3-haiku-20240307","max_tokens":200,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"Review %d"}]}]%s}}`+"\n", i, i, extra)
	}
	p := filepath.Join(t.TempDir(), "requests.jsonl")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// For an Anthropic model the params go to Bedrock as its Messages body:
// anthropic_version "bedrock-2023-05-31" added, no model (the job's model
// runs it), no metadata, everything else such as top_k kept
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html).
func TestPrepareAnthropicBatchFileForClaude(t *testing.T) {
	in := anthropicRequests(t, 120, `,"top_k":5,"metadata":{"user_id":"u1"}`)
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "anthropic", ModelID: haiku, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifests(t, res.Files, haiku, batch.InvocationInvokeModel)
	if len(recs) != 120 || recs[0].RecordID != "req-1" {
		t.Fatalf("%d records, first %q", len(recs), recs[0].RecordID)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(recs[0].ModelInput, &body); err != nil {
		t.Fatal(err)
	}
	if string(body["anthropic_version"]) != `"bedrock-2023-05-31"` || string(body["top_k"]) != "5" || string(body["max_tokens"]) != "200" {
		t.Errorf("body %s", recs[0].ModelInput)
	}
	if _, ok := body["model"]; ok {
		t.Errorf("body keeps model: %s", recs[0].ModelInput)
	}
	if _, ok := body["metadata"]; ok {
		t.Errorf("body keeps metadata: %s", recs[0].ModelInput)
	}
}

func TestPrepareAnthropicBatchFileForAnotherFamily(t *testing.T) {
	const nova = "amazon.nova-lite-v1:0"
	in := anthropicRequests(t, 120, `,"temperature":0.2`)
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, Format: "anthropic", ModelID: nova, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifests(t, res.Files, nova, batch.InvocationInvokeModel)
	if len(recs) != 120 || !strings.Contains(string(recs[0].ModelInput), "Review 1") || !strings.Contains(string(recs[0].ModelInput), "Be brief.") {
		t.Fatalf("%d records; first %s", len(recs), recs[0].ModelInput)
	}

	in = anthropicRequests(t, 120, `,"top_k":5`)
	out := t.TempDir()
	_, err = prepare.Run(context.Background(), prepare.Options{Input: in, Format: "anthropic", ModelID: nova, Out: out})
	if err == nil || !strings.Contains(err.Error(), "top_k") || !strings.Contains(err.Error(), "requests.jsonl:1:") {
		t.Fatalf("top_k for Nova: %v, want an error naming the parameter and the line", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed prepare left %d files", len(entries))
	}
}

func TestPrepareAnthropicCustomIDRules(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(p, []byte(`{"custom_id":"has space","params":{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}}`+"\n"), 0o644)
	_, err := prepare.Run(context.Background(), prepare.Options{Input: p, Format: "anthropic", ModelID: haiku, Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "custom_id") || !strings.Contains(err.Error(), "64") {
		t.Fatalf("custom_id with a space: %v", err)
	}
}
