package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Integration patterns of a Task resource.
const (
	PatternRequestResponse = "requestResponse"
	PatternSync            = "sync"
	PatternWaitForToken    = "waitForTaskToken"
)

// TaskCall is one invocation of a Task state's resource.
type TaskCall struct {
	// Resource is the state's Resource as written, e.g.
	// "arn:aws:states:::lambda:invoke.waitForTaskToken" or a function ARN.
	Resource string
	// Pattern is PatternRequestResponse, PatternSync or PatternWaitForToken,
	// from the Resource's suffix.
	Pattern string
	// StateName names the Task state; for the Amazon S3 calls of a
	// distributed Map's ItemReader and ResultWriter, the Map state.
	StateName string
	// Field is "ItemReader" or "ResultWriter" for those calls, and empty
	// for a Task state.
	Field string
	// ExecutionArn identifies the execution making the call.
	ExecutionArn string
	// Input is the effective input: the state's input after InputPath and
	// Parameters.
	Input json.RawMessage
	// TaskToken is set for PatternWaitForToken: the resource must pass it
	// on, and someone must answer it with SendTaskSuccess or
	// SendTaskFailure.
	TaskToken string
	// TimeoutSeconds and HeartbeatSeconds are the state's limits (0: none).
	TimeoutSeconds   int64
	HeartbeatSeconds int64
	// RetryCount is how many times this state visit has been retried.
	RetryCount int
	// Repeated is set when a .waitForTaskToken call is made again, with
	// the same TaskToken, after a restart: the previous call may or may
	// not have taken effect.
	Repeated bool
}

