package events

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// Rule is a rule on the default bus or on a custom bus.
type Rule struct {
	Name string `json:"name"`
	// Bus is the custom bus of the rule; "" is the default bus.
	Bus          string `json:"bus,omitempty"`
	Arn          string `json:"arn"`
	EventPattern string `json:"eventPattern,omitempty"`
	// ScheduleExpression, rate(...) or cron(...), makes the rule fire on
	// the clock instead of (or besides) matching events.
	ScheduleExpression string    `json:"scheduleExpression,omitempty"`
	State              string    `json:"state"` // ENABLED or DISABLED
	Description        string    `json:"description,omitempty"`
	RoleArn            string    `json:"roleArn,omitempty"`
	Targets            []*Target `json:"targets,omitempty"`

	pattern  *Pattern
	schedule *schedule
}

// Target is where a rule sends matching events.
type Target struct {
	ID               string            `json:"id"`
	Arn              string            `json:"arn"`
	RoleArn          string            `json:"roleArn,omitempty"`
	Input            string            `json:"input,omitempty"`
	InputPath        string            `json:"inputPath,omitempty"`
	InputTransformer *InputTransformer `json:"inputTransformer,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"retryPolicy,omitempty"`
	DeadLetterArn    string            `json:"deadLetterArn,omitempty"`
}

// InputTransformer builds a target's input from parts of the event.
type InputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

// RetryPolicy bounds the retries of a delivery.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

// Rule states.
const (
	Enabled  = "ENABLED"
	Disabled = "DISABLED"
)

// ruleFile is the persisted form of the rules.
type ruleFile struct {
	Rules []*Rule `json:"rules"`
}

func (s *Service) rulesPath() string { return filepath.Join(s.dir, "rules.json") }

// loadRules reads the persisted rules (none on first start).
func (s *Service) loadRules() error {
	b, err := os.ReadFile(s.rulesPath())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read EventBridge rules: %w", err)
	}
	var f ruleFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("read EventBridge rules from %s: %w", s.rulesPath(), err)
	}
	for _, r := range f.Rules {
		if r.EventPattern != "" {
			p, err := ParsePattern(r.EventPattern)
			if err != nil {
				return fmt.Errorf("rule %s in %s: %w", r.Name, s.rulesPath(), err)
			}
			r.pattern = p
		}
		if r.ScheduleExpression != "" {
			sc, err := parseSchedule(r.ScheduleExpression)
			if err != nil {
				return fmt.Errorf("rule %s in %s: %w", r.Name, s.rulesPath(), err)
			}
			r.schedule = sc
		}
		s.rules[r.Name] = r
	}
	return nil
}

// saveRules persists the rules; the caller holds s.mu.
func (s *Service) saveRules() error {
	f := ruleFile{Rules: s.sortedRules()}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return spool.WriteFileAtomic(s.rulesPath(), b)
}

func (s *Service) sortedRules() []*Rule {
	out := make([]*Rule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
