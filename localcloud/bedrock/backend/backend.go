package backend

import (
	"context"
	"encoding/json"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// Request is one record's model call.
type Request struct {
	// Model is the job's model id, parsed once for the whole job, for
	// example "anthropic.claude-3-haiku-20240307-v1:0" or
	// "us.amazon.nova-lite-v1:0".
	Model model.ID
	// InvocationType is "InvokeModel" (the default when empty) or "Converse".
	InvocationType string
	// Body is the record's modelInput: the InvokeModel request body of the
	// model's family, or a Converse request. A backend reads it only during
	// Invoke and keeps nothing of it after; the caller must not change it
	// until Invoke returns.
	Body json.RawMessage
	// Attempt counts the calls made for this modelInput so far, this one
	// included: 1 (or 0) for the first, 2 for the first retry. Only the sim
	// backend reads it, so that its injected transient faults clear on a
	// later attempt as real ones do.
	Attempt int
}

// Response is a successful model call.
type Response struct {
	// Body is written as the record's modelOutput.
	Body json.RawMessage
	// InputTokens is the number of prompt tokens the call consumed.
	InputTokens int
	// OutputTokens is the number of tokens the call generated.
	OutputTokens int
}

// Backend runs one record through a model.
//
// Invoke returns a *RecordError when the record itself failed (the job writes
// it into the output line and goes on). Any other error means the call did
// not happen or was cancelled — for example ctx was done — and says nothing
// about the record.
type Backend interface {
	Invoke(ctx context.Context, req Request) (Response, error)
}
