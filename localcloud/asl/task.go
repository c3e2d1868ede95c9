package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
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
	// StateName names the Task state.
	StateName string
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
}

// Invoker runs Task resources. For request/response it returns the task's
// result; for .waitForTaskToken it starts the work and returns (its result
// is recorded as TaskSubmitted), and the task ends when the token is
// answered; for .sync it returns the submission's result and, if the
// Invoker is also a SyncPoller, the engine polls for completion.
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
		cctx := x.contextObject(b, st, token, nil)
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
		// Restored from a snapshot taken while the task waited for its
		// token: use the answer if it came, else wait again.
		if tw.Answered {
			return tw.Output, tw.Err
		}
		return x.waitToken(ctx, b, st, resType, resName)
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
	if bareLambda {
		ev := &LambdaScheduledDetails{Resource: st.Resource, Input: string(paramsJSON)}
		if timeout > 0 {
			ev.TimeoutInSeconds = &timeout
		}
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionScheduled", LambdaFunctionScheduledEventDetails: ev})
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionStarted"})
	} else {
		ev := &TaskScheduledDetails{ResourceType: resType, Resource: resName, Region: x.engine.opts.Region, Parameters: string(paramsJSON)}
		if timeout > 0 {
			ev.TimeoutInSeconds = &timeout
		}
		if heartbeat > 0 {
			ev.HeartbeatInSeconds = &heartbeat
		}
		x.branchEmit(b, HistoryEvent{Type: "TaskScheduled", TaskScheduledEventDetails: ev})
		x.branchEmit(b, HistoryEvent{Type: "TaskStarted", TaskStartedEventDetails: &TaskDetails{ResourceType: resType, Resource: resName}})
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
	var pending *pendingTask
	if token != "" {
		tw := &tokenWait{Token: token, Resource: st.Resource, Deadline: deadline, HeartbeatSeconds: heartbeat, LastHeartbeat: start}
		pending = x.engine.registerToken(x, tw)
		x.update(func() { b.Token = tw })
	}
	result, ierr := x.invoke(ctx, call, deadline)
	if ierr != nil {
		if pending != nil {
			x.engine.releaseToken(token)
			x.update(func() { b.Token = nil })
		}
		if ierr == errCancelled {
			return nil, ierr
		}
		x.taskFailed(b, resType, resName, bareLambda, ierr)
		return nil, ierr
	}
	switch pattern {
	case PatternWaitForToken:
		x.branchEmit(b, HistoryEvent{Type: "TaskSubmitted", TaskSubmittedEventDetails: &TaskOutputDetails{
			ResourceType: resType, Resource: resName, Output: string(compactOrNull(result)),
		}})
		// The heartbeat countdown starts once the resource has returned.
		submitted := x.now()
		x.update(func() { b.Token.LastHeartbeat = submitted })
		x.checkpoint()
		return x.waitTokenPending(ctx, b, pending, resType, resName)
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
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionSucceeded", LambdaFunctionSucceededEventDetails: &OutputDetails{Output: string(encodeValue(v))}})
	} else {
		x.branchEmit(b, HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: resType, Resource: resName, Output: string(encodeValue(v))}})
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
	timedOut := err.Name == ErrTimeout || err.Name == ErrHeartbeatTimeout
	switch {
	case bareLambda && timedOut:
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionTimedOut", LambdaFunctionTimedOutEventDetails: &FailureDetails{Error: err.Name, Cause: err.Cause}})
	case bareLambda:
		x.branchEmit(b, HistoryEvent{Type: "LambdaFunctionFailed", LambdaFunctionFailedEventDetails: &FailureDetails{Error: err.Name, Cause: err.Cause}})
	case timedOut:
		x.branchEmit(b, HistoryEvent{Type: "TaskTimedOut", TaskTimedOutEventDetails: &TaskFailureDetails{ResourceType: resType, Resource: resName, Error: err.Name, Cause: err.Cause}})
	default:
		x.branchEmit(b, HistoryEvent{Type: "TaskFailed", TaskFailedEventDetails: &TaskFailureDetails{ResourceType: resType, Resource: resName, Error: err.Name, Cause: err.Cause}})
	}
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

// pendingTask is a task waiting for its token to be answered.
type pendingTask struct {
	x      *execution
	wait   *tokenWait
	result chan tokenAnswer
	beat   chan struct{}
}

