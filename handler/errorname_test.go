package handler

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

const eventTestArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh"

// TestJobEventErrorNames checks the error names the job-event function
// reports through the Lambda runtime: a name that says why, never the Go
// type of a wrapped error.
func TestJobEventErrorNames(t *testing.T) {
	badDetail := events.CloudWatchEvent{ID: "e1", Source: batch.EventSource, DetailType: batch.EventDetailType, Detail: json.RawMessage(`[1]`)}
	throttled := newRig(t, eventTestArn, batch.StatusCompleted, "")
	throttled.reader.getErr = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}
	running := newRig(t, eventTestArn, batch.StatusInProgress, "")
	for _, c := range []struct {
		name string
		h    *JobEvent
		ev   events.CloudWatchEvent
		want string
	}{
		{"unreadable detail", newRig(t, eventTestArn, batch.StatusCompleted, "").h, badDetail, ErrorInvalidEvent},
		{"throttled", throttled.h, stateChange(t, eventTestArn, batch.StatusCompleted, ""), "ThrottlingException"},
		{"job not ended yet", running.h, stateChange(t, eventTestArn, batch.StatusCompleted, ""), ErrorJobNotEnded},
	} {
		err := c.h.HandleLambda(context.Background(), c.ev)
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) || ie.Type != c.want || ie.Message == "" {
			t.Errorf("%s: %#v, want an InvokeResponse_Error of type %s with a message", c.name, err, c.want)
		}
	}
}
