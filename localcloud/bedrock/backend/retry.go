package backend

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff holds the retry policy shared by the openai and bedrock backends.
type backoff struct {
	retries int           // retries after the first attempt
	base    time.Duration // first delay
	max     time.Duration // longest computed delay
	// sleep waits d or until ctx ends; tests replace it to record delays.
	sleep func(ctx context.Context, d time.Duration) error
}

// Retry defaults.
const (
	defaultRetries     = 4
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 30 * time.Second
	// maxRetryAfter bounds a server's Retry-After, so that a misconfigured
	// server cannot park a job for hours.
	maxRetryAfter = 5 * time.Minute
)

func newBackoff(retries int, base, max time.Duration) backoff {
	switch {
	case retries == 0:
		retries = defaultRetries
	case retries < 0:
		retries = 0
	}
	if base <= 0 {
		base = defaultBackoffBase
	}
	if max <= 0 {
		max = defaultBackoffMax
	}
	if max < base {
		max = base
	}
	return backoff{retries: retries, base: base, max: max, sleep: sleepCtx}
}

// delay is the wait before retry number attempt (0 for the first retry):
// exponential from base, capped at max, with "equal jitter" (a random point
// in the upper half) so that concurrent records do not retry in lockstep.
// A positive retryAfter from the server wins.
func (b backoff) delay(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	d := b.base
	for i := 0; i < attempt && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
