package localrun

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
	"github.com/bedrockbatch/bedrockbatch/submit"
)

// modelSource is the model the run's records are written for: the model
// id, or for an application inference profile ARN the model the local
// Bedrock was told it routes to (Options.Cloud.Bedrock.InferenceProfiles).
func modelSource(opts Options) (model.ID, error) {
	id := model.ParseID(opts.ModelID)
	if id.Kind() != model.KindApplicationInferenceProfileARN {
		return id, nil
	}
	if src := opts.Cloud.Bedrock.InferenceProfiles[opts.ModelID]; src != "" {
		return model.ParseID(src), nil
	}
	return model.ID{}, fmt.Errorf("--model %s is an application inference profile, whose id does not say which model it runs: "+
		"declare it with --inference-profile %s=<model id or cross-region profile id it was made from>", opts.ModelID, opts.ModelID)
}

// invocationType is the model invocation type of the run's jobs: the one
// the options give, else Converse when the first record of the first
// manifest is a Converse request and not a request body of the model
// itself, else "" (InvokeModel, the service's default). source is the
// model the records are for.
func invocationType(opts Options, source model.ID, manifests []submit.Manifest) (string, error) {
	if t := opts.ModelInvocationType; t != "" {
		if err := batch.ValidModelInvocationType(t); err != nil {
			return "", fmt.Errorf("--invocation-type: %w", err)
		}
		return t, nil
	}
	if len(manifests) == 0 {
		return "", nil
	}
	if source.String() == "" {
		source = model.ParseID(sampleapp.ModelID)
	}
	body, err := firstModelInput(manifests[0])
	if err != nil || body == nil {
		return "", err
	}
	if _, err := model.CheckRequest(source, batch.InvocationInvokeModel, body); err == nil {
		return "", nil
	}
	if _, err := model.CheckRequest(source, batch.InvocationConverse, body); err == nil {
		return batch.InvocationConverse, nil
	}
	return "", nil
}

// firstModelInput reads the modelInput of the first record of m.
func firstModelInput(m submit.Manifest) (json.RawMessage, error) {
	f, err := m.Open()
	if err != nil {
		return nil, fmt.Errorf("read input %s: %w", m.Path, err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read input %s: %w", m.Path, err)
	}
	var rec struct {
		ModelInput json.RawMessage `json:"modelInput"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return nil, nil // submit.Prepare has reported bad lines already
	}
	return rec.ModelInput, nil
}
