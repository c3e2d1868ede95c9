package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func sendTaskSuccessInput(token, output string) *sfn.SendTaskSuccessInput {
	return &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(output)}
}

func sendTaskFailureInput(token, errName, cause string) *sfn.SendTaskFailureInput {
	return &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(errName), Cause: aws.String(cause)}
}

// taskAlreadyEnded reports whether err from SendTaskSuccess/SendTaskFailure
// means the task can no longer be reported to: it timed out, its token was
// already used, or its execution is gone. Events are delivered at least
// once, so this is how a duplicate or late event ends.
func taskAlreadyEnded(err error) bool {
	var timedOut *sfntypes.TaskTimedOut
	var invalid *sfntypes.InvalidToken
	var gone *sfntypes.TaskDoesNotExist
	return errors.As(err, &timedOut) || errors.As(err, &invalid) || errors.As(err, &gone)
}

// sendError acknowledges a task that already ended (returning nil, so the
// event is not retried) and returns any other error for a retry.
func (h *JobEvent) sendError(ctx context.Context, log *slog.Logger, op string, err error) error {
	if taskAlreadyEnded(err) {
		log.WarnContext(ctx, "task already ended; event acknowledged without reporting", "operation", op, "error", err.Error())
		return nil
	}
	log.ErrorContext(ctx, "could not report to the task", "operation", op, "error", err.Error())
	return fmt.Errorf("%s: %w", op, err)
}
