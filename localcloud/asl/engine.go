package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// Execution statuses, as DescribeExecution reports them.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// DefaultMapConcurrency is how many iterations an inline Map state runs at
// once when its MaxConcurrency is 0, as Step Functions does.
const DefaultMapConcurrency = 40

// DefaultMaxHistoryEvents is Step Functions' limit on the events of one
// execution (standard workflows).
const DefaultMaxHistoryEvents = 25000

// Options configure an Engine. Only Invoker is required for definitions
// with Task states.
type Options struct {
	// Invoker runs Task states.
	Invoker Invoker
	// Clock measures waits, timeouts and event times. Default: the wall clock.
	Clock clock.Clock
	// Store persists executions so they survive a restart. Default: none.
	Store ExecutionStore
	// Region and Account build ARNs. Defaults: us-east-1, 123456789012.
	Region  string
	Account string
	// SkipWaits makes Wait states and the intervals between retries end at
	// once, without changing any result: for tests and command-line runs.
	// Task timeouts are still measured on Clock.
	SkipWaits bool
	// MapConcurrency bounds the iterations an inline Map runs at once when
	// its MaxConcurrency is 0. Default: DefaultMapConcurrency.
	MapConcurrency int
	// MaxHistoryEvents fails an execution whose history grows past it, as
	// Step Functions does at 25,000 events. 0 means DefaultMaxHistoryEvents;
	// a negative value means no limit.
	MaxHistoryEvents int
	// SyncPollInterval is how often a .sync task is polled. Default: 5s.
	SyncPollInterval time.Duration
	// StatusChanged, when set, is called when an execution starts
	// (RUNNING) and when it ends, with its description, in that order, as
	// Step Functions publishes its execution status change events. It runs
	// on the goroutine that changed the status, so it should not block.
	// Executions resumed after a restart do not start again.
	StatusChanged func(ExecutionInfo)
	// UUID and Random make States.UUID and States.MathRandom (without seed)
	// repeatable in tests. Defaults: random.
	UUID   func() string
	Random func(lo, hi int64) int64
}

// Engine runs state machine executions. It is safe for concurrent use.
type Engine struct {
	opts Options
	env  *evalEnv

	mu      sync.Mutex
	execs   map[string]*execution
	tokens  map[string]*pendingTask
	mapRuns map[string]*mapRun
}

// NewEngine returns an engine with the given options.
func NewEngine(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.MapConcurrency <= 0 {
		opts.MapConcurrency = DefaultMapConcurrency
	}
	if opts.MaxHistoryEvents == 0 {
		opts.MaxHistoryEvents = DefaultMaxHistoryEvents
	}
	if opts.SyncPollInterval <= 0 {
		opts.SyncPollInterval = 5 * time.Second
	}
	env := defaultEnv()
	if opts.UUID != nil {
		env.uuid = opts.UUID
	}
	if opts.Random != nil {
		env.random = opts.Random
	}
	return &Engine{opts: opts, env: env, execs: map[string]*execution{}, tokens: map[string]*pendingTask{}, mapRuns: map[string]*mapRun{}}
}

// StateMachine is a named, parsed definition that executions run.
type StateMachine struct {
	Name    string
	Arn     string
	RoleArn string
	// Source is the definition's JSON, kept for persistence.
	Source     json.RawMessage
	Definition *Definition
	// Version identifies this version of the state machine for its owner
	// (for example its last update); the engine does not read it, but
	// keeps it with each execution and reports it in ExecutionInfo.
	Version string
}

// NewStateMachine parses and validates a definition and names it. The ARN
// and role are derived from the engine's region and account.
func (e *Engine) NewStateMachine(name string, definition []byte) (*StateMachine, error) {
	def, err := Parse(definition)
	if err != nil {
		return nil, err
	}
	return &StateMachine{
		Name:       name,
		Arn:        fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", e.opts.Region, e.opts.Account, name),
		RoleArn:    fmt.Sprintf("arn:aws:iam::%s:role/%s-role", e.opts.Account, name),
		Source:     append(json.RawMessage(nil), definition...),
		Definition: def,
	}, nil
}

// StartInput describes an execution to start.
type StartInput struct {
	StateMachine *StateMachine
	// Name is the execution's name; default: a random UUID.
	Name string
	// Input is the execution's input JSON; default {}.
	Input json.RawMessage
	// Context is merged into the context object ($$) over the values the
	// engine sets, e.g. {"Execution": {"StartTime": "2026-01-01T00:00:00Z"}}.
	Context json.RawMessage
}

// ExecutionInfo is what DescribeExecution reports, with the state machine
// version the execution runs (DescribeStateMachineForExecution).
type ExecutionInfo struct {
	ExecutionArn    string
	StateMachineArn string
	// StateMachineName, StateMachineVersion, RoleArn and Definition are
	// those of the StateMachine the execution was started with, which a
	// later change of the state machine does not affect.
	StateMachineName    string
	StateMachineVersion string
	RoleArn             string
	Definition          json.RawMessage
	Name                string
	Status              string
	StartDate           time.Time
	StopDate            time.Time // zero while running
	Input               json.RawMessage
	Output              json.RawMessage // set when SUCCEEDED
	Error               string          // set when FAILED, TIMED_OUT or ABORTED
	Cause               string
	// MapRunArn is set for a child workflow execution of a distributed
	// Map: the Map Run that started it.
	MapRunArn string
}