// Invoker runs Task resources. For request/response it returns the task's
// result; for .waitForTaskToken it starts the work and returns (its result
// is recorded as TaskSubmitted), and the task ends when the token is
// answered; for .sync it returns the submission's result and, if the
// Invoker is also a SyncPoller, the engine polls for completion.
//
// A .waitForTaskToken resource must be idempotent per task token: when
// the process stopped after the engine called it but before the call
// returned, a resumed engine calls it again with the same TaskToken (and
// Repeated set), and the second call must not start the work twice (for
// example, derive a client request token from the task token, as the
// Bedrock batch create-job function does). The token is saved before the
// first call, so an answer for it is accepted at any time after that.
//
// To fail the task with a specific error name, return an *Error (for a
// Lambda function error: Name = the function's errorType). Any other error
// fails the task with States.TaskFailed. Implementations must return
// promptly once ctx is cancelled (execution stopped, task timed out).
type Invoker interface {
	Invoke(ctx context.Context, call TaskCall) (json.RawMessage, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, call TaskCall) (json.RawMessage, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, call TaskCall) (json.RawMessage, error) {
	return f(ctx, call)
}

// SyncPoller is implemented by an Invoker that runs .sync resources: after
// Invoke submitted the work, Poll is called every Options.SyncPollInterval
// with the submission's result until it reports done with the task's
// result, or fails.
type SyncPoller interface {
	Poll(ctx context.Context, call TaskCall, submitted json.RawMessage) (done bool, result json.RawMessage, err error)
}

// resourceParts splits a resource into the history's resourceType and
// resource and the integration pattern.
func resourceParts(res string) (resourceType, resource, pattern string, bareLambda bool) {
	pattern = PatternRequestResponse
	switch {
	case strings.HasSuffix(res, ".waitForTaskToken"):
		pattern = PatternWaitForToken
	case strings.HasSuffix(res, ".sync") || strings.HasSuffix(res, ".sync:2"):
		pattern = PatternSync
	}
	if rest, ok := strings.CutPrefix(res, "arn:aws:states:::"); ok {
		typ, r, found := strings.Cut(rest, ":")
		if found {
			return typ, r, pattern, false
		}
		return rest, rest, pattern, false
	}
	if strings.HasPrefix(res, "arn:aws:lambda:") {
		return "lambda", res, pattern, true
	}
	return "", res, pattern, false
}

// task runs one attempt of a Task state in JSONPath mode.
func (x *execution) task(ctx context.Context, b *branchState, st *State, raw any) (any, *Error) {
	result, err := x.runTask(ctx, b, st, func(token string) (any, int64, int64, *Error) {
		params, err := x.effectiveInput(b, st, raw, token)
		if err != nil {
			return nil, 0, 0, err
		}
		cctx := x.pathScope(b, st, token, nil)
		eff, _ := x.inputPath(b, st, raw)
		timeout, err := limitSeconds(st.TimeoutSeconds, st.TimeoutSecondsPath, "TimeoutSecondsPath", eff, cctx)
		if err != nil {
			return nil, 0, 0, err
		}
		heartbeat, err := limitSeconds(st.HeartbeatSeconds, st.HeartbeatSecondsPath, "HeartbeatSecondsPath", eff, cctx)
		if err != nil {
			return nil, 0, 0, err
		}
		return params, timeout, heartbeat, nil
	})
	if err != nil {
		return nil, err
	}
	return x.finishResult(b, st, raw, result)
}

// taskPrepare computes a task's effective input and time limits once its
// token (empty unless .waitForTaskToken) is known.
type taskPrepare func(token string) (params any, timeout, heartbeat int64, err *Error)

// runTask invokes a Task state's resource and returns its result, with the
// history events of the call.
func (x *execution) runTask(ctx context.Context, b *branchState, st *State, prepare taskPrepare) (any, *Error) {
	resType, resName, pattern, bareLambda := resourceParts(st.Resource)
	if tw := b.Token; tw != nil {
		// Restored: the task's token was saved before its resource was
		// called.
		return x.resumeToken(ctx, b, st, tw, resType, resName)
	}
	token := ""
	if pattern == PatternWaitForToken {
		token = newTaskToken()
	}
	params, timeout, heartbeat, err := prepare(token)
	if err != nil {
		return nil, err
	}
	paramsJSON := encodeValue(params)
	var started []HistoryEvent
	if bareLambda {
		ev := &LambdaScheduledDetails{Resource: st.Resource, Input: string(paramsJSON)}
		if timeout > 0 {
			ev.TimeoutInSeconds = &timeout
		}
		started = []HistoryEvent{{Type: "LambdaFunctionScheduled", LambdaFunctionScheduledEventDetails: ev}, {Type: "LambdaFunctionStarted"}}
	} else {
		ev := &TaskScheduledDetails{ResourceType: resType, Resource: resName, Region: x.engine.opts.Region, Parameters: string(paramsJSON)}
		if timeout > 0 {
			ev.TimeoutInSeconds = &timeout
		}
		if heartbeat > 0 {
			ev.HeartbeatInSeconds = &heartbeat
		}
		started = []HistoryEvent{{Type: "TaskScheduled", TaskScheduledEventDetails: ev}, {Type: "TaskStarted", TaskStartedEventDetails: &TaskDetails{ResourceType: resType, Resource: resName}}}
	}
	call := TaskCall{
		Resource: st.Resource, Pattern: pattern, StateName: st.Name, ExecutionArn: x.rec.ExecutionArn,
		Input: paramsJSON, TaskToken: token, TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat,
		RetryCount: b.RetryCount,
	}
	start := x.now()
	var deadline time.Time
	if timeout > 0 {
		deadline = start.Add(time.Duration(timeout) * time.Second)
	}
	if token == "" {
		x.emitWith(b, nil, started...)
	} else {
		// The token is saved with the events that schedule the task,
		// before the resource is called.
		tw := &tokenWait{Token: token, Resource: st.Resource, Deadline: deadline, TimeoutSeconds: timeout,
			HeartbeatSeconds: heartbeat, LastHeartbeat: start, Input: paramsJSON}
		tw.pending = x.engine.registerToken(x, b, tw)
		x.emitWith(b, func() { b.Token = tw }, started...)
		if err := x.checkpoint(); err != nil {
			x.engine.forget(tw.pending)
			x.update(b, func() { b.Token = nil })
			if errors.Is(err, errDetached) {
				return nil, errCancelled
			}
			ferr := newError(ErrTaskFailed, "the task token could not be saved, so the resource was not called: %v", err)
			x.taskFailed(b, resType, resName, false, ferr)
			return nil, ferr
		}
		return x.submitToken(ctx, b, tw, call, resType, resName)
	}
	result, ierr := x.invoke(ctx, call, deadline)
	if ierr != nil {
		if ierr != errCancelled {
			x.taskFailed(b, resType, resName, bareLambda, ierr)
		}
		return nil, ierr
	}
	switch pattern {
	case PatternSync:
		if poller, ok := x.engine.opts.Invoker.(SyncPoller); ok {
			x.branchEmit(b, HistoryEvent{Type: "TaskSubmitted", TaskSubmittedEventDetails: &TaskOutputDetails{
				ResourceType: resType, Resource: resName, Output: string(compactOrNull(result)),
			}})
			r, perr := x.poll(ctx, poller, call, result, deadline)
			if perr != nil {
				if perr != errCancelled {
					x.taskFailed(b, resType, resName, false, perr)
				}
				return nil, perr
			}
			result = r
		}
	}
	v, derr := decodeResult(result)
	if derr != nil {
		x.taskFailed(b, resType, resName, bareLambda, derr)
		return nil, derr
	}
	if bareLambda {
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionSucceeded", LambdaFunctionSucceededEventDetails: &OutputDetails{Output: encodeText(v)}})
	} else {
		x.branchEmit(b, HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: resType, Resource: resName, Output: encodeText(v)}})
	}
	return v, nil
}

