package main

import (
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// parseProfiles reads --inference-profile values, ARN=MODEL each, into
// the local Bedrock's application inference profiles.
func parseProfiles(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(values))
	for _, v := range values {
		arn, src, ok := strings.Cut(v, "=")
		if !ok || model.ParseID(arn).Kind() != model.KindApplicationInferenceProfileARN || src == "" {
			return nil, fmt.Errorf("--inference-profile %q: give ARN=MODEL, the ARN of an application inference profile "+
				"(arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>) and the model id or cross-region profile id it runs", v)
		}
		out[arn] = src
	}
	return out, nil
}
