package handler

import "time"

// Clock tells time and waits. The handlers use the wall clock; the local
// cloud gives them its own, which can run many times faster, so that a
// reconciler's look-back or a stop's grace period pass in test time.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
