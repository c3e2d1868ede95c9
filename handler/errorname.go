package handler

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Error names that a function reports besides an AWS API error's code.
const (
	// ErrorInvalidPayload: the create-job payload is unusable.
	ErrorInvalidPayload = "InvalidPayloadError"
	// ErrorJobNameConflict: the job name is taken by another job.
	ErrorJobNameConflict = "JobNameConflictError"
	// ErrorCreateJob: creating the job failed for another reason.
	ErrorCreateJob = "CreateJobError"
	// ErrorInvalidEvent: the job-event function got an event it cannot read.
	ErrorInvalidEvent = "InvalidEventError"
	// ErrorJobNotEnded: the event says the job ended, the service does not
	// yet; Lambda's retry reads the job again.
	ErrorJobNotEnded = "JobNotEndedError"
	// ErrorJobEvent: reporting a job's end failed for another reason.
	ErrorJobEvent = "JobEventError"
	// ErrorReconcile: a reconciliation run failed; the next one repeats it.
	ErrorReconcile = "ReconcileError"
	// ErrorStopJobs: stopping an ended execution's jobs failed.
	ErrorStopJobs = "StopJobsError"
)

// ErrorName is the error name a caller sees when a handler returns err:
// InvalidPayloadError, JobNameConflictError, InvalidEventError or
// JobNotEndedError for those errors, the service's error code for an AWS
// API error (such as "ThrottlingException" or
// "ServiceQuotaExceededException", which a Retry can match), and fallback
// for anything else. The Lambda runtime would otherwise name an error after
// its Go type, which for a wrapped error says nothing ("wrapError").
func ErrorName(err error, fallback string) string {
	var payload *InvalidPayloadError
	var conflict *JobNameConflictError
	var event *InvalidEventError
	var notEnded *JobNotEndedError
	var api smithy.APIError
	switch {
	case errors.As(err, &payload):
		return ErrorInvalidPayload
	case errors.As(err, &conflict):
		return ErrorJobNameConflict
	case errors.As(err, &event):
		return ErrorInvalidEvent
	case errors.As(err, &notEnded):
		return ErrorJobNotEnded
	case errors.As(err, &api) && api.ErrorCode() != "":
		return api.ErrorCode()
	default:
		return fallback
	}
}

// named gives err the error name callers see, the way the Lambda runtime
// reports it.
func named(err error, fallback string) error {
	if err == nil {
		return nil
	}
	return messages.InvokeResponse_Error{Type: ErrorName(err, fallback), Message: err.Error()}
}

// HandleLambda is Handle for the Lambda runtime: it reports an error under
// ErrorName, so the fragment's task fails with that error name and a Retry
// or Catch can tell a throttled request from a bad payload.
func (h *CreateJob) HandleLambda(ctx context.Context, p batch.CreateJobPayload) (batch.CreateJobResult, error) {
	res, err := h.Handle(ctx, p)
	return res, named(err, ErrorCreateJob)
}

// Function is the create-job Lambda function: the value lambda.Start runs
// on AWS, and the local cloud runs in-process.
func (h *CreateJob) Function() lambda.Handler { return lambda.NewHandler(h.HandleLambda) }

// HandleLambda is Handle for the Lambda runtime: it reports an error under
// ErrorName, so a failed invocation (kept by the function's dead-letter
// destination) says why.
func (h *JobEvent) HandleLambda(ctx context.Context, ev events.CloudWatchEvent) error {
	return named(h.Handle(ctx, ev), ErrorJobEvent)
}

// Function is the job-event Lambda function: the value lambda.Start runs
// on AWS, and the local cloud runs in-process.
func (h *JobEvent) Function() lambda.Handler { return lambda.NewHandler(h.HandleLambda) }

// HandleLambda is Handle for the Lambda runtime, with the error names of
// ErrorName.
func (r *Reconcile) HandleLambda(ctx context.Context, ev events.CloudWatchEvent) error {
	return named(r.Handle(ctx, ev), ErrorReconcile)
}

// Function is the reconciler Lambda function: the value lambda.Start runs
// on AWS, and the local cloud runs in-process.
func (r *Reconcile) Function() lambda.Handler { return lambda.NewHandler(r.HandleLambda) }

// HandleLambda is Handle for the Lambda runtime, with the error names of
// ErrorName.
func (h *StopJobs) HandleLambda(ctx context.Context, ev events.CloudWatchEvent) error {
	return named(h.Handle(ctx, ev), ErrorStopJobs)
}

// Function is the stopper Lambda function: the value lambda.Start runs on
// AWS, and the local cloud runs in-process.
func (h *StopJobs) Function() lambda.Handler { return lambda.NewHandler(h.HandleLambda) }
