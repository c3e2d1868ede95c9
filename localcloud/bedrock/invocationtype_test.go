package bedrock

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// recordsOf writes n records of the request format of invocationType for
// modelID, as `bedrockbatch prepare` writes them.
func recordsOf(t *testing.T, modelID, invocationType string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		body, err := model.BuildRequest(model.ParseID(modelID), invocationType, model.Prompt{
			Messages:  []model.Message{{Role: "user", Text: fmt.Sprintf("Summarise review %d: it arrived on time.", i)}},
			MaxTokens: 64,
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, `{"recordId":"r%04d","modelInput":%s}`+"\n", i, body)
	}
	return b.String()
}

// TestRecordsAreReadAsTheJobsInvocationType: Bedrock reads every record's
// modelInput as the job's modelInvocationType says, the model's InvokeModel
// body or a Converse request
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html),
// and answers in that API's response shape. Records of the other format
// fail one by one with the service's malformed-input error, each in its
// output line.
func TestRecordsAreReadAsTheJobsInvocationType(t *testing.T) {
	const claude = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
	sim, err := backend.NewSim(backend.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, sim, nil)
	env.put("inbox", "converse.jsonl", recordsOf(t, claude, batch.InvocationConverse, 100))
	env.put("inbox", "invoke.jsonl", recordsOf(t, claude, batch.InvocationInvokeModel, 100))

	run := func(name, file, invocationType string) ([]string, []string) {
		t.Helper()
		in := createInput(name, "s3://inbox/"+file)
		in.ModelID, in.ModelInvocationType = claude, invocationType
		j := env.wait(env.create(in))
		if !j.Status.Terminal() || j.ModelInvocationType != cmpOr(invocationType, batch.InvocationInvokeModel) {
			t.Fatalf("%s: job %v: %s", name, j, j.Message)
		}
		lines, _ := env.outputs(j.JobArn, file+".out")
		var outputs, errs []string
		for _, l := range lines {
			if l.Error != nil {
				errs = append(errs, l.Error.ErrorMessage)
			} else {
				outputs = append(outputs, string(l.ModelOutput))
			}
		}
		return outputs, errs
	}

	// Converse records in a Converse job: Converse responses
	// (output.message, stopReason, usage).
	out, errs := run("converse-as-converse", "converse.jsonl", batch.InvocationConverse)
	if len(out) != 100 || len(errs) != 0 {
		t.Fatalf("converse records in a Converse job: %d answers, errors %q", len(out), first(errs))
	}
	var resp struct {
		Output struct {
			Message struct{ Role string } `json:"message"`
		} `json:"output"`
		StopReason string `json:"stopReason"`
	}
	if err := json.Unmarshal([]byte(out[0]), &resp); err != nil || resp.Output.Message.Role != "assistant" || resp.StopReason == "" {
		t.Errorf("answer %s is not a Converse response", out[0])
	}
	// The same records in a job of the default type are Anthropic
	// Messages bodies without their required keys.
	out, errs = run("converse-as-invoke", "converse.jsonl", "")
	if len(out) != 0 || len(errs) != 100 || !strings.HasPrefix(errs[0], "Malformed input request") {
		t.Errorf("converse records in an InvokeModel job: %d answers, first error %q; want every record refused as malformed", len(out), first(errs))
	}
	out, errs = run("invoke-as-invoke", "invoke.jsonl", batch.InvocationInvokeModel)
	if len(out) != 100 || len(errs) != 0 {
		t.Errorf("InvokeModel records in an InvokeModel job: %d answers, errors %q", len(out), first(errs))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