// Start validates the input and starts an execution in the background. It
// returns the execution's ARN.
func (e *Engine) Start(in StartInput) (string, error) {
	if in.StateMachine == nil || in.StateMachine.Definition == nil {
		return "", fmt.Errorf("start execution: no state machine given")
	}
	name := in.Name
	if name == "" {
		name = newUUID()
	}
	if utf8.RuneCountInString(name) > 80 || strings.ContainsAny(name, " <>{}[]?*\"#%\\^|~`$&,;:/") {
		return "", fmt.Errorf("%w: %q must be 1-80 characters without spaces, brackets, wildcards or punctuation like :/\\", ErrInvalidName, name)
	}
	raw := in.Input
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	input, err := decodeValue(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidExecutionInput, err)
	}
	var overrides any
	if len(in.Context) > 0 {
		if overrides, err = decodeValue(in.Context); err != nil {
			return "", fmt.Errorf("%w: the context override is not valid JSON: %v", ErrInvalidExecutionInput, err)
		}
	}
	x, err := e.launch(in.StateMachine, name, input, overrides, "")
	if err != nil {
		return "", err
	}
	return x.rec.ExecutionArn, nil
}

// launch creates and starts an execution of sm with a decoded input.
// mapRunArn is set for the child workflow executions of a distributed Map.
func (e *Engine) launch(sm *StateMachine, name string, input, overrides any, mapRunArn string) (*execution, error) {
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", e.opts.Region, e.opts.Account, sm.Name, name)
	now := e.opts.Clock.Now()
	x := &execution{
		engine: e,
		sm:     sm,
		rec: &executionRecord{
			ExecutionArn:    arn,
			StateMachineArn: sm.Arn,
			StateMachine:    sm.Name,
			RoleArn:         sm.RoleArn,
			Definition:      sm.Source,
			Version:         sm.Version,
			Name:            name,
			Status:          StatusRunning,
			StartDate:       now,
			Input:           input,
			Context:         overrides,
			MapRunArn:       mapRunArn,
			Root:            &branchState{ID: 1, State: sm.Definition.StartAt, Input: input},
		},
		journal: journalState{nextID: 1, header: true, replace: true},
		done:    make(chan struct{}),
	}
	e.mu.Lock()
	if _, dup := e.execs[arn]; dup {
		e.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrExecutionAlreadyExists, arn)
	}
	e.execs[arn] = x
	e.mu.Unlock()
	x.rec.Root.Last = x.emit(0, HistoryEvent{Type: "ExecutionStarted", ExecutionStartedEventDetails: &ExecutionStartedDetails{
		Input: encodeText(input), RoleArn: sm.RoleArn,
	}})
	if f := e.opts.StatusChanged; f != nil {
		f(x.info())
	}
	x.start()
	return x, nil
}

func (e *Engine) lookup(arn string) (*execution, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.execs[arn]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrExecutionDoesNotExist, arn)
	}
	return x, nil
}

// Describe reports an execution's status and, once it has ended, its output
// or error.
func (e *Engine) Describe(arn string) (ExecutionInfo, error) {
	x, err := e.lookup(arn)
	if err != nil {
		return ExecutionInfo{}, err
	}
	return x.info(), nil
}

// Wait blocks until the execution ends or ctx is done, and describes it.
func (e *Engine) Wait(ctx context.Context, arn string) (ExecutionInfo, error) {
	x, err := e.lookup(arn)
	if err != nil {
		return ExecutionInfo{}, err
	}
	select {
	case <-x.done:
		return x.info(), nil
	case <-ctx.Done():
		return x.info(), ctx.Err()
	}
}

// Stop aborts a running execution with an optional error and cause: running
// branches and tasks are cancelled (an Invoker sees its context cancelled)
// and pending task tokens stop being valid. Stopping an execution that has
// already ended does nothing.
func (e *Engine) Stop(arn, errName, cause string) (ExecutionInfo, error) {
	x, err := e.lookup(arn)
	if err != nil {
		return ExecutionInfo{}, err
	}
	x.finish(StatusAborted, nil, &Error{Name: errName, Cause: cause})
	<-x.done
	return x.info(), nil
}

// History returns the execution's events so far, oldest first.
func (e *Engine) History(arn string) ([]HistoryEvent, error) {
	x, err := e.lookup(arn)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	rec, err := x.fullLocked()
	if err != nil {
		return nil, err
	}
	return append([]HistoryEvent(nil), rec.History...), nil
}

// Executions describes the executions of a state machine (every execution
// the engine knows when stateMachineArn is ""), newest first. Only their
// metadata is filled in: Input, Output and Definition are left out, so a
// listing costs no copies of the executions' data.
func (e *Engine) Executions(stateMachineArn string) []ExecutionInfo {
	e.mu.Lock()
	list := make([]*execution, 0, len(e.execs))
	for _, x := range e.execs {
		if stateMachineArn == "" || x.sm.Arn == stateMachineArn {
			list = append(list, x)
		}
	}
	e.mu.Unlock()
	out := make([]ExecutionInfo, len(list))
	for i, x := range list {
		out[i] = x.metadata()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartDate.After(out[j].StartDate) })
	return out
}

// Close cancels every running execution without recording an end, so that
// executions persisted in the Store can be resumed by another engine.
func (e *Engine) Close() {
	e.mu.Lock()
	list := make([]*execution, 0, len(e.execs))
	for _, x := range e.execs {
		list = append(list, x)
	}
	e.mu.Unlock()
	for _, x := range list {
		x.shutdown()
	}
}
