package bedrock

import (
	"context"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Event is a "Batch Inference Job State Change" event as Bedrock puts it on
// the default EventBridge bus.
type Event struct {
	Source     string // batch.EventSource
	DetailType string // batch.EventDetailType
	Account    string
	Region     string
	Time       time.Time
	Resources  []string // the job's ARN
	Detail     batch.JobStateChange
}

// EventSink receives the engine's events, in order for each job. Delivery is
// best effort: an error is logged and the job goes on, as a lost event is
// something the service's consumers must survive anyway.
type EventSink interface {
	Publish(ctx context.Context, ev Event) error
}

// EventSinkFunc adapts a function to an EventSink.
type EventSinkFunc func(ctx context.Context, ev Event) error

// Publish calls f.
func (f EventSinkFunc) Publish(ctx context.Context, ev Event) error { return f(ctx, ev) }

// discardEvents is the sink used when none is configured.
type discardEvents struct{}

func (discardEvents) Publish(context.Context, Event) error { return nil }
