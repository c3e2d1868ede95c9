package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// executionRecord is the execution-level part of an execution as the
// store keeps it: what it runs and how it ended. Its branches and history
// are journaled separately (see persist.go).
type executionRecord struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	StateMachine    string          `json:"stateMachine"`
	RoleArn         string          `json:"roleArn"`
	Definition      json.RawMessage `json:"definition"`
	Version         string          `json:"version,omitempty"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	StartDate       time.Time       `json:"startDate"`
	StopDate        time.Time       `json:"stopDate,omitzero"`
	Input           any             `json:"input"`
	Output          any             `json:"output,omitempty"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	Context         any             `json:"context,omitempty"`
	// MapRunArn is set on the child workflow executions of a distributed
	// Map: the Map Run that started them.
	MapRunArn string         `json:"mapRunArn,omitempty"`
	Root      *branchState   `json:"-"`
	History   []HistoryEvent `json:"-"`
}

// branchState is where one thread of states (the execution, a Parallel
// branch or a Map iteration) is: the state it is in and that state's raw
// input, with what the state has done so far.
type branchState struct {
	// ID identifies the branch in the journal; the branches of one fan-out
	// have consecutive IDs.
	ID      int64     `json:"id"`
	State   string    `json:"state"`
	Input   any       `json:"input"`
	Entered time.Time `json:"entered,omitzero"`
	// EnteredID is the id of the current state's entered event, which
	// the causes of the interpreter's own errors cite.
	EnteredID int64 `json:"enteredId,omitempty"`
	// RetryCount counts the retries of the current state visit; Attempts
	// counts them per retrier.
	RetryCount int   `json:"retryCount,omitempty"`
	Attempts   []int `json:"attempts,omitempty"`
	// Token is set while a Task waits for its task token.
	Token *tokenWait `json:"token,omitempty"`
	// WaitUntil is set while a Wait state waits.
	WaitUntil time.Time `json:"waitUntil,omitzero"`
	// Fan holds the branches or iterations of a running Parallel or Map.
	// The journal records it as FanFirst (the first branch's ID) and FanLen.
	Fan      []*branchState `json:"-"`
	FanFirst int64          `json:"fanFirst,omitempty"`
	FanLen   int            `json:"fanLen,omitempty"`
	// Done, Output and Err record how a fanned-out branch ended.
	Done   bool   `json:"done,omitempty"`
	Output any    `json:"output,omitempty"`
	Err    *Error `json:"err,omitempty"`
	// Last is the id of this branch's latest event, the previousEventId of
	// its next one.
	Last int64 `json:"last"`
	// Vars holds the variables assigned so far (JSONata mode's Assign);
	// a branch starts with a copy of its parent's.
	Vars map[string]any `json:"vars,omitempty"`
	// FanEnded is set, with the Map's or Parallel's end event, once its
	// branches have ended; Fan stays until the state is left, so that a
	// restart there neither runs them again nor repeats the event.
	FanEnded bool `json:"fanEnded,omitempty"`
	// RunStarted is set, with a distributed Map's MapRunStarted event,
	// once its Map Run has started.
	RunStarted bool `json:"runStarted,omitempty"`

	// exit is the StateExited event of the state just run, added to the
	// history together with the branch's next step (see flushExitLocked),
	// so that a save never holds one without the other.
	exit *HistoryEvent
	// assigned holds the values a JSONPath-mode state's Assign computed,
	// set as variables once the state has its output (every path of the
	// state reads the values it entered with).
	assigned map[string]any
}

// copyVars copies a variable scope for a new branch.
func copyVars(v map[string]any) map[string]any {
	if len(v) == 0 {
		return nil
	}
	out := make(map[string]any, len(v))
	for k, val := range v {
		out[k] = val
	}
	return out
}

