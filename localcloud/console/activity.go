package console

import (
	"net/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// activity lists the recent EventBridge events and Lambda invocations,
// newest first.
func (h *handler) activity(*http.Request) (any, error) {
	evs, invs := []events.RecentEvent{}, []lambda.Invocation{}
	if h.opts.Events != nil {
		evs = append(evs, h.opts.Events.RecentEvents()...)
	}
	if h.opts.Invocations != nil {
		invs = append(invs, h.opts.Invocations.RecentInvocations()...)
	}
	return map[string]any{"events": evs, "invocations": invs}, nil
}
