package sfn

import (
	"context"
	"errors"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

type validateDefinitionInput struct {
	Definition string `json:"definition"`
	Type       string `json:"type"`
	Severity   string `json:"severity"`
	MaxResults int    `json:"maxResults"`
}

type validateDiagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

type validateDefinitionOutput struct {
	Result      string               `json:"result"`
	Diagnostics []validateDiagnostic `json:"diagnostics"`
	Truncated   bool                 `json:"truncated"`
}

// validateStateMachineDefinition reports the interpreter's validation
// problems as diagnostics.
func (s *Service) validateStateMachineDefinition(_ context.Context, in *validateDefinitionInput) (*validateDefinitionOutput, error) {
	if err := required("definition", in.Definition != ""); err != nil {
		return nil, err
	}
	limit := in.MaxResults
	if limit < 0 || limit > 100 {
		return nil, apiError(codeValidation, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 100", limit)
	}
	if limit == 0 {
		limit = 100
	}
	out := &validateDefinitionOutput{Result: "OK", Diagnostics: []validateDiagnostic{}}
	_, err := asl.Parse([]byte(in.Definition))
	if err == nil {
		return out, nil
	}
	out.Result = "FAIL"
	problems := []string{err.Error()}
	code := "INVALID_JSON_DESCRIPTION"
	var ve *asl.ValidationError
	if errors.As(err, &ve) {
		problems, code = ve.Problems, "SCHEMA_VALIDATION_FAILED"
	}
	for _, p := range problems {
		if len(out.Diagnostics) == limit {
			out.Truncated = true
			break
		}
		out.Diagnostics = append(out.Diagnostics, validateDiagnostic{Severity: "ERROR", Code: code, Message: p})
	}
	return out, nil
}