// tokenWait is a .waitForTaskToken Task from the moment its token exists
// until it is answered or gives up. It is saved before the resource is
// called, so that a restarted engine calls it again with the same token
// (Submitted false) or keeps waiting for that token (Submitted true).
type tokenWait struct {
	Token            string    `json:"token"`
	Resource         string    `json:"resource"`
	Deadline         time.Time `json:"deadline,omitzero"`
	TimeoutSeconds   int64     `json:"timeoutSeconds,omitempty"`
	HeartbeatSeconds int64     `json:"heartbeatSeconds,omitempty"`
	LastHeartbeat    time.Time `json:"lastHeartbeat"`
	// Input is the call's effective input, kept until the resource has
	// accepted the call so that the call can be repeated.
	Input json.RawMessage `json:"input,omitempty"`
	// Submitted is set once the resource returned.
	Submitted bool `json:"submitted,omitempty"`
	// Answered is set, with the answer, once SendTaskSuccess or
	// SendTaskFailure was accepted; Recorded once the answer's history
	// event is there.
	Answered bool   `json:"answered,omitempty"`
	Recorded bool   `json:"recorded,omitempty"`
	Output   any    `json:"output,omitempty"`
	Err      *Error `json:"err,omitempty"`

	// pending is the engine's registration of the token.
	pending *pendingTask
}

// errCancelled ends a branch whose execution was stopped or shut down.
var errCancelled = &Error{Name: "States.Cancelled"}

type execution struct {
	engine *Engine
	sm     *StateMachine

	mu  sync.Mutex
	rec *executionRecord
	// journal tracks what of rec is saved (persist.go); guarded by mu.
	journal journalState
	// saveMu orders saves: taken before mu, never while holding it.
	saveMu sync.Mutex

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	closed bool
	// detached is set when the engine shut down: the goroutines still
	// unwinding must not change the record any more.
	detached bool
	// overLimit is the failure recorded once the history reached
	// MaxHistoryEvents; it replaces whatever end the execution reaches.
	overLimit *Error
	// evicted is set once an ended child execution of a Map Run keeps only
	// its metadata in memory (evict.go).
	evicted bool

	// static and times keep what context objects repeat (contextObject).
	static struct {
		once     sync.Once
		exec, sm map[string]any
	}
	times struct {
		sync.Mutex
		last [2]formattedTime
		next int
	}
}

func (x *execution) start() {
	if x.ctx == nil { // Resume made it already, to register task tokens
		x.ctx, x.cancel = context.WithCancel(context.Background())
	}
	if x.done == nil {
		x.done = make(chan struct{})
	}
	_ = x.checkpoint() // failures are retried, whole, at the next save
	if t := x.sm.Definition.TimeoutSeconds; t != nil {
		left := x.rec.StartDate.Add(time.Duration(*t) * time.Second).Sub(x.now())
		go func() {
			select {
			case <-x.engine.opts.Clock.After(left):
				x.finish(StatusTimedOut, nil, &Error{Name: ErrTimeout, Cause: "The execution timed out"})
			case <-x.ctx.Done():
			}
		}()
	}
	go x.run()
}

func (x *execution) run() {
	out, err := x.runBranch(x.ctx, x.rec.Root, x.sm.Definition)
	if err == errCancelled {
		return
	}
	if err != nil {
		x.finish(StatusFailed, nil, err)
		return
	}
	x.finish(StatusSucceeded, out, nil)
}

func (x *execution) now() time.Time { return x.engine.opts.Clock.Now() }

// finish records the end of the execution once, with its terminal event.
func (x *execution) finish(status string, output any, err *Error) {
	x.mu.Lock()
	if x.rec.Status != StatusRunning {
		x.mu.Unlock()
		return
	}
	if status == StatusSucceeded {
		x.flushExitLocked(x.rec.Root)
	}
	if x.overLimit != nil && (status == StatusSucceeded || status == StatusFailed) {
		status, output, err = StatusFailed, nil, x.overLimit
	}
	x.rec.Status = status
	x.rec.StopDate = x.now()
	ev := HistoryEvent{}
	switch status {
	case StatusSucceeded:
		x.rec.Output = output
		ev.Type = "ExecutionSucceeded"
		ev.ExecutionSucceededEventDetails = &OutputDetails{Output: encodeText(output)}
	case StatusFailed:
		ev.Type = "ExecutionFailed"
		ev.ExecutionFailedEventDetails = &FailureDetails{Error: err.Name, Cause: err.Cause}
	case StatusTimedOut:
		ev.Type = "ExecutionTimedOut"
		ev.ExecutionTimedOutEventDetails = &FailureDetails{Error: err.Name, Cause: err.Cause}
	case StatusAborted:
		ev.Type = "ExecutionAborted"
		ev.ExecutionAbortedEventDetails = &FailureDetails{Error: err.Name, Cause: err.Cause}
	}
	if err != nil {
		x.rec.Error, x.rec.Cause = err.Name, err.Cause
	}
	x.emitLocked(x.lastEventLocked(), ev)
	x.journal.header = true
	x.mu.Unlock()
	x.cancel()
	// A failed save leaves the execution to be resumed and end again.
	saved := x.checkpoint() == nil
	if f := x.engine.opts.StatusChanged; f != nil {
		f(x.info())
	}
	// A saved child of a Map Run needs no more than its metadata in memory.
	if saved && x.engine.opts.Store != nil {
		x.mu.Lock()
		x.evictLocked()
		x.mu.Unlock()
	}
	x.closeDone()
}