func compactOrNull(b json.RawMessage) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	v, err := decodeValue(b)
	if err != nil {
		return []byte("null")
	}
	return encodeValue(v)
}

func decodeResult(b json.RawMessage) (any, *Error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := decodeValue(b)
	if err != nil {
		return nil, newError(ErrTaskFailed, "the task returned invalid JSON: %v", err)
	}
	return v, nil
}

func (x *execution) taskFailed(b *branchState, resType, resName string, bareLambda bool, err *Error) {
	x.branchEmit(b, taskFailedEvent(resType, resName, bareLambda, err))
}

// taskFailedEvent is the history event of a task that failed with err.
func taskFailedEvent(resType, resName string, bareLambda bool, err *Error) HistoryEvent {
	timedOut := err.Name == ErrTimeout || err.Name == ErrHeartbeatTimeout
	switch {
	case bareLambda && timedOut:
		return HistoryEvent{Type: "LambdaFunctionTimedOut", LambdaFunctionTimedOutEventDetails: &FailureDetails{Error: err.Name, Cause: err.Cause}}
	case bareLambda:
		return HistoryEvent{Type: "LambdaFunctionFailed", LambdaFunctionFailedEventDetails: &FailureDetails{Error: err.Name, Cause: err.Cause}}
	case timedOut:
		return HistoryEvent{Type: "TaskTimedOut", TaskTimedOutEventDetails: &TaskFailureDetails{ResourceType: resType, Resource: resName, Error: err.Name, Cause: err.Cause}}
	}
	return HistoryEvent{Type: "TaskFailed", TaskFailedEventDetails: &TaskFailureDetails{ResourceType: resType, Resource: resName, Error: err.Name, Cause: err.Cause}}
}

// limitSeconds resolves TimeoutSeconds/HeartbeatSeconds or their …Path.
func limitSeconds(fixed *int64, path, field string, data, ctx any) (int64, *Error) {
	if fixed != nil {
		return *fixed, nil
	}
	if path == "" {
		return 0, nil
	}
	v, err := evalPath(path, data, ctx)
	if err != nil {
		return 0, err
	}
	f, ok := toFloat(v)
	if !ok || f <= 0 || f != float64(int64(f)) {
		return 0, newError(ErrRuntime, "The %s '%s' must resolve to a positive integer, got %s", field, path, encodeValue(v))
	}
	return int64(f), nil
}

