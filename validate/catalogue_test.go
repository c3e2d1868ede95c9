package validate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/validate"
)

// Bodies Bedrock refuses, each from the page the model catalogue cites:
// Llama's temperature lies in 0–1 and its body has no stop
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html),
// Nova's maxTokens is at most 5K and its text blocks are not blank
// (https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html).
func TestValidateRefusesWhatTheCatalogueRulesOut(t *testing.T) {
	for _, c := range []struct {
		model, body, want string
	}{
		{"meta.llama3-1-8b-instruct-v1:0", `{"prompt":"hi","temperature":1.5}`, "#/temperature: 1.5 is not less or equal to 1"},
		{"meta.llama3-1-8b-instruct-v1:0", `{"prompt":"hi","stop":["x"]}`, "extraneous key [stop] is not permitted"},
		{"amazon.nova-pro-v1:0", `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":6000}}`, "#/inferenceConfig/maxTokens: 6000 is not less or equal to 5000"},
		{"amazon.nova-pro-v1:0", `{"messages":[{"role":"user","content":[{"text":""}]}]}`, "is blank"},
	} {
		dir := t.TempDir()
		ls := lines(t, c.model, "", 100)
		ls[6] = `{"recordId":"bad","modelInput":` + c.body + `}`
		p := write(t, dir, "batch.jsonl", ls)
		rep, err := validate.Run(context.Background(), validate.Options{Paths: []string{p}, ModelID: c.model})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Problems != 1 || !strings.Contains(rep.Files[0].Problems[0].String(), "batch.jsonl:7: modelInput is not a request "+c.model+" accepts") ||
			!strings.Contains(rep.Files[0].Problems[0].Message, c.want) {
			t.Errorf("%s %s: %+v, want one problem on line 7 with %q", c.model, c.body, rep.Files, c.want)
		}
	}
}
