package sfn

import (
	"encoding/json"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// loadMachines reads the stored state machines. One whose definition no
// longer validates (the interpreter became stricter) is kept, so it can be
// described, updated or deleted, but cannot start executions.
func (s *Service) loadMachines() error {
	if s.dir == nil {
		return nil
	}
	list, err := s.dir.load()
	if err != nil {
		return err
	}
	for _, m := range list {
		if m.Arn != s.machineArn(m.Name) {
			s.log.Warn("sfn: a stored state machine was made for another region or account; its ARN is kept",
				"stateMachineArn", m.Arn, "region", s.region, "account", s.account)
		}
		if err := s.compile(m); err != nil {
			m.broken = err
			s.log.Warn("sfn: a stored state machine no longer validates; executions cannot start until it is updated",
				"stateMachineArn", m.Arn, "error", err)
		}
		s.machines[m.Arn] = m
	}
	return nil
}

// storedExecution is the part of the interpreter's persisted execution
// record (asl.ExecutionRecord) the service reads before resuming: what the
// execution runs, and the task tokens its branches wait for.
type storedExecution struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	StateMachine    string          `json:"stateMachine"`
	RoleArn         string          `json:"roleArn"`
	Definition      json.RawMessage `json:"definition"`
	Status          string          `json:"status"`
	StartDate       time.Time       `json:"startDate"`
	Root            *storedBranch   `json:"root"`
}

type storedBranch struct {
	Token *struct {
		Token    string `json:"token"`
		Answered bool   `json:"answered"`
	} `json:"token"`
	Fan []*storedBranch `json:"fan"`
}

// tokens appends the unanswered task tokens of b and its sub-branches.
func (b *storedBranch) tokens(out []string) []string {
	if b == nil {
		return out
	}
	if b.Token != nil && !b.Token.Answered && b.Token.Token != "" {
		out = append(out, b.Token.Token)
	}
	for _, f := range b.Fan {
		out = f.tokens(out)
	}
	return out
}

// resume restores the stored executions: finished ones can be described,
// running ones continue. Before that it notes, per execution, the state
// machine version it runs and the task tokens it waits for.
func (s *Service) resume() error {
	if s.store == nil {
		return nil
	}
	records, err := s.store.Load()
	if err != nil {
		return err
	}
	for _, data := range records {
		var rec storedExecution
		if err := json.Unmarshal(data, &rec); err != nil || rec.ExecutionArn == "" {
			// Resume reports unreadable records itself.
			continue
		}
		s.ran[rec.ExecutionArn] = s.versionOf(rec)
		if rec.Status == asl.StatusRunning {
			for _, t := range rec.Root.tokens(nil) {
				s.restoring[t] = rec.ExecutionArn
			}
		}
	}
	n, err := s.engine.Resume()
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("sfn: resumed running executions", "count", n, "awaitingTaskTokens", len(s.restoring))
	}
	return nil
}

// versionOf finds the state machine version a stored execution runs: the
// current one when its definition and role are the same, otherwise one
// rebuilt from the record (whose update date is unknown, so the
// execution's start stands in for it).
func (s *Service) versionOf(rec storedExecution) *machine {
	def := string(rec.Definition)
	if m := s.machines[rec.StateMachineArn]; m != nil && sameDefinition(m.Definition, def) && m.RoleArn == rec.RoleArn {
		return m
	}
	return &machine{
		Name: rec.StateMachine, Arn: rec.StateMachineArn, RoleArn: rec.RoleArn, Type: typeStandard,
		Definition: def, CreationDate: rec.StartDate, UpdateDate: rec.StartDate,
	}
}
