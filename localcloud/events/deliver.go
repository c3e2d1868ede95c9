package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Deliverer sends a target its input. An error wrapped by Permanent is not
// retried; any other error is, per the target's retry policy.
type Deliverer interface {
	Deliver(ctx context.Context, target Target, input []byte) error
}

// DelivererFunc adapts a function to a Deliverer.
type DelivererFunc func(ctx context.Context, target Target, input []byte) error

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, target Target, input []byte) error {
	return f(ctx, target, input)
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks a delivery error as not worth retrying.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanentError)) }

// LambdaInvoker is the part of the Lambda SDK client LambdaDeliverer uses.
type LambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// LambdaDeliverer delivers to Lambda function targets the way EventBridge
// does: an asynchronous (Event) invocation through the Lambda API.
type LambdaDeliverer struct {
	Client LambdaInvoker
}

// Deliver invokes the target function asynchronously. A target that is not
// a Lambda function, or a function that does not exist, fails permanently.
func (d LambdaDeliverer) Deliver(ctx context.Context, target Target, input []byte) error {
	if !strings.HasPrefix(target.Arn, "arn:") || !strings.Contains(target.Arn, ":lambda:") {
		return Permanent(fmt.Errorf("target %s (%s) is not a Lambda function; the local cloud delivers only to Lambda targets", target.ID, target.Arn))
	}
	_, err := d.Client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(target.Arn),
		InvocationType: lambdatypes.InvocationTypeEvent,
		Payload:        input,
	})
	var nf *lambdatypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return Permanent(err)
	}
	return err
}

// delivery is one (event, target) pair waiting to be delivered.
type delivery struct {
	ID          string    `json:"id"`
	EventID     string    `json:"eventId"`
	Rule        string    `json:"rule"`
	Target      Target    `json:"target"`
	Input       string    `json:"input"`
	Accepted    time.Time `json:"accepted"`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"maxAttempts"` // including the first
	MaxAge      int64     `json:"maxAgeSeconds"`
	LastError   string    `json:"lastError,omitempty"`
}

// deliver makes the delivery's remaining attempts. It returns early,
// leaving the delivery spooled, when ctx ends.
func (s *Service) deliver(ctx context.Context, d delivery) {
	defer s.wg.Done()
	log := s.opts.Logger.With("event_id", d.EventID, "rule", d.Rule, "target", d.Target.ID)
	for {
		if d.Attempts > 0 {
			select {
			case <-s.opts.Clock.After(s.backoff(d.Attempts)):
			case <-ctx.Done():
				return
			}
		}
		err := s.opts.Deliverer.Deliver(ctx, d.Target, []byte(d.Input))
		if ctx.Err() != nil {
			return
		}
		d.Attempts++
		if err == nil {
			if rerr := s.pending.Remove(d.ID); rerr != nil {
				log.Error("events: delivered event stays spooled and may be delivered again", "error", rerr)
			}
			return
		}
		d.LastError = err.Error()
		age := s.opts.Clock.Now().Sub(d.Accepted)
		if IsPermanent(err) || d.Attempts >= d.MaxAttempts || age >= time.Duration(d.MaxAge)*time.Second {
			log.Error("events: delivery failed for good; kept in the failed directory",
				"attempts", d.Attempts, "dir", s.failed.Dir(), "error", err)
			if perr := s.failed.Put(d.ID, d); perr == nil {
				_ = s.pending.Remove(d.ID)
			}
			s.deadLetter(ctx, d, err, age)
			return
		}
		log.Warn("events: delivery failed; will retry", "attempt", d.Attempts, "error", err)
		if perr := s.pending.Put(d.ID, d); perr != nil {
			log.Error("events: cannot record the failed attempt", "error", perr)
		}
	}
}

// backoff is the wait before retry n (1-based): exponential, capped.
func (s *Service) backoff(n int) time.Duration {
	d := s.opts.RetryBaseDelay
	for i := 1; i < n && d < s.opts.RetryMaxDelay; i++ {
		d *= 2
	}
	return min(d, s.opts.RetryMaxDelay)
}
