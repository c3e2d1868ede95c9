package events

import (
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/recent"
)

// RecentEvent is an event the bus accepted, with the rules it matched. The
// local cloud's console lists them: EventBridge has no API that does.
type RecentEvent struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Source     string    `json:"source"`
	DetailType string    `json:"detailType"`
	// Detail is the event's detail (JSON text), clipped to 4 KiB.
	Detail    string   `json:"detail"`
	Resources []string `json:"resources"`
	// Rules names the enabled rules whose pattern matched, sorted.
	Rules []string `json:"rules"`
}

// recentEvents is how many accepted events RecentEvents keeps.
const recentEvents = 200

// RecentEvents returns the last events accepted since the service opened,
// newest first. It is for the local cloud's own console, not an AWS API.
func (s *Service) RecentEvents() []RecentEvent { return s.recent.Newest() }

func newRecentEvents() *recent.Ring[RecentEvent] { return recent.New[RecentEvent](recentEvents) }