// shutdown stops the goroutines without recording an end.
func (x *execution) shutdown() {
	x.mu.Lock()
	x.detached = true
	x.mu.Unlock()
	x.cancel()
	x.closeDone()
}

func (x *execution) closeDone() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.closed {
		x.closed = true
		close(x.done)
	}
}

func (x *execution) lastEventLocked() int64 {
	if n := len(x.rec.History); n > 0 {
		return x.rec.History[n-1].ID
	}
	return 0
}

// metadata describes the execution without its input, output and
// definition.
func (x *execution) metadata() ExecutionInfo {
	x.mu.Lock()
	defer x.mu.Unlock()
	r := x.rec
	return ExecutionInfo{
		ExecutionArn: r.ExecutionArn, StateMachineArn: r.StateMachineArn, StateMachineName: r.StateMachine,
		StateMachineVersion: r.Version, RoleArn: r.RoleArn, Name: r.Name, Status: r.Status,
		StartDate: r.StartDate, StopDate: r.StopDate, Error: r.Error, Cause: r.Cause, MapRunArn: r.MapRunArn,
	}
}

func (x *execution) info() ExecutionInfo {
	x.mu.Lock()
	defer x.mu.Unlock()
	r, err := x.fullLocked()
	if err != nil {
		// The store lost the journal: report what is in memory.
		r = x.rec
	}
	return infoOf(r)
}

// infoOf describes an execution record.
func infoOf(r *executionRecord) ExecutionInfo {
	info := ExecutionInfo{
		ExecutionArn:        r.ExecutionArn,
		StateMachineArn:     r.StateMachineArn,
		StateMachineName:    r.StateMachine,
		StateMachineVersion: r.Version,
		RoleArn:             r.RoleArn,
		Definition:          r.Definition,
		Name:                r.Name,
		Status:              r.Status,
		StartDate:           r.StartDate,
		StopDate:            r.StopDate,
		Input:               encodeValue(r.Input),
		Error:               r.Error,
		Cause:               r.Cause,
		MapRunArn:           r.MapRunArn,
	}
	if r.Status == StatusSucceeded {
		info.Output = encodeValue(r.Output)
	}
	return info
}

// emit appends an event after prev and returns its id.
func (x *execution) emit(prev int64, ev HistoryEvent) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.emitLocked(prev, ev)
}

func (x *execution) emitLocked(prev int64, ev HistoryEvent) int64 {
	if x.detached {
		return prev
	}
	if limit := x.engine.opts.MaxHistoryEvents; limit > 0 && len(x.rec.History) >= limit && x.rec.Status == StatusRunning && x.overLimit == nil {
		// Only the terminal event may pass the limit.
		x.overLimit = newError(ErrRuntime, "The execution reached the maximum number of history events (%d).", limit)
		go x.finish(StatusFailed, nil, x.overLimit)
	}
	if x.overLimit != nil && x.rec.Status == StatusRunning {
		return prev
	}
	if x.rec.Status != StatusRunning && !strings.HasPrefix(ev.Type, "Execution") {
		// Branches still unwinding after the end add nothing.
		return prev
	}
	ev.ID = int64(len(x.rec.History)) + 1
	ev.PreviousEventID = prev
	ev.Timestamp = x.now()
	x.rec.History = append(x.rec.History, ev)
	return ev.ID
}

