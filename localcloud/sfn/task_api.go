package sfn

import (
	"context"
	"encoding/json"
)

type sendTaskSuccessInput struct {
	TaskToken string  `json:"taskToken"`
	Output    *string `json:"output"`
}

type sendTaskFailureInput struct {
	TaskToken string `json:"taskToken"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
}

type sendTaskHeartbeatInput struct {
	TaskToken string `json:"taskToken"`
}

func checkToken(token string) error {
	if err := required("taskToken", token != ""); err != nil {
		return err
	}
	if len(token) > maxTokenLength {
		return apiError(codeValidation, "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to %d", maxTokenLength)
	}
	return nil
}

func (s *Service) sendTaskSuccess(_ context.Context, in *sendTaskSuccessInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := required("output", in.Output != nil); err != nil {
		return nil, err
	}
	if len(*in.Output) > maxDataSize {
		return nil, apiError(codeValidation, "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to %d", maxDataSize)
	}
	if !json.Valid([]byte(*in.Output)) {
		return nil, apiError(codeInvalidOutput, "Invalid Output: the output must be a JSON document, got %.100q", *in.Output)
	}
	return &struct{}{}, engineError(s.engine.SendTaskSuccess(in.TaskToken, json.RawMessage(*in.Output)), in.TaskToken)
}

func (s *Service) sendTaskFailure(_ context.Context, in *sendTaskFailureInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := checkErrorCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	return &struct{}{}, engineError(s.engine.SendTaskFailure(in.TaskToken, in.Error, in.Cause), in.TaskToken)
}

func (s *Service) sendTaskHeartbeat(_ context.Context, in *sendTaskHeartbeatInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	return &struct{}{}, engineError(s.engine.SendTaskHeartbeat(in.TaskToken), in.TaskToken)
}
