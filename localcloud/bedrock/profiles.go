package bedrock

import "strings"

// isApplicationProfile reports whether modelID is the ARN of an
// application inference profile
// (arn:<partition>:bedrock:<region>:<account>:application-inference-profile/<id>),
// whose id says nothing of the model behind it.
func isApplicationProfile(modelID string) bool {
	return strings.HasPrefix(modelID, "arn:") && strings.Contains(modelID, ":application-inference-profile/")
}

// modelSource is what a job's modelId runs on: the model an application
// inference profile was made from (Config.InferenceProfiles), else the
// modelId itself (a foundation model, a cross-region inference profile id
// or a model ARN).
func (e *Engine) modelSource(modelID string) string {
	if src := e.cfg.InferenceProfiles[modelID]; src != "" {
		return src
	}
	return modelID
}
