package runtime

import (
	"fmt"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// Limits are on-demand quotas per model, expressed as Bedrock expresses
// them: requests and tokens per minute. Zero is no limit.
type Limits struct {
	// RequestsPerMinute is the most InvokeModel and Converse calls a model
	// accepts in a minute.
	RequestsPerMinute int
	// TokensPerMinute is the most tokens a model processes in a minute.
	// A call counts its input tokens plus its max_tokens when it starts, as
	// Bedrock reserves them, and gives back what it did not generate when
	// it ends.
	TokensPerMinute int
}

// Check reports a negative limit.
func (l Limits) Check() error {
	if l.RequestsPerMinute < 0 || l.TokensPerMinute < 0 {
		return fmt.Errorf("on-demand limits of %d requests and %d tokens per minute: give 0 (no limit) or more",
			l.RequestsPerMinute, l.TokensPerMinute)
	}
	return nil
}

// limiter keeps one pair of buckets per model. Each bucket holds up to a
// minute's quota and refills continuously at the quota's rate, so a burst
// of a full minute's calls passes and then calls pass at the steady rate.
type limiter struct {
	limits Limits
	clock  clock.Clock

	mu     sync.Mutex
	models map[string]*buckets
}

type buckets struct {
	requests, tokens float64
	at               time.Time
}

func newLimiter(l Limits, c clock.Clock) *limiter {
	return &limiter{limits: l, clock: c, models: map[string]*buckets{}}
}

// take admits a call of up to tokens tokens to the model, or reports false
// when either quota is spent. A refused call takes nothing.
func (l *limiter) take(model string, tokens int) bool {
	if l.limits.RequestsPerMinute == 0 && l.limits.TokensPerMinute == 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(model)
	rpm, tpm := float64(l.limits.RequestsPerMinute), float64(l.limits.TokensPerMinute)
	if rpm > 0 && b.requests < 1 {
		return false
	}
	// A call larger than a whole minute's quota waits for a full bucket
	// rather than never passing.
	if tpm > 0 && b.tokens < min(float64(tokens), tpm) {
		return false
	}
	b.requests--
	b.tokens -= float64(tokens)
	return true
}

// giveBack returns tokens reserved by take but not used.
func (l *limiter) giveBack(model string, tokens int) {
	if l.limits.TokensPerMinute == 0 || tokens <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(model)
	b.tokens = min(b.tokens+float64(tokens), float64(l.limits.TokensPerMinute))
}

func (l *limiter) refill(model string) *buckets {
	now := l.clock.Now()
	b := l.models[model]
	if b == nil {
		b = &buckets{requests: float64(l.limits.RequestsPerMinute), tokens: float64(l.limits.TokensPerMinute), at: now}
		l.models[model] = b
		return b
	}
	if minutes := now.Sub(b.at).Minutes(); minutes > 0 {
		b.requests = min(b.requests+minutes*float64(l.limits.RequestsPerMinute), float64(l.limits.RequestsPerMinute))
		b.tokens = min(b.tokens+minutes*float64(l.limits.TokensPerMinute), float64(l.limits.TokensPerMinute))
		b.at = now
	}
	return b
}
