package bedrock

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
)

// TestSimFaultRate runs Anthropic Messages records through the sim backend
// with a 5% fault rate: the job ends PartiallyCompleted and manifest.json.out
// agrees exactly with the output lines, tokens included.
func TestSimFaultRate(t *testing.T) {
	sim, err := backend.NewSim(backend.SimOptions{ErrorRate: 0.05, ErrorCode: 429})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, sim, nil)
	env.put("inbox", "claude.jsonl", claudeRecords(2000))
	arn := env.create(createInput("sim-faults", "s3://inbox/claude.jsonl"))
	j := env.wait(arn)
	if j.Status != batch.StatusPartiallyCompleted {
		t.Fatalf("job %v: %s", j, j.Message)
	}
	lines, sum := env.outputs(arn, "claude.jsonl.out")
	var failed, in, out int64
	for _, l := range lines {
		if l.Error != nil {
			failed++
			if l.Error.ErrorCode != 429 {
				t.Fatalf("error line %+v", l.Error)
			}
			continue
		}
		var resp struct {
			Usage struct {
				InputTokens  int64 `json:"input_tokens"`
				OutputTokens int64 `json:"output_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(l.ModelOutput, &resp); err != nil {
			t.Fatal(err)
		}
		in += resp.Usage.InputTokens
		out += resp.Usage.OutputTokens
	}
	if failed < 50 || failed > 150 {
		t.Fatalf("%d of 2000 records failed with a 5%% fault rate", failed)
	}
	if len(lines) != 2000 || sum.ProcessedRecordCount != 2000 || sum.ErrorRecordCount != failed ||
		sum.SuccessRecordCount != 2000-failed || sum.InputTokenCount != in || sum.OutputTokenCount != out || in == 0 {
		t.Fatalf("summary %+v; lines: %d, %d failed, %d input and %d output tokens", sum, len(lines), failed, in, out)
	}
	if j.ErrorRecordCount != failed || j.SuccessRecordCount != 2000-failed {
		t.Fatalf("job counts %v", j)
	}
}

// TestSimFaultsClearInRetryJob: the records that failed with an injected
// transient fault, submitted again in a second job, run as their second
// attempt, so only about the fault rate of them fail again — as real
// throttling and timeouts behave, and unlike a fault tied to the record.
// Bedrock writes each failed record as an error line and does not retry it:
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html
func TestSimFaultsClearInRetryJob(t *testing.T) {
	sim, err := backend.NewSim(backend.SimOptions{ErrorRate: 0.2, ErrorCode: 429})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, sim, nil)
	env.put("inbox", "claude.jsonl", claudeRecords(2000))
	first := env.create(createInput("first-round", "s3://inbox/claude.jsonl"))
	env.wait(first)
	lines, _ := env.outputs(first, "claude.jsonl.out")
	var retry strings.Builder
	failed := 0
	for _, l := range lines {
		if l.Error == nil {
			continue
		}
		failed++
		b, err := json.Marshal(map[string]any{"recordId": l.RecordID, "modelInput": l.ModelInput})
		if err != nil {
			t.Fatal(err)
		}
		retry.Write(append(b, '\n'))
	}
	if failed < 300 || failed > 500 {
		t.Fatalf("%d of 2000 records failed at a 20%% fault rate", failed)
	}
	env.put("inbox", "retry.jsonl", retry.String())
	second := env.create(createInput("retry-round", "s3://inbox/retry.jsonl"))
	env.wait(second)
	again, _ := env.outputs(second, "retry.jsonl.out")
	still := 0
	for _, l := range again {
		if l.Error != nil {
			still++
		}
	}
	if len(again) != failed || still == 0 || float64(still) > 0.3*float64(failed) {
		t.Fatalf("retry job: %d lines, %d failed again of %d retried; want about a fifth", len(again), still, failed)
	}
}
