package events

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// schedule is a parsed ScheduleExpression: when a scheduled rule fires.
type schedule struct {
	every time.Duration // rate(...)
	cron  cron.Schedule // cron(...), in UTC
}

// next is the first firing time after t.
func (sc *schedule) next(t time.Time) time.Time {
	if sc.cron != nil {
		return sc.cron.Next(t.UTC())
	}
	return t.Add(sc.every)
}

var ratePattern = regexp.MustCompile(`^rate\(\s*([0-9]+)\s+(minute|minutes|hour|hours|day|days)\s*\)$`)

// parseSchedule reads EventBridge's rate(value unit) and
// cron(minutes hours day-of-month month day-of-week year). Cron's L, W and
// # and a year other than * are not run by the local cloud and are
// refused with a message saying so.
func parseSchedule(expr string) (*schedule, error) {
	if m := ratePattern.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: the value must be a positive whole number", expr)
		}
		singular := !strings.HasSuffix(m[2], "s")
		if (n == 1) != singular {
			return nil, fmt.Errorf("%q: write rate(1 %s) for one unit and the plural for more", expr, strings.TrimSuffix(m[2], "s"))
		}
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		return &schedule{every: time.Duration(n) * unit}, nil
	}
	if body, ok := strings.CutPrefix(expr, "cron("); ok && strings.HasSuffix(body, ")") {
		return parseCron(strings.TrimSuffix(body, ")"))
	}
	return nil, fmt.Errorf("%q is neither rate(value unit) nor cron(minutes hours day-of-month month day-of-week year)", expr)
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

var dowNumber = regexp.MustCompile(`[0-9]+`)

func parseCron(body string) (*schedule, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron(%s) has %d fields; EventBridge's has 6: minutes hours day-of-month month day-of-week year", body, len(f))
	}
	if f[2] != "?" && f[4] != "?" {
		return nil, fmt.Errorf("cron(%s): one of day-of-month and day-of-week must be ?", body)
	}
	if strings.ContainsAny(f[2]+f[4], "LW#") || f[5] != "*" {
		return nil, fmt.Errorf("cron(%s): L, W, # and a year other than * are not run by the local cloud", body)
	}
	// EventBridge numbers days of the week 1 (Sunday) to 7; the parser 0 to 6.
	var bad error
	dow := dowNumber.ReplaceAllStringFunc(f[4], func(s string) string {
		n, _ := strconv.Atoi(s)
		if n < 1 || n > 7 {
			bad = fmt.Errorf("cron(%s): day-of-week %d is not 1 (Sunday) to 7", body, n)
		}
		return strconv.Itoa(n - 1)
	})
	if bad != nil {
		return nil, bad
	}
	sc, err := cronParser.Parse(strings.Join([]string{f[0], f[1], f[2], f[3], dow}, " "))
	if err != nil {
		return nil, fmt.Errorf("cron(%s): %v", body, err)
	}
	return &schedule{cron: sc}, nil
}

// scheduleLocked (re)starts the ticker of rule r when the service runs and
// the rule has a schedule, stopping the one it replaces. The caller holds
// s.mu for writing.
func (s *Service) scheduleLocked(r *Rule) {
	s.unscheduleLocked(r.Name)
	if r.schedule == nil || s.running == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.running)
	if s.tickers == nil {
		s.tickers = map[string]context.CancelFunc{}
	}
	s.tickers[r.Name] = cancel
	s.wg.Add(1)
	go s.tick(ctx, r.Name, r.ScheduleExpression, r.schedule)
}

// unscheduleLocked stops the ticker of the rule called name, if any.
func (s *Service) unscheduleLocked(name string) {
	if cancel, ok := s.tickers[name]; ok {
		cancel()
		delete(s.tickers, name)
	}
}

// tick fires the rule at each time of its schedule, on the service's
// clock, until ctx ends. A time missed (the process was busy) is skipped,
// as EventBridge does not fire a schedule twice to catch up.
func (s *Service) tick(ctx context.Context, name, expr string, sc *schedule) {
	defer s.wg.Done()
	next := sc.next(s.opts.Clock.Now())
	for {
		select {
		case <-s.opts.Clock.After(next.Sub(s.opts.Clock.Now())):
		case <-ctx.Done():
			return
		}
		s.fire(name, expr, next)
		now := s.opts.Clock.Now()
		for next = sc.next(next); !next.After(now); next = sc.next(next) {
		}
	}
}

// fire sends a "Scheduled Event" to the targets of the rule, if it still
// has the schedule expr and is enabled.
func (s *Service) fire(name, expr string, at time.Time) {
	s.mu.RLock()
	r := s.rules[name]
	if r == nil || r.ScheduleExpression != expr || r.State != Enabled {
		s.mu.RUnlock()
		return
	}
	id := newEventID()
	envelope := map[string]any{
		"version": "0", "id": id, "detail-type": "Scheduled Event", "source": "aws.events",
		"account": s.opts.Account, "time": at.UTC().Format(time.RFC3339), "region": s.opts.Region,
		"resources": []string{r.Arn}, "detail": map[string]any{},
	}
	eventJSON, _ := json.Marshal(envelope)
	plain := map[string]any{}
	_ = json.Unmarshal(eventJSON, &plain)
	deliveries := s.deliveriesLocked(r, id, plain, eventJSON)
	running := s.running
	s.mu.RUnlock()
	if err := s.dispatch(running, deliveries); err != nil {
		s.opts.Logger.Error("events: a scheduled event could not be stored for delivery", "rule", name, "error", err)
	}
}
