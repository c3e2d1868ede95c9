package events

import (
	"context"
	"time"
)

// FailedDelivery is an event EventBridge gave up delivering to a target
// that has a dead-letter queue, with what the queue message's attributes
// report (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
type FailedDelivery struct {
	// DeadLetterArn is the target's DeadLetterConfig.Arn.
	DeadLetterArn string
	RuleArn       string
	TargetArn     string
	// Event is what the target was to receive.
	Event []byte
	// ErrorCode is RESOURCE_NOT_FOUND for a target that does not exist,
	// SDK_CLIENT_ERROR for any other failure.
	ErrorCode, ErrorMessage string
	// ExhaustedRetryCondition is MaximumRetryAttempts or
	// MaximumEventAgeInSeconds when the retries ran out, "" when the
	// failure could not be retried.
	ExhaustedRetryCondition string
	RetryAttempts           int
}

// deadLetter hands a delivery that failed for good to Options.DeadLetter
// when its target has a dead-letter queue.
func (s *Service) deadLetter(ctx context.Context, d delivery, err error, age time.Duration) {
	if s.opts.DeadLetter == nil || d.Target.DeadLetterArn == "" {
		return
	}
	ruleArn := s.ruleArn(d.Rule)
	s.mu.RLock()
	if r, ok := s.rules[d.Rule]; ok {
		ruleArn = r.Arn
	}
	s.mu.RUnlock()
	f := FailedDelivery{
		DeadLetterArn: d.Target.DeadLetterArn, RuleArn: ruleArn, TargetArn: d.Target.Arn, Event: []byte(d.Input),
		ErrorCode: "SDK_CLIENT_ERROR", ErrorMessage: err.Error(), RetryAttempts: d.Attempts - 1,
	}
	switch {
	case IsPermanent(err):
		f.ErrorCode = "RESOURCE_NOT_FOUND"
	case d.Attempts >= d.MaxAttempts:
		f.ExhaustedRetryCondition = "MaximumRetryAttempts"
	case age >= time.Duration(d.MaxAge)*time.Second:
		f.ExhaustedRetryCondition = "MaximumEventAgeInSeconds"
	}
	s.opts.DeadLetter(ctx, f)
}
