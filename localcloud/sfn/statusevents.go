package sfn

import (
	"context"
	"encoding/json"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// EventPublisher puts one event on the default event bus. The local cloud
// passes one that calls EventBridge's PutEvents, so status changes reach
// rules the way Step Functions' own events do.
type EventPublisher interface {
	PutEvent(ctx context.Context, source, detailType string, resources []string, detail []byte) error
}

// maxEventData is how much execution input and output an event carries;
// past it they are left out and marked as not included, since an event
// holds at most 256 KiB.
const maxEventData = 240 << 10

// statusChanged publishes an execution's "Step Functions Execution Status
// Change" event.
func (s *Service) statusChanged(info asl.ExecutionInfo) {
	d := batch.ExecutionStatusChange{
		ExecutionArn: info.ExecutionArn, StateMachineArn: info.StateMachineArn, Name: info.Name,
		Status: batch.ExecutionStatus(info.Status), StartDate: info.StartDate.UnixMilli(),
		Input: string(info.Input), InputDetails: &batch.DataDetails{Included: true},
	}
	if len(info.Input) > maxEventData {
		d.Input, d.InputDetails.Included = "", false
	}
	if !info.StopDate.IsZero() {
		stop := info.StopDate.UnixMilli()
		d.StopDate = &stop
	}
	if info.Status == asl.StatusSucceeded {
		out := string(info.Output)
		d.Output, d.OutputDetails = &out, &batch.DataDetails{Included: true}
		if len(out) > maxEventData {
			d.Output, d.OutputDetails.Included = nil, false
		}
	}
	if info.Error != "" || info.Cause != "" {
		d.Error, d.Cause = &info.Error, &info.Cause
	}
	detail, err := json.Marshal(d)
	if err == nil {
		err = s.events.PutEvent(context.Background(), batch.ExecutionEventSource, batch.ExecutionEventDetailType,
			[]string{info.ExecutionArn}, detail)
	}
	if err != nil {
		s.log.Error("sfn: the execution status change event could not be published", "executionArn", info.ExecutionArn,
			"status", info.Status, "error", err)
	}
}