// reserveHistoryLocked makes room for n more events (an estimate: a Map's
// iterations add a known number each unless they loop or retry), so that
// the history grows once instead of doubling, and copying, along the way.
// Callers hold x.mu.
func (x *execution) reserveHistoryLocked(n int) {
	if limit := x.engine.opts.MaxHistoryEvents; limit > 0 {
		n = min(n, limit-len(x.rec.History))
	}
	if n > 0 {
		x.rec.History = slices.Grow(x.rec.History, n)
	}
}

// emitWith appends events to b's chain and runs f (which changes b), in
// one step for saves: a save holds either both or neither.
func (x *execution) emitWith(b *branchState, f func(), events ...HistoryEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.detached {
		return
	}
	for _, ev := range events {
		b.Last = x.emitLocked(b.Last, ev)
	}
	if f != nil {
		f()
	}
	x.markLocked(b)
}

// flushExitLocked adds the exit event the branch's last state left.
// Callers hold x.mu.
func (x *execution) flushExitLocked(b *branchState) {
	if b.exit != nil {
		b.Last = x.emitLocked(b.Last, *b.exit)
		b.exit = nil
		x.markLocked(b)
	}
}

// branchEmit appends an event to a branch's chain.
func (x *execution) branchEmit(b *branchState, ev HistoryEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	b.Last = x.emitLocked(b.Last, ev)
	x.markLocked(b)
}

// update changes branch b under the execution's lock, so saves see
// consistent values, and marks it for the next save.
func (x *execution) update(b *branchState, f func()) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.detached {
		f()
		x.markLocked(b)
	}
}

// read runs f under the execution's lock, to read what other goroutines
// change.
func (x *execution) read(f func()) {
	x.mu.Lock()
	defer x.mu.Unlock()
	f()
}

// runBranch runs states from b's current state until one ends the branch.
func (x *execution) runBranch(ctx context.Context, b *branchState, def *Definition) (any, *Error) {
	for {
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		st := def.States[b.State]
		next, out, err := x.runState(ctx, b, st)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		x.update(b, func() {
			x.flushExitLocked(b)
			b.State, b.Input = next, out
			b.Entered, b.EnteredID = time.Time{}, 0
			b.RetryCount, b.Attempts, b.Fan, b.FanEnded, b.RunStarted = 0, nil, nil, false, false
			b.Token, b.WaitUntil = nil, time.Time{}
		})
	}
}

// contextObject builds $$ for a state.
func (x *execution) contextObject(b *branchState, st *State, token string, item *mapItem) any {
	r := x.rec
	execCtx, smCtx := x.staticContext()
	ctx := map[string]any{
		"Execution":    execCtx,
		"StateMachine": smCtx,
		"State": map[string]any{
			"Name":        st.Name,
			"EnteredTime": x.timeText(b.Entered),
			"RetryCount":  intValue(int64(b.RetryCount)),
		},
	}
	if token != "" {
		ctx["Task"] = map[string]any{"Token": token}
	}
	if item != nil {
		ctx["Map"] = map[string]any{"Item": map[string]any{"Index": intValue(int64(item.index)), "Value": item.value}}
	}
	if r.Context != nil {
		return mergeContext(ctx, r.Context)
	}
	return ctx
}

// staticContext returns the parts of $$ that are the same in every state
// of the execution: $$.Execution and $$.StateMachine. Without a context to
// merge in, they are built once and shared, as payloads are never changed
// in place; mergeContext changes them, so with one they are built anew.
func (x *execution) staticContext() (execCtx, smCtx map[string]any) {
	r := x.rec
	build := func() (map[string]any, map[string]any) {
		return map[string]any{
			"Id":           r.ExecutionArn,
			"Input":        r.Input,
			"Name":         r.Name,
			"RoleArn":      r.RoleArn,
			"StartTime":    x.timeText(r.StartDate),
			"RedriveCount": json.Number("0"),
		}, map[string]any{"Id": r.StateMachineArn, "Name": r.StateMachine}
	}
	if r.Context != nil {
		return build()
	}
	x.static.once.Do(func() { x.static.exec, x.static.sm = build() })
	return x.static.exec, x.static.sm
}

