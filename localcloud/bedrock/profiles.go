package bedrock

import (
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/model"
)

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

// InferenceProfile is what GetInferenceProfile tells of an application
// inference profile.
type InferenceProfile struct {
	ARN, ID, Name string
	// ModelARNs are the foundation models the profile routes to. The local
	// Bedrock has one region, so a profile made from a cross-region profile
	// lists that region's model only.
	ModelARNs []string
}

// GetInferenceProfile describes an application inference profile this
// Bedrock was told about (Config.InferenceProfiles), named by its ARN or
// its id (the ARN's last part). Any other identifier is a
// ResourceNotFoundException, as for a profile that does not exist.
func (e *Engine) GetInferenceProfile(identifier string) (InferenceProfile, error) {
	for arn, src := range e.cfg.InferenceProfiles {
		id := arn[strings.LastIndexByte(arn, '/')+1:]
		if identifier != arn && identifier != id {
			continue
		}
		base := model.ParseID(src).Base()
		return InferenceProfile{
			ARN:       arn,
			ID:        id,
			Name:      id,
			ModelARNs: []string{fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", e.cfg.Region, base)},
		}, nil
	}
	return InferenceProfile{}, notFoundError("The specified inference profile %s was not found in account %s, region %s; "+
		"the local Bedrock knows the application inference profiles given with --inference-profile ARN=MODEL", identifier, e.cfg.Account, e.cfg.Region)
}