type tokenAnswer struct {
	output any
	err    *Error
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

func (e *Engine) registerToken(x *execution, tw *tokenWait) *pendingTask {
	p := &pendingTask{x: x, wait: tw, result: make(chan tokenAnswer, 1), beat: make(chan struct{}, 1)}
	e.mu.Lock()
	e.tokens[tw.Token] = p
	e.mu.Unlock()
	return p
}

func (e *Engine) releaseToken(token string) {
	e.mu.Lock()
	delete(e.tokens, token)
	e.mu.Unlock()
}

// takeToken finds the task waiting for a token. With remove, the token
// stops being valid.
func (e *Engine) takeToken(token string, remove bool) (*pendingTask, error) {
	if !validTokenShape(token) {
		return nil, ErrInvalidToken
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.tokens[token]
	if !ok {
		return nil, ErrTaskTimedOut
	}
	if p.x.ctx.Err() != nil {
		delete(e.tokens, token)
		return nil, ErrTaskTimedOut
	}
	if remove {
		delete(e.tokens, token)
	}
	return p, nil
}

// SendTaskSuccess completes the task waiting for token with output (JSON).
// It fails with ErrInvalidToken for a malformed token, ErrTaskTimedOut
// when no task waits for it any more, and ErrInvalidOutput when output is
// not JSON.
func (e *Engine) SendTaskSuccess(token string, output json.RawMessage) error {
	v, err := decodeValue(output)
	if err != nil {
		if !validTokenShape(token) {
			return ErrInvalidToken
		}
		return fmt.Errorf("%w: %v", ErrInvalidOutput, err)
	}
	p, err := e.takeToken(token, true)
	if err != nil {
		return err
	}
	p.result <- tokenAnswer{output: v}
	return nil
}

// SendTaskFailure fails the task waiting for token with an error name and
// cause (an empty name is reported as States.TaskFailed).
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	p, err := e.takeToken(token, true)
	if err != nil {
		return err
	}
	if errName == "" {
		errName = ErrTaskFailed
	}
	p.result <- tokenAnswer{err: &Error{Name: errName, Cause: cause}}
	return nil
}

// SendTaskHeartbeat tells the task waiting for token that its work is still
// going on, restarting its HeartbeatSeconds countdown.
func (e *Engine) SendTaskHeartbeat(token string) error {
	p, err := e.takeToken(token, false)
	if err != nil {
		return err
	}
	select {
	case p.beat <- struct{}{}:
	default:
	}
	return nil
}

// waitToken resumes a wait restored from a snapshot.
func (x *execution) waitToken(ctx context.Context, b *branchState, st *State, resType, resName string) (any, *Error) {
	p := x.engine.registerToken(x, b.Token)
	return x.waitTokenPending(ctx, b, p, resType, resName)
}

// waitTokenPending waits for the token's answer, a heartbeat timeout, the
// task's timeout or cancellation.
func (x *execution) waitTokenPending(ctx context.Context, b *branchState, p *pendingTask, resType, resName string) (any, *Error) {
	tw := p.wait
	defer x.engine.releaseToken(tw.Token)
	clk := x.engine.opts.Clock
	var timeout <-chan time.Time
	if !tw.Deadline.IsZero() {
		timeout = clk.After(tw.Deadline.Sub(x.now()))
	}
	for {
		// An answer that is already there wins over a timer that fired.
		select {
		case a := <-p.result:
			p.result <- a
		default:
		}
		var heartbeat <-chan time.Time
		if tw.HeartbeatSeconds > 0 {
			heartbeat = clk.After(tw.LastHeartbeat.Add(time.Duration(tw.HeartbeatSeconds) * time.Second).Sub(x.now()))
		}
		select {
		case a := <-p.result:
			x.update(func() { tw.Answered, tw.Output, tw.Err = true, a.output, a.err })
			if a.err != nil {
				x.taskFailed(b, resType, resName, false, a.err)
			} else {
				x.branchEmit(b, HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: resType, Resource: resName, Output: string(encodeValue(a.output))}})
			}
			x.checkpoint()
			if a.err != nil {
				return nil, a.err
			}
			return a.output, nil
		case <-p.beat:
			now := x.now()
			x.update(func() { tw.LastHeartbeat = now })
		case <-heartbeat:
			x.update(func() { b.Token = nil })
			err := &Error{Name: ErrHeartbeatTimeout, Cause: ""}
			x.taskFailed(b, resType, resName, false, err)
			return nil, err
		case <-timeout:
			x.update(func() { b.Token = nil })
			err := &Error{Name: ErrTimeout, Cause: ""}
			x.taskFailed(b, resType, resName, false, err)
			return nil, err
		case <-ctx.Done():
			return nil, errCancelled
		}
	}
}
