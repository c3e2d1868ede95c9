package bedrock

import "github.com/bedrockbatch/bedrockbatch/model"

// modelSource is what a job's model id runs on: the model an application
// inference profile was made from (Config.InferenceProfiles), else the id
// itself (a foundation model, a cross-region inference profile id or a
// model ARN).
func (e *Engine) modelSource(id model.ID) model.ID {
	if id.Kind() != model.KindApplicationInferenceProfileARN {
		return id
	}
	if src := e.cfg.InferenceProfiles[id.String()]; src != "" {
		return model.ParseID(src)
	}
	return id
}
