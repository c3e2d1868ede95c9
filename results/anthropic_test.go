package results_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/results"
)

// Message Batches results: one line per request, {"custom_id", "result"},
// result.type succeeded (with the Messages API response), errored (with an
// error object whose type names the error), canceled or expired
// (https://docs.anthropic.com/en/api/retrieving-message-batch-results,
// https://docs.anthropic.com/en/api/errors).
func TestAnthropicResultLines(t *testing.T) {
	_, manifests, outs := lossyRun(t)
	out := filepath.Join(t.TempDir(), "anthropic.jsonl")
	_, err := results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: out, Format: "anthropic", ModelID: nova})
	if !errors.Is(err, results.ErrMissingRecords) {
		t.Fatalf("error %v, want ErrMissingRecords", err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			CustomID string `json:"custom_id"`
			Result   struct {
				Type    string `json:"type"`
				Message *struct {
					Type    string `json:"type"`
					Role    string `json:"role"`
					Content []struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"content"`
					StopReason string `json:"stop_reason"`
					Usage      struct {
						InputTokens  int `json:"input_tokens"`
						OutputTokens int `json:"output_tokens"`
					} `json:"usage"`
				} `json:"message"`
				Error *struct {
					Type  string `json:"type"`
					Error struct {
						Type    string `json:"type"`
						Message string `json:"message"`
					} `json:"error"`
				} `json:"error"`
			} `json:"result"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		var i int
		fmt.Sscanf(l.CustomID, "REC%d", &i)
		counts[l.Result.Type]++
		switch {
		case isMissing(i):
			if l.Result.Type != "expired" {
				t.Errorf("%s never ran: %s", l.CustomID, sc.Text())
			}
		case isErrored(i):
			if l.Result.Type != "errored" || l.Result.Error == nil || l.Result.Error.Type != "error" || l.Result.Error.Error.Type != "invalid_request_error" || l.Result.Error.Error.Message == "" {
				t.Errorf("%s errored with 400: %s", l.CustomID, sc.Text())
			}
		default:
			m := l.Result.Message
			if l.Result.Type != "succeeded" || m == nil || m.Type != "message" || m.Role != "assistant" || len(m.Content) != 1 || m.Content[0].Type != "text" || m.Content[0].Text == "" || m.Usage.OutputTokens == 0 || m.StopReason == "" {
				t.Errorf("%s succeeded: %s", l.CustomID, sc.Text())
			}
		}
	}
	if counts["succeeded"] != 250 || counts["errored"] != 4 || counts["expired"] != 6 {
		t.Fatalf("result types %v, want 250 succeeded, 4 errored, 6 expired", counts)
	}
}