// invoke calls the Invoker, enforcing the deadline.
func (x *execution) invoke(ctx context.Context, call TaskCall, deadline time.Time) (json.RawMessage, *Error) {
	inv := x.engine.opts.Invoker
	if inv == nil {
		return nil, newError(ErrTaskFailed, "no task invoker is configured, so the Task state %q (resource %s) cannot run", call.StateName, call.Resource)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type res struct {
		out json.RawMessage
		err error
	}
	ch := make(chan res, 1)
	go func() {
		out, err := inv.Invoke(cctx, call)
		ch <- res{out, err}
	}()
	var timer <-chan time.Time
	if !deadline.IsZero() {
		timer = x.engine.opts.Clock.After(deadline.Sub(x.now()))
	}
	select {
	case r := <-ch:
		if r.err != nil {
			if ctx.Err() != nil {
				return nil, errCancelled
			}
			return nil, asStatesError(r.err)
		}
		return r.out, nil
	case <-timer:
		return nil, newError(ErrTimeout, "The task did not complete within %d seconds", call.TimeoutSeconds)
	case <-ctx.Done():
		return nil, errCancelled
	}
}

func (x *execution) poll(ctx context.Context, poller SyncPoller, call TaskCall, submitted json.RawMessage, deadline time.Time) (json.RawMessage, *Error) {
	for {
		if !deadline.IsZero() && !x.now().Before(deadline) {
			return nil, newError(ErrTimeout, "The task did not complete within %d seconds", call.TimeoutSeconds)
		}
		select {
		case <-x.engine.opts.Clock.After(x.engine.opts.SyncPollInterval):
		case <-ctx.Done():
			return nil, errCancelled
		}
		done, result, err := poller.Poll(ctx, call, submitted)
		if err != nil {
			if ctx.Err() != nil {
				return nil, errCancelled
			}
			return nil, asStatesError(err)
		}
		if done {
			return result, nil
		}
	}
}

// pendingTask is the engine's registration of a task token, from before
// the resource is called until the task ends.
type pendingTask struct {
	x    *execution
	b    *branchState
	wait *tokenWait
	// mu orders the decisions on the token: an answer, a timeout, a
	// failed resource call. done is set by the first; it is guarded by mu.
	mu     sync.Mutex
	done   bool
	result chan struct{}
	beat   chan struct{}
}

// tokenPrefix marks the tokens this engine issues.
const tokenPrefix = "AQC"

// MaxTaskTokenLength is the longest task token Step Functions accepts.
const MaxTaskTokenLength = 2048

func newTaskToken() string {
	var b [96]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func validTokenShape(t string) bool {
	if len(t) < 1 || len(t) > MaxTaskTokenLength || !strings.HasPrefix(t, tokenPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t[len(tokenPrefix):])
	return err == nil
}

func (e *Engine) registerToken(x *execution, b *branchState, tw *tokenWait) *pendingTask {
	p := &pendingTask{x: x, b: b, wait: tw, result: make(chan struct{}, 1), beat: make(chan struct{}, 1)}
	e.mu.Lock()
	e.tokens[tw.Token] = p
	e.mu.Unlock()
	return p
}

// forget removes p's token from the engine, unless another task took it.
func (e *Engine) forget(p *pendingTask) {
	if p == nil {
		return
	}
	e.mu.Lock()
	if e.tokens[p.wait.Token] == p {
		delete(e.tokens, p.wait.Token)
	}
	e.mu.Unlock()
}

// lookupToken finds the task waiting for a token.
func (e *Engine) lookupToken(token string) (*pendingTask, error) {
	if !validTokenShape(token) {
		return nil, ErrInvalidToken
	}
	e.mu.Lock()
	p, ok := e.tokens[token]
	e.mu.Unlock()
	if !ok {
		return nil, ErrTaskTimedOut
	}
	if p.x.ctx.Err() != nil {
		e.forget(p)
		return nil, ErrTaskTimedOut
	}
	return p, nil
}

// answer completes the task waiting for token. The answer is saved before
// it is accepted, so that once this returns nil a restart does not lose it.
func (e *Engine) answer(token string, output any, failure *Error) error {
	p, err := e.lookupToken(token)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	x, tw := p.x, p.wait
	if p.done || x.ctx.Err() != nil {
		return ErrTaskTimedOut
	}
	x.update(p.b, func() { tw.Answered, tw.Output, tw.Err = true, output, failure })
	if err := x.checkpoint(); err != nil {
		x.update(p.b, func() { tw.Answered, tw.Output, tw.Err = false, nil, nil })
		if errors.Is(err, errDetached) {
			return ErrTaskTimedOut
		}
		return fmt.Errorf("the answer for the task token could not be saved, so it was not accepted; send it again once the store works: %w", err)
	}
	p.done = true
	e.forget(p)
	p.result <- struct{}{}
	return nil
}

// SendTaskSuccess completes the task waiting for token with output (JSON).
// It fails with ErrInvalidToken for a malformed token, ErrTaskTimedOut
// when no task waits for it any more, and ErrInvalidOutput when output is
// not JSON. With a Store, the answer is saved before SendTaskSuccess
// returns.
func (e *Engine) SendTaskSuccess(token string, output json.RawMessage) error {
	v, err := decodeValue(output)
	if err != nil {
		if !validTokenShape(token) {
			return ErrInvalidToken
		}
		return fmt.Errorf("%w: %v", ErrInvalidOutput, err)
	}
	return e.answer(token, v, nil)
}

// SendTaskFailure fails the task waiting for token with an error name and
// cause (an empty name is reported as States.TaskFailed). With a Store,
// the answer is saved before SendTaskFailure returns.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	if errName == "" {
		errName = ErrTaskFailed
	}
	return e.answer(token, nil, &Error{Name: errName, Cause: cause})
}

// SendTaskHeartbeat tells the task waiting for token that its work is still
// going on, restarting its HeartbeatSeconds countdown.
func (e *Engine) SendTaskHeartbeat(token string) error {
	p, err := e.lookupToken(token)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return ErrTaskTimedOut
	}
	select {
	case p.beat <- struct{}{}:
	default:
	}
	return nil
}

