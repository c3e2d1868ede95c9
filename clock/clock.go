// Package clock gives the local cloud, and the Lambda handlers it runs, a
// notion of time that tests and demos can compress: a batch job's 24-hour
// timeout, a state machine's Wait state, a reconciler's look-back or a stop's
// grace period can pass in seconds. Deployed handlers use Real.
package clock

import (
	"sync"
	"time"
)

// Clock tells time and waits. Every component of the local cloud, and every
// handler, that waits or stamps times takes one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d of this clock's time has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns the wall-clock time.
func (Real) Now() time.Time { return time.Now() }

// After waits d of wall-clock time.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scaled runs Factor times faster than the wall clock from the moment it is
// made: with Factor 3600 an hour passes in a second. Now stays continuous
// with the wall clock at the start.
type Scaled struct {
	Factor float64
	start  time.Time // wall-clock time at the start
	origin time.Time // the clock's own time at the start
}

// NewScaled returns a clock running factor times faster than real time.
// A factor below or equal to 1 yields real speed.
func NewScaled(factor float64) *Scaled {
	if factor < 1 {
		factor = 1
	}
	now := time.Now()
	return &Scaled{Factor: factor, start: now, origin: now}
}

// NewScaledFrom returns a clock running factor times faster than real time
// (real speed for a factor of 1 or less) whose time at the start is from:
// to go on from where an earlier clock stopped.
func NewScaledFrom(factor float64, from time.Time) *Scaled {
	s := NewScaled(factor)
	s.origin = from
	return s
}

// Now returns the scaled time.
func (s *Scaled) Now() time.Time {
	return s.origin.Add(time.Duration(float64(time.Since(s.start)) * s.Factor))
}

// After waits d of scaled time, that is d/Factor of wall-clock time.
func (s *Scaled) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(time.Duration(float64(d)/s.Factor), func() { ch <- s.Now() })
	return ch
}

// Manual is a clock that moves only when told to: for tests that must
// control exactly when timers fire.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewManual returns a manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// After returns a channel that fires once Advance has moved the clock d forward.
func (m *Manual) After(d time.Duration) <-chan time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- m.now
		return ch
	}
	m.waiters = append(m.waiters, waiter{at: m.now.Add(d), ch: ch})
	return ch
}

// Advance moves the clock forward by d and fires every timer now due.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if !w.at.After(m.now) {
			w.ch <- m.now
		} else {
			kept = append(kept, w)
		}
	}
	m.waiters = kept
}

// Waiters reports how many timers are pending, so a test can wait until a
// component has started waiting before it advances the clock.
func (m *Manual) Waiters() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.waiters)
}
