package localrun

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// modelSource is the model the run's records are written for: the model
// id, or for an application inference profile ARN the model the local
// Bedrock was told it routes to (Options.Cloud.Bedrock.InferenceProfiles).
func modelSource(opts Options) (string, error) {
	id := opts.ModelID
	if !strings.HasPrefix(id, "arn:") || !strings.Contains(id, ":application-inference-profile/") {
		return id, nil
	}
	if src := opts.Cloud.Bedrock.InferenceProfiles[id]; src != "" {
		return src, nil
	}
	return "", fmt.Errorf("--model %s is an application inference profile, whose id does not say which model it runs: "+
		"declare it with --inference-profile %s=<model id or cross-region profile id it was made from>", id, id)
}

// invocationType is the model invocation type of the run's jobs: the one
// the options give, else Converse when the first record of the first
// manifest is a Converse request and not a request body of the model
// itself, else "" (InvokeModel, the service's default).
func invocationType(opts Options, inputs []Input) (string, error) {
	if t := opts.ModelInvocationType; t != "" {
		if err := batch.ValidModelInvocationType(t); err != nil {
			return "", fmt.Errorf("--invocation-type: %w", err)
		}
		return t, nil
	}
	if len(inputs) == 0 {
		return "", nil
	}
	src, err := modelSource(opts)
	if err != nil {
		return "", err
	}
	modelID := cmp.Or(src, sampleapp.ModelID)
	body, err := firstModelInput(inputs[0])
	if err != nil || body == nil {
		return "", err
	}
	if _, err := model.CheckRequest(modelID, model.InvokeModel, body); err == nil {
		return "", nil
	}
	if _, err := model.CheckRequest(modelID, model.Converse, body); err == nil {
		return batch.InvocationTypeConverse, nil
	}
	return "", nil
}

// firstModelInput reads the modelInput of the first record of in.
func firstModelInput(in Input) (json.RawMessage, error) {
	f, err := in.Open()
	if err != nil {
		return nil, fmt.Errorf("read input %s: %w", in.display, err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read input %s: %w", in.display, err)
	}
	var rec struct {
		ModelInput json.RawMessage `json:"modelInput"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return nil, nil // LoadInputs has reported bad lines already
	}
	return rec.ModelInput, nil
}
