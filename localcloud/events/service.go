package events

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/recent"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// Options configures a Service.
type Options struct {
	// DataDir holds <DataDir>/events: rules.json, the pending deliveries
	// and the failed ones. Required.
	DataDir string
	// Region and Account make up ARNs and the events' envelope. Defaults
	// us-east-1 and 000000000000.
	Region, Account string
	// Deliverer sends events to targets. Required before Start.
	Deliverer Deliverer
	// Clock stamps events and times retries. Default the wall clock.
	Clock clock.Clock
	// RetryBaseDelay is the wait before the first retry; each retry waits
	// twice as long as the one before, up to RetryMaxDelay. Defaults 1 s
	// and 1 min.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// Logger receives failed deliveries. Default slog.Default().
	Logger *slog.Logger
	// DeadLetter, if set, receives the deliveries that failed for good to
	// targets with a dead-letter queue, to send them there.
	DeadLetter func(ctx context.Context, f FailedDelivery)
}

// EventBridge's defaults for a target's RetryPolicy.
const (
	DefaultMaximumRetryAttempts = 185
	DefaultMaximumEventAge      = 24 * time.Hour
)

// Service is the local EventBridge. Create it with New, serve it through
// the edge router, and call Start to deliver events.
type Service struct {
	opts    Options
	dir     string
	pending *spool.Spool
	failed  *spool.Spool

	mu      sync.RWMutex
	rules   map[string]*Rule
	tickers map[string]context.CancelFunc // by rule name: scheduled rules firing
	running context.Context
	wg      sync.WaitGroup
	recent  *recent.Ring[RecentEvent]

	busMu sync.RWMutex
	buses map[string]bool // custom event buses by name
}

// New opens the EventBridge state in opts.DataDir.
func New(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("events: Options.DataDir is required")
	}
	opts.Region = cmp.Or(opts.Region, awsproto.DefaultRegion)
	opts.Account = cmp.Or(opts.Account, awsproto.DefaultAccount)
	opts.Clock = cmp.Or[clock.Clock](opts.Clock, clock.Real{})
	opts.RetryBaseDelay = cmp.Or(opts.RetryBaseDelay, time.Second)
	opts.RetryMaxDelay = cmp.Or(opts.RetryMaxDelay, time.Minute)
	opts.Logger = cmp.Or(opts.Logger, slog.Default())
	dir := filepath.Join(opts.DataDir, "events")
	pending, err := spool.Open(filepath.Join(dir, "pending"))
	if err != nil {
		return nil, err
	}
	failed, err := spool.Open(filepath.Join(dir, "failed"))
	if err != nil {
		return nil, err
	}
	s := &Service{opts: opts, dir: dir, pending: pending, failed: failed, rules: map[string]*Rule{}, recent: newRecentEvents()}
	if err := s.loadRules(); err != nil {
		return nil, err
	}
	if err := s.loadBuses(); err != nil {
		return nil, err
	}
	return s, nil
}

// BusArn is the ARN of the default event bus.
func (s *Service) BusArn() string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/default", s.opts.Region, s.opts.Account)
}

func (s *Service) ruleArn(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", s.opts.Region, s.opts.Account, name)
}

// Start delivers the deliveries pending from before (an earlier process
// too) and every new one, until ctx is done.
func (s *Service) Start(ctx context.Context) error {
	if s.opts.Deliverer == nil {
		return errors.New("events: Options.Deliverer is required to deliver events")
	}
	s.mu.Lock()
	s.running = ctx
	for _, r := range s.rules {
		s.scheduleLocked(r)
	}
	s.mu.Unlock()
	ids, err := s.pending.IDs()
	if err != nil {
		return err
	}
	for _, id := range ids {
		var d delivery
		if err := s.pending.Get(id, &d); err != nil {
			s.opts.Logger.Error("events: unreadable pending delivery; skipped", "id", id, "error", err)
			continue
		}
		s.wg.Add(1)
		go s.deliver(ctx, d)
	}
	return nil
}

// Wait blocks until every delivery in progress has finished, or stopped
// because the Start context ended.
func (s *Service) Wait() { s.wg.Wait() }