// timeText is formatTime, remembering the last two times it wrote: a
// context object repeats the execution's start time and, in a Map's
// iterations, the Map state's entered time.
func (x *execution) timeText(t time.Time) string {
	x.times.Lock()
	defer x.times.Unlock()
	for _, e := range x.times.last {
		if e.text != "" && e.t.Equal(t) {
			return e.text
		}
	}
	text := formatTime(t)
	x.times.last[x.times.next] = formattedTime{t, text}
	x.times.next = 1 - x.times.next
	return text
}

type formattedTime struct {
	t    time.Time
	text string
}

// selectContext evaluates a direct path on $$ (steps after the "$$") as it
// would on contextObject's result, without building the parts the path
// does not read: $$.Execution… and $$.StateMachine… read the shared
// objects, $$.Map.Item.Index and $$.Map.Item.Value the item. ok is false
// for the other paths, and whenever the execution has a context to merge.
func (s *pathScope) selectContext(steps []pathStep) (v any, found, ok bool) {
	if s.x.rec.Context != nil || len(steps) == 0 || steps[0].isIdx {
		return nil, false, false
	}
	switch steps[0].name {
	case "Execution", "StateMachine":
		execCtx, smCtx := s.x.staticContext()
		if steps[0].name == "Execution" {
			return walkSteps(steps[1:], execCtx)
		}
		return walkSteps(steps[1:], smCtx)
	case "Map":
		if s.item == nil || len(steps) < 3 || steps[1].isIdx || steps[1].name != "Item" || steps[2].isIdx {
			return nil, false, false
		}
		switch steps[2].name {
		case "Index":
			return walkSteps(steps[3:], intValue(int64(s.item.index)))
		case "Value":
			return walkSteps(steps[3:], s.item.value)
		}
	}
	return nil, false, false
}

type mapItem struct {
	index int
	value any
}

// mergeContext overlays override onto base, object by object.
func mergeContext(base map[string]any, override any) map[string]any {
	o, ok := override.(map[string]any)
	if !ok {
		return base
	}
	for k, v := range o {
		if bm, ok := base[k].(map[string]any); ok {
			if _, ok := v.(map[string]any); ok {
				base[k] = mergeContext(bm, v)
				continue
			}
		}
		base[k] = v
	}
	return base
}

// formatTime writes a time as Step Functions does in the context object.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// runState runs one state and returns the next state's name ("" when the
// branch ends) and the state's output.
func (x *execution) runState(ctx context.Context, b *branchState, st *State) (string, any, *Error) {
	if b.Entered.IsZero() {
		now := x.now()
		x.emitWith(b, func() { b.Entered, b.EnteredID = now, b.Last }, HistoryEvent{Type: eventType(st.Type, "StateEntered"), StateEnteredEventDetails: &StateEnteredDetails{
			Name: st.Name, Input: encodeText(b.Input),
		}})
	}
	if st.QueryLanguage == queryJSONata {
		next, out, err := x.jsonataStep(ctx, b, st)
		if err != nil {
			return "", nil, x.locate(b, st, err)
		}
		if err := x.exited(b, st, out); err != nil {
			return "", nil, err
		}
		return next, out, nil
	}
	raw := b.Input
	var out any
	var err *Error
	next := st.Next
	switch st.Type {
	case "Pass":
		out, err = x.pass(b, st, raw)
	case "Choice":
		next, out, err = x.choice(b, st, raw)
	case "Wait":
		out, err = x.wait(ctx, b, st, raw)
	case "Succeed":
		out, err = x.inputPath(b, st, raw)
		if err == nil {
			out, err = x.outputPath(b, st, out)
		}
		next = ""
	case "Fail":
		err = x.fail(b, st, raw)
	default: // Task, Parallel, Map: the states with Retry and Catch
		for {
			out, err = x.attempt(ctx, b, st, raw)
			err = x.locate(b, st, err)
			if err == nil || err == errCancelled || terminalError(err.Name) {
				break
			}
			if delay, ok := x.retryDelay(b, st, err); ok {
				if !x.sleep(ctx, delay) {
					return "", nil, errCancelled
				}
				x.update(b, func() { b.Fan, b.FanEnded, b.RunStarted, b.Token = nil, false, false, nil })
				continue
			}
			if c := findCatcher(st.Catch, err.Name); c != nil {
				b.assigned = nil
				if aerr := x.evalAssign(b, st, c.Assign, errorOutput(err)); aerr != nil {
					err = aerr
					break
				}
				out, err = applyResultPath(c.ResultPath, raw, errorOutput(err))
				if err != nil {
					break
				}
				if err = x.exited(b, st, out); err != nil {
					return "", nil, err
				}
				return c.Next, out, nil
			}
			break
		}
	}
	if err != nil {
		return "", nil, x.locate(b, st, err)
	}
	if st.Type != "Choice" && st.Type != "Succeed" && st.End {
		next = ""
	}
	if err := x.exited(b, st, out); err != nil {
		return "", nil, err
	}
	return next, out, nil
}

