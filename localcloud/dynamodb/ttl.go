package dynamodb

import (
	"time"
)

// SweepInterval is how often, in clock time, expired items are deleted.
// AWS deletes them within a few days; locally they go within a minute of
// the local cloud's clock (which may run faster than the wall clock).
const SweepInterval = time.Minute

// Start runs the TTL sweeper until Close.
func (s *Service) Start() {
	if s.stop != nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-s.opts.Clock.After(SweepInterval):
				s.Sweep()
			}
		}
	}(s.stop, s.done)
}

// Sweep deletes the items whose TTL attribute, a number of seconds since
// the epoch, is before the clock's now, in every table with TTL enabled.
// An attribute that is not a number never expires
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html).
func (s *Service) Sweep() int {
	now := mustNumber(itoa(s.now().Unix()))
	deleted := 0
	s.mu.RLock()
	tables := make([]*table, 0, len(s.tables))
	for _, t := range s.tables {
		tables = append(tables, t)
	}
	s.mu.RUnlock()
	for _, t := range tables {
		t.mu.Lock()
		if attr := t.meta.TTLAttribute; attr != "" {
			var expired []Item
			for _, it := range t.items {
				if v := it[attr]; v != nil && v.Type == "N" && mustNumber(v.Str).cmp(now) < 0 {
					expired = append(expired, it)
				}
			}
			for _, it := range expired {
				if err := t.delete(it); err != nil {
					s.opts.Logger.Error("dynamodb: deleting an expired item", "table", t.meta.Name, "error", err)
					break
				}
				deleted++
			}
		}
		t.mu.Unlock()
	}
	return deleted
}
