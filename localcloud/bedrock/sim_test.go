package bedrock

import (
	"encoding/json"
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