// resumeToken continues a .waitForTaskToken task restored from the store:
// with its answer when one was accepted, by calling the resource again
// with the same token when the call had not returned, or by waiting.
func (x *execution) resumeToken(ctx context.Context, b *branchState, st *State, tw *tokenWait, resType, resName string) (any, *Error) {
	var answered, submitted bool
	x.read(func() { answered, submitted = tw.Answered, tw.Submitted })
	if answered {
		return x.recordAnswer(b, tw, resType, resName)
	}
	if tw.pending == nil {
		tw.pending = x.engine.registerToken(x, b, tw)
	}
	if submitted {
		return x.waitToken(ctx, b, tw, resType, resName)
	}
	call := TaskCall{
		Resource: tw.Resource, Pattern: PatternWaitForToken, StateName: st.Name, ExecutionArn: x.rec.ExecutionArn,
		Input: tw.Input, TaskToken: tw.Token, TimeoutSeconds: tw.TimeoutSeconds, HeartbeatSeconds: tw.HeartbeatSeconds,
		RetryCount: b.RetryCount, Repeated: true,
	}
	return x.submitToken(ctx, b, tw, call, resType, resName)
}

// submitToken calls a .waitForTaskToken resource, whose token is saved and
// registered, and waits for the answer.
func (x *execution) submitToken(ctx context.Context, b *branchState, tw *tokenWait, call TaskCall, resType, resName string) (any, *Error) {
	p := tw.pending
	result, ierr := x.invoke(ctx, call, tw.Deadline)
	if ierr == errCancelled {
		x.engine.forget(p)
		return nil, ierr
	}
	if ierr != nil {
		// The call failed: the task fails, even if an answer came in the
		// meantime, and the token stops being valid.
		p.mu.Lock()
		p.done = true
		x.engine.forget(p)
		x.emitWith(b, func() { b.Token = nil }, taskFailedEvent(resType, resName, false, ierr))
		p.mu.Unlock()
		return nil, ierr
	}
	// The heartbeat countdown starts once the resource has returned.
	submitted := x.now()
	x.emitWith(b, func() { tw.Submitted, tw.Input, tw.LastHeartbeat = true, nil, submitted },
		HistoryEvent{Type: "TaskSubmitted", TaskSubmittedEventDetails: &TaskOutputDetails{
			ResourceType: resType, Resource: resName, Output: string(compactOrNull(result)),
		}})
	// Should this save fail, a restart calls the resource again with the
	// same token, which it must accept (see Invoker).
	_ = x.checkpoint()
	return x.waitToken(ctx, b, tw, resType, resName)
}

// waitToken waits for the token's answer, a heartbeat timeout, the task's
// timeout or cancellation.
func (x *execution) waitToken(ctx context.Context, b *branchState, tw *tokenWait, resType, resName string) (any, *Error) {
	p := tw.pending
	defer x.engine.forget(p)
	clk := x.engine.opts.Clock
	var timeout <-chan time.Time
	if !tw.Deadline.IsZero() {
		timeout = clk.After(tw.Deadline.Sub(x.now()))
	}
	for {
		var heartbeat <-chan time.Time
		if tw.HeartbeatSeconds > 0 {
			var last time.Time
			x.read(func() { last = tw.LastHeartbeat })
			heartbeat = clk.After(last.Add(time.Duration(tw.HeartbeatSeconds) * time.Second).Sub(x.now()))
		}
		select {
		case <-p.result:
			return x.recordAnswer(b, tw, resType, resName)
		case <-p.beat:
			now := x.now()
			x.update(b, func() { tw.LastHeartbeat = now })
		case <-heartbeat:
			return x.giveUp(b, tw, ErrHeartbeatTimeout, resType, resName)
		case <-timeout:
			return x.giveUp(b, tw, ErrTimeout, resType, resName)
		case <-ctx.Done():
			return nil, errCancelled
		}
	}
}

// giveUp ends a token wait with a timeout, unless an answer was accepted
// first: then the answer wins.
func (x *execution) giveUp(b *branchState, tw *tokenWait, errName, resType, resName string) (any, *Error) {
	p := tw.pending
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		<-p.result
		return x.recordAnswer(b, tw, resType, resName)
	}
	p.done = true
	x.engine.forget(p)
	err := &Error{Name: errName}
	x.emitWith(b, func() { b.Token = nil }, taskFailedEvent(resType, resName, false, err))
	p.mu.Unlock()
	return nil, err
}

// recordAnswer adds the history event of the accepted answer, once, and
// returns the answer.
func (x *execution) recordAnswer(b *branchState, tw *tokenWait, resType, resName string) (any, *Error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !tw.Recorded && !x.detached {
		ev := HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: resType, Resource: resName, Output: encodeText(tw.Output)}}
		if tw.Err != nil {
			ev = taskFailedEvent(resType, resName, false, tw.Err)
		}
		b.Last = x.emitLocked(b.Last, ev)
		tw.Recorded = true
		x.markLocked(b)
	}
	return tw.Output, tw.Err
}
