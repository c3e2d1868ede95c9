package lambda

import (
	"context"
	"encoding/json"
)

// FailedInvocation is an asynchronous invocation that failed every
// attempt, with what a dead-letter queue message reports about it: the
// event, the request id, the status code of the invocation (200 for a
// function error, as Invoke answers it) and the error
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
type FailedInvocation struct {
	Function string
	// DeadLetterArn is the function's DeadLetterConfig.TargetArn.
	DeadLetterArn string
	Payload       []byte
	RequestID     string
	ErrorCode     int
	ErrorType     string
	ErrorMessage  string
}

// deadLetter hands an invocation that failed every attempt to
// Options.DeadLetter when its function has a dead-letter target.
func (s *Service) deadLetter(ctx context.Context, q queued) {
	target := s.current(q.Function).DeadLetterArn
	if s.opts.DeadLetter == nil || target == "" {
		return
	}
	f := FailedInvocation{Function: q.Function, DeadLetterArn: target, Payload: q.Payload, RequestID: q.RequestID, ErrorCode: 200, ErrorMessage: q.LastError}
	var e struct{ ErrorType, ErrorMessage string }
	if json.Unmarshal([]byte(q.LastError), &e) == nil && e.ErrorMessage != "" {
		f.ErrorType, f.ErrorMessage = e.ErrorType, e.ErrorMessage
	}
	s.opts.DeadLetter(ctx, f)
}
