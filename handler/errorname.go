package handler

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// ErrorName is the error name a Step Functions task sees when a handler
// returns err: "InvalidPayloadError", "JobNameConflictError", the service's
// error code for an AWS API error (such as "ThrottlingException" or
// "ServiceQuotaExceededException", which a Retry can match), and
// "CreateJobError" for anything else. The Lambda runtime would otherwise name
// an error after its Go type, which for a wrapped SDK error says nothing.
func ErrorName(err error) string {
	var payload *InvalidPayloadError
	var conflict *JobNameConflictError
	var api smithy.APIError
	switch {
	case errors.As(err, &payload):
		return "InvalidPayloadError"
	case errors.As(err, &conflict):
		return "JobNameConflictError"
	case errors.As(err, &api) && api.ErrorCode() != "":
		return api.ErrorCode()
	default:
		return "CreateJobError"
	}
}

// HandleLambda is Handle for the Lambda runtime: it reports an error under
// ErrorName(err), so the fragment's task fails with that error name and a
// Retry or Catch can tell a throttled request from a bad payload.
func (h *CreateJob) HandleLambda(ctx context.Context, p batch.CreateJobPayload) (batch.CreateJobResult, error) {
	res, err := h.Handle(ctx, p)
	if err != nil {
		return res, messages.InvokeResponse_Error{Type: ErrorName(err), Message: err.Error()}
	}
	return res, nil
}
