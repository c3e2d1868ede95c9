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
	Function     string
	Payload      []byte
	RequestID    string
	ErrorCode    int
	ErrorType    string
	ErrorMessage string
}

// deadLetter hands an invocation that failed every attempt to
// Options.DeadLetter.
func (s *Service) deadLetter(ctx context.Context, q queued) {
	if s.opts.DeadLetter == nil {
		return
	}
	f := FailedInvocation{Function: q.Function, Payload: q.Payload, RequestID: q.RequestID, ErrorCode: 200, ErrorMessage: q.LastError}
	var e struct{ ErrorType, ErrorMessage string }
	if json.Unmarshal([]byte(q.LastError), &e) == nil && e.ErrorMessage != "" {
		f.ErrorType, f.ErrorMessage = e.ErrorType, e.ErrorMessage
	}
	s.opts.DeadLetter(ctx, f)
}
