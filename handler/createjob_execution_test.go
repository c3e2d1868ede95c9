package handler

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

func TestCreateJobTagsTheExecution(t *testing.T) {
	p := validPayload()
	p.ExecutionArn = endedExecution
	in, _ := createOnce(t, p)
	if got := tagMap(in.Tags)[batch.ExecutionTag]; got != endedExecution {
		t.Errorf("%s tag = %q, want the execution ARN", batch.ExecutionTag, got)
	}
	p.ExecutionArn = ""
	in, _ = createOnce(t, p)
	if _, ok := tagMap(in.Tags)[batch.ExecutionTag]; ok {
		t.Error("a payload without an execution ARN produced an execution tag")
	}
}

func TestCreateJobRejectsABadExecutionArn(t *testing.T) {
	for _, bad := range []string{"run-1", "arn:aws:states:us-east-1:123456789012:stateMachine:Machine", "arn:aws:lambda:us-east-1:123456789012:function:f"} {
		p := validPayload()
		p.ExecutionArn = bad
		logger, _ := testLogger()
		_, err := NewCreateJob(ledgerOnly(t), &fakeCreator{arn: testJobArn}, logger).Handle(context.Background(), p)
		var invalid *InvalidPayloadError
		if !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0].Field != FieldExecution {
			t.Errorf("%q: error = %v, want one %s field error", bad, err, FieldExecution)
		}
	}
}

// The payload's JSON key is the one the construct's task writes.
func TestPayloadExecutionKey(t *testing.T) {
	raw, err := json.Marshal(batch.CreateJobPayload{ExecutionArn: endedExecution})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m[batch.PayloadExecutionArnKey] != endedExecution {
		t.Errorf("payload JSON %s has no %q", raw, batch.PayloadExecutionArnKey)
	}
}