// MaxPayloadSize is the largest state output Step Functions passes on
// (256 KiB); a larger one fails the execution with States.DataLimitExceeded.
const MaxPayloadSize = 256 * 1024

// exited prepares a state's exit event, added with the branch's next
// step, or fails when the state's output is too large. Variables a
// JSONPath-mode Assign computed take their values here.
func (x *execution) exited(b *branchState, st *State, out any) *Error {
	text := encodeText(out)
	if len(text) > MaxPayloadSize {
		return newError(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	details := &StateExitedDetails{Name: st.Name, Output: text}
	if b.assigned != nil {
		values := b.assigned
		b.assigned = nil
		x.setVars(b, values)
		details.AssignedVariables = make(map[string]string, len(values))
		for k, v := range values {
			details.AssignedVariables[k] = encodeText(v)
		}
		details.AssignedVariablesDetails = &DataDetails{}
	}
	b.exit = &HistoryEvent{Type: eventType(st.Type, "StateExited"), StateExitedEventDetails: details}
	return nil
}

// errorOutput is the value a Catch passes on: {"Error": …, "Cause": …}.
func errorOutput(err *Error) any {
	out := map[string]any{"Error": err.Name}
	if err.Cause != "" {
		out["Cause"] = err.Cause
	}
	return out
}

func findCatcher(list []Catcher, name string) *Catcher {
	for i := range list {
		if errorMatches(list[i].ErrorEquals, name) {
			return &list[i]
		}
	}
	return nil
}

// retryDelay finds the first retrier matching err and, if it has attempts
// left, counts one and returns how long to wait before it.
func (x *execution) retryDelay(b *branchState, st *State, err *Error) (time.Duration, bool) {
	for i, r := range st.Retry {
		if !errorMatches(r.ErrorEquals, err.Name) {
			continue
		}
		maxAttempts := int64(3)
		if r.MaxAttempts != nil {
			maxAttempts = *r.MaxAttempts
		}
		var attempts int
		x.update(b, func() {
			if len(b.Attempts) < len(st.Retry) {
				b.Attempts = append(b.Attempts, make([]int, len(st.Retry)-len(b.Attempts))...)
			}
			attempts = b.Attempts[i]
		})
		if int64(attempts) >= maxAttempts {
			return 0, false
		}
		interval, rate := 1.0, 2.0
		if r.IntervalSeconds != nil {
			interval = float64(*r.IntervalSeconds)
		}
		if r.BackoffRate != nil {
			rate = *r.BackoffRate
		}
		delay := interval * math.Pow(rate, float64(attempts))
		if r.MaxDelaySeconds != nil && delay > float64(*r.MaxDelaySeconds) {
			delay = float64(*r.MaxDelaySeconds)
		}
		if r.JitterStrategy == "FULL" {
			delay = mrand.Float64() * delay
		}
		x.update(b, func() {
			b.Attempts[i]++
			b.RetryCount++
		})
		return time.Duration(delay * float64(time.Second)), true
	}
	return 0, false
}

// sleep waits d on the engine's clock; false when cancelled.
func (x *execution) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 || x.engine.opts.SkipWaits {
		return ctx.Err() == nil
	}
	select {
	case <-x.engine.opts.Clock.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

func (x *execution) inputPath(b *branchState, st *State, raw any) (any, *Error) {
	if !st.InputPath.Set {
		return raw, nil
	}
	if st.InputPath.Null {
		return map[string]any{}, nil
	}
	return evalPath(st.InputPath.Path, raw, x.pathScope(b, st, "", nil))
}

func (x *execution) outputPath(b *branchState, st *State, v any) (any, *Error) {
	if !st.OutputPath.Set {
		return v, nil
	}
	if st.OutputPath.Null {
		return map[string]any{}, nil
	}
	return evalPath(st.OutputPath.Path, v, x.pathScope(b, st, "", nil))
}

// finishResult applies ResultSelector (when allowed), ResultPath and
// OutputPath to a state's result.
func (x *execution) finishResult(b *branchState, st *State, raw, result any) (any, *Error) {
	var err *Error
	if st.ResultSelector != nil {
		if result, err = applyTemplate(st.ResultSelector, result, x.pathScope(b, st, "", nil), x.engine.env); err != nil {
			return nil, err
		}
	}
	if err := x.evalAssign(b, st, st.Assign, result); err != nil {
		return nil, err
	}
	out, err := applyResultPath(st.ResultPath, raw, result)
	if err != nil {
		return nil, err
	}
	return x.outputPath(b, st, out)
}

// effectiveInput applies InputPath and Parameters.
func (x *execution) effectiveInput(b *branchState, st *State, raw any, token string) (any, *Error) {
	v, err := x.inputPath(b, st, raw)
	if err != nil {
		return nil, err
	}
	if st.Parameters == nil {
		return v, nil
	}
	return applyTemplate(st.Parameters, v, x.pathScope(b, st, token, nil), x.engine.env)
}

func (x *execution) pass(b *branchState, st *State, raw any) (any, *Error) {
	v, err := x.effectiveInput(b, st, raw, "")
	if err != nil {
		return nil, err
	}
	if st.HasResult {
		v = st.Result
	}
	if err := x.evalAssign(b, st, st.Assign, v); err != nil {
		return nil, err
	}
	out, err := applyResultPath(st.ResultPath, raw, v)
	if err != nil {
		return nil, err
	}
	return x.outputPath(b, st, out)
}

func (x *execution) choice(b *branchState, st *State, raw any) (string, any, *Error) {
	v, err := x.inputPath(b, st, raw)
	if err != nil {
		return "", nil, err
	}
	ctx := x.pathScope(b, st, "", nil)
	next := ""
	assign := st.Assign
	for _, r := range st.Choices {
		ok, err := evalChoice(r, v, ctx)
		if err != nil {
			return "", nil, err
		}
		if ok {
			next = r.Next
			if r.Assign != nil {
				assign = r.Assign
			}
			break
		}
	}
	if next == "" {
		if st.Default == "" {
			return "", nil, newError(ErrNoChoiceMatched, "No Matches!")
		}
		next = st.Default
	}
	if err := x.evalAssign(b, st, assign, v); err != nil {
		return "", nil, err
	}
	out, err := x.outputPath(b, st, v)
	if err != nil {
		return "", nil, err
	}
	return next, out, nil
}

func (x *execution) wait(ctx context.Context, b *branchState, st *State, raw any) (any, *Error) {
	v, err := x.inputPath(b, st, raw)
	if err != nil {
		return nil, err
	}
	until := b.WaitUntil
	if until.IsZero() {
		cctx := x.pathScope(b, st, "", nil)
		switch {
		case st.Seconds != nil:
			until = b.Entered.Add(time.Duration(*st.Seconds) * time.Second)
		case st.Timestamp != "":
			until, _ = parseTimestamp(st.Timestamp)
		case st.SecondsPath != "":
			sv, found := selectPathText(st.SecondsPath, v, cctx)
			if !found {
				return nil, newError(ErrRuntime, "The SecondsPath parameter does not reference an input value: %s", st.SecondsPath)
			}
			f, ok := toFloat(sv)
			switch {
			case !ok || f != math.Trunc(f):
				return nil, newError(ErrRuntime, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.SecondsPath, plainText(sv))
			case f < 0:
				return nil, newError(ErrRuntime, "The SecondsPath parameter references a negative value: %s == %s", st.SecondsPath, plainText(sv))
			}
			until = b.Entered.Add(time.Duration(f) * time.Second)
		case st.TimestampPath != "":
			tv, found := selectPathText(st.TimestampPath, v, cctx)
			if !found {
				return nil, newError(ErrRuntime, "The TimestampPath parameter does not reference an input value: %s", st.TimestampPath)
			}
			s, _ := tv.(string)
			t, perr := parseTimestamp(s)
			if perr != nil {
				return nil, newError(ErrRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.TimestampPath, plainText(tv))
			}
			until = t
		}
		x.update(b, func() { b.WaitUntil = until })
		_ = x.checkpoint() // failures are retried, whole, at the next save
	}
	if !x.sleep(ctx, until.Sub(x.now())) {
		return nil, errCancelled
	}
	if err := x.evalAssign(b, st, st.Assign, v); err != nil {
		return nil, err
	}
	return x.outputPath(b, st, v)
}

func (x *execution) fail(b *branchState, st *State, raw any) *Error {
	e := &Error{Name: st.Error, Cause: st.Cause}
	ctx := x.pathScope(b, st, "", nil)
	for _, f := range []struct {
		expr string
		dst  *string
		name string
	}{{st.ErrorPath, &e.Name, "ErrorPath"}, {st.CausePath, &e.Cause, "CausePath"}} {
		if f.expr == "" {
			continue
		}
		v, err := evalExpression(f.expr, f.name, raw, ctx, x.engine.env)
		if err != nil {
			return err
		}
		s, ok := v.(string)
		if !ok {
			return newError(ErrRuntime, "The %s '%s' must resolve to a string, got %s", f.name, f.expr, encodeValue(v))
		}
		*f.dst = s
	}
	return e
}

// attempt runs one try of a Task, Parallel or Map state.
func (x *execution) attempt(ctx context.Context, b *branchState, st *State, raw any) (any, *Error) {
	switch st.Type {
	case "Task":
		return x.task(ctx, b, st, raw)
	case "Parallel":
		return x.parallel(ctx, b, st, raw)
	case "Map":
		return x.mapState(ctx, b, st, raw)
	}
	return nil, newError(ErrRuntime, "unknown state type %q", st.Type)
}

// pathScope builds what a JSONPath-mode path of a state can read besides
// its data: the context object and the branch's variables.
func (x *execution) pathScope(b *branchState, st *State, token string, item *mapItem) any {
	return &pathScope{x: x, b: b, st: st, token: token, item: item, vars: b.Vars}
}

// evalAssign computes a JSONPath-mode Assign on data ("$"), with the
// variables the state entered with; exited sets them.
func (x *execution) evalAssign(b *branchState, st *State, assign map[string]any, data any) *Error {
	if assign == nil {
		return nil
	}
	v, err := applyTemplate(assign, data, x.pathScope(b, st, "", nil), x.engine.env)
	if err != nil {
		return err
	}
	values, _ := v.(map[string]any)
	b.assigned = values
	return nil
}

// setVars gives variables new values in b's scope.
func (x *execution) setVars(b *branchState, values map[string]any) {
	if len(values) == 0 {
		return
	}
	x.update(b, func() {
		nv := copyVars(b.Vars)
		if nv == nil {
			nv = map[string]any{}
		}
		for k, v := range values {
			nv[k] = v
		}
		b.Vars = nv
	})
}

// locate prefixes the cause of an error the interpreter raised in a state
// (States.Runtime, States.QueryEvaluationError) with the state and its
// entered event, as Step Functions words it. Errors from tasks, Fail states
// and nested states pass unchanged.
func (x *execution) locate(b *branchState, st *State, err *Error) *Error {
	if err == nil || !err.internal || err.located {
		return err
	}
	if err.Name != ErrRuntime && err.Name != ErrQueryEvaluationError {
		return err
	}
	var id int64
	x.read(func() { id = b.EnteredID })
	return &Error{
		Name:     err.Name,
		Cause:    fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", st.Name, id, err.Cause),
		internal: true,
		located:  true,
	}
}

// selectPathText evaluates a path given as text; found is false when it
// selects nothing or does not compile.
func selectPathText(path string, data, scope any) (any, bool) {
	cp, err := compilePath(path)
	if err != nil {
		return nil, false
	}
	return selectPath(cp, data, scope)
}

// plainText writes a value for a message: a string as is, anything else
// as JSON.
func plainText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return encodeText(v)
}
