package localcloud

import (
	"context"
	"log/slog"
	"math/rand/v2"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// dropEvents loses the share rate of the events published to next, to
// show what a deployed app does when EventBridge never delivers an event
// (it delivers at least once, but a target can stay unreachable). With
// rate 0 it is next itself.
func dropEvents(rate float64, next bedrock.EventSink, logger *slog.Logger) bedrock.EventSink {
	if rate <= 0 {
		return next
	}
	return bedrock.EventSinkFunc(func(ctx context.Context, ev bedrock.Event) error {
		if rand.Float64() < rate {
			logger.Info("bedrock: event dropped (--drop-events)", "jobArn", ev.Detail.BatchJobArn, "status", string(ev.Detail.Status))
			return nil
		}
		return next.Publish(ctx, ev)
	})
}
