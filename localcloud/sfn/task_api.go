package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
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

func (s *Service) sendTaskSuccess(ctx context.Context, in *sendTaskSuccessInput) (*struct{}, error) {
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
	err := s.answer(ctx, in.TaskToken, func() error {
		return s.engine.SendTaskSuccess(in.TaskToken, json.RawMessage(*in.Output))
	})
	return &struct{}{}, err
}

func (s *Service) sendTaskFailure(ctx context.Context, in *sendTaskFailureInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := checkErrorCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	err := s.answer(ctx, in.TaskToken, func() error {
		return s.engine.SendTaskFailure(in.TaskToken, in.Error, in.Cause)
	})
	return &struct{}{}, err
}

func (s *Service) sendTaskHeartbeat(ctx context.Context, in *sendTaskHeartbeatInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	err := s.answer(ctx, in.TaskToken, func() error {
		return s.engine.SendTaskHeartbeat(in.TaskToken)
	})
	return &struct{}{}, err
}

// restoreGrace bounds how long a task-token call waits for a restored
// execution to register its token again.
const restoreGrace = 3 * time.Second

// answer runs a task-token call. A restored execution registers its
// pending token only once its goroutine reaches the Task state again, a
// moment after New returned; a call that arrives in that window would see
// TaskTimedOut, so for the tokens found in the store at start-up the call
// is retried until the engine knows the token, the execution stops
// running, or restoreGrace passes.
func (s *Service) answer(ctx context.Context, token string, call func() error) error {
	err := call()
	s.mu.Lock()
	arn, restoring := s.restoring[token]
	s.mu.Unlock()
	if !restoring {
		return engineError(err, token)
	}
	deadline := time.Now().Add(restoreGrace)
	for errors.Is(err, asl.ErrTaskTimedOut) && time.Now().Before(deadline) && ctx.Err() == nil {
		if info, derr := s.engine.Describe(arn); derr != nil || info.Status != asl.StatusRunning {
			break
		}
		time.Sleep(5 * time.Millisecond)
		err = call()
	}
	if !errors.Is(err, asl.ErrTaskTimedOut) || ctx.Err() == nil {
		s.mu.Lock()
		delete(s.restoring, token)
		s.mu.Unlock()
	}
	return engineError(err, token)
}
