package lambda

import (
	"encoding/json"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/recent"
)

// Invocation is one finished run of a function, as the local cloud's
// console lists it: Lambda's API has no list of invocations (on AWS they
// are in CloudWatch Logs).
type Invocation struct {
	Function  string `json:"function"`
	RequestID string `json:"requestId"`
	// Type is RequestResponse or Event.
	Type     string        `json:"type"`
	Attempt  int           `json:"attempt"` // 1 for the first run
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration"`
	// Payload is the input and Result the response or the error document
	// ({"errorMessage", "errorType"}), both JSON text clipped to 4 KiB.
	Payload string `json:"payload"`
	Result  string `json:"result"`
	// Error is the errorType of a failed invocation, else "".
	Error string `json:"error,omitempty"`
	// Log is what the function printed, clipped to 4 KiB (functions that
	// run in processes of their own).
	Log string `json:"log,omitempty"`
}

// recentInvocations is how many invocations RecentInvocations keeps.
const recentInvocations = 200

// RecentInvocations returns the last invocations finished since the
// service opened, newest first. It is for the local cloud's own console,
// not an AWS API.
func (s *Service) RecentInvocations() []Invocation { return s.recent.Newest() }

// record remembers a finished invocation.
func (s *Service) record(function, typ string, attempt int, payload []byte, res *Result, log string) {
	inv := Invocation{
		Function: function, RequestID: res.RequestID, Type: typ, Attempt: attempt,
		Start: time.Now().Add(-res.Duration).UTC(), Duration: res.Duration,
		Payload: recent.Clip(string(payload), 4<<10), Result: recent.Clip(string(res.Payload), 4<<10),
		Log: recent.Clip(log, 4<<10),
	}
	if res.FunctionError != "" {
		inv.Error = errorTypeOf(res.Payload)
	}
	s.recent.Add(inv)
}

// errorTypeOf reads the errorType of an error document.
func errorTypeOf(doc []byte) string {
	var d struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(doc, &d)
	return d.ErrorType
}
