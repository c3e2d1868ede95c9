package lambda

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/recent"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// Options configures a Service.
type Options struct {
	// DataDir holds the queue of asynchronous invocations
	// (<DataDir>/lambda/async) and those that failed every attempt
	// (<DataDir>/lambda/failed). Required.
	DataDir string
	// Region and Account make up ARNs. Defaults awsproto.DefaultRegion and DefaultAccount.
	Region, Account string
	// Clock times the retry delays of asynchronous invocations. Default
	// the wall clock.
	Clock clock.Clock
	// AsyncRetryDelays are the waits before the retries of a failed
	// asynchronous invocation; their number is the number of retries.
	// Default one minute then two, as Lambda does.
	AsyncRetryDelays []time.Duration
	// Logger receives a line for every failed asynchronous attempt.
	// Default slog.Default().
	Logger *slog.Logger
	// HandlerHint tells, in the error of a function that has no handler,
	// how to give it one. Default: register it with Service.Register.
	HandlerHint func(fn Function) string
	// DeadLetter, if set, receives the asynchronous invocations that
	// failed every attempt, to send them to the function's dead-letter
	// queue.
	DeadLetter func(ctx context.Context, f FailedInvocation)
	// Endpoint returns the URL the functions' processes reach the local
	// cloud at (their AWS_ENDPOINT_URL), so that their own SDK calls land
	// here. Nil: the variable is not set.
	Endpoint func() (string, error)
	// Concurrency is how many invocations of one function run at once
	// (each in a process of its own) unless the function reserves a
	// concurrency. Default DefaultConcurrency.
	Concurrency int
	// IdleTimeout is how long a function's idle process is kept for the
	// next invocation. Default DefaultIdleTimeout.
	IdleTimeout time.Duration
}

// Service is the local Lambda. Create it with New; serve its API through
// the edge router; call Start once the functions are registered to run
// queued asynchronous invocations.
type Service struct {
	opts  Options
	queue *spool.Spool
	dead  *spool.Spool

	mu        sync.RWMutex
	functions map[string]*entry
	running   context.Context // set by Start
	wg        sync.WaitGroup
	recent    *recent.Ring[Invocation]

	poolsMu sync.Mutex
	pools   map[string]*pool // function name → its execution environments
	clientsState
}

type entry struct {
	fn      Function
	handler Handler
}

// New returns a Service keeping its queue under opts.DataDir.
func New(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("lambda: Options.DataDir is required")
	}
	opts.Region = cmp.Or(opts.Region, awsproto.DefaultRegion)
	opts.Account = cmp.Or(opts.Account, awsproto.DefaultAccount)
	opts.Clock = cmp.Or[clock.Clock](opts.Clock, clock.Real{})
	if opts.AsyncRetryDelays == nil {
		opts.AsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}
	}
	opts.Logger = cmp.Or(opts.Logger, slog.Default())
	opts.Concurrency = cmp.Or(opts.Concurrency, DefaultConcurrency)
	opts.IdleTimeout = cmp.Or(opts.IdleTimeout, DefaultIdleTimeout)
	queue, err := spool.Open(filepath.Join(opts.DataDir, "lambda", "async"))
	if err != nil {
		return nil, err
	}
	dead, err := spool.Open(filepath.Join(opts.DataDir, "lambda", "failed"))
	if err != nil {
		return nil, err
	}
	return &Service{opts: opts, queue: queue, dead: dead, functions: map[string]*entry{},
		recent: recent.New[Invocation](recentInvocations), pools: map[string]*pool{}}, nil
}

// Register makes fn the code of the function called name, creating the
// function (with the longest timeout Lambda allows) if it was not deployed.
func (s *Service) Register(name string, fn Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.functions[name]; ok {
		e.handler = fn
		return
	}
	s.functions[name] = &entry{fn: s.complete(Function{Name: name, Timeout: MaxTimeout}), handler: fn}
}

// Deploy creates or updates a function from its configuration, as a
// deployment does. A nil fn keeps the handler registered before, if any.
// A function without an in-process handler runs its code (cfg.CodeDir) in
// processes of its own; Deploy refuses code the local cloud cannot run. A
// function with neither exists (GetFunction finds it) but its invocations
// fail with Runtime.HandlerNotFound until a handler is registered.
func (s *Service) Deploy(cfg Function, fn Handler) (Function, error) {
	if cfg.Name == "" {
		return Function{}, errors.New("lambda: deploy a function: Function.Name is required")
	}
	if cfg.Timeout > MaxTimeout {
		return Function{}, fmt.Errorf("lambda: function %s: timeout %s is longer than Lambda's maximum of %s", cfg.Name, cfg.Timeout, MaxTimeout)
	}
	if err := validateEnv(cfg); err != nil {
		return Function{}, err
	}
	cfg = s.complete(cfg)
	s.mu.Lock()
	e, ok := s.functions[cfg.Name]
	if !ok {
		e = &entry{}
	}
	if fn != nil {
		e.handler = fn
	}
	if e.handler == nil && cfg.CodeDir != "" {
		if err := s.Runnable(cfg); err != nil {
			s.mu.Unlock()
			return Function{}, fmt.Errorf("lambda: %w", err)
		}
	}
	e.fn = cfg
	s.functions[cfg.Name] = e
	s.mu.Unlock()
	s.retire(cfg.Name)
	return cfg, nil
}

// complete fills in a configuration's defaults.
func (s *Service) complete(cfg Function) Function {
	if cfg.Arn == "" {
		cfg.Arn = s.arn(cfg.Name)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MemorySize == 0 {
		cfg.MemorySize = DefaultMemorySize
	}
	if cfg.LastModified.IsZero() {
		cfg.LastModified = time.Now().UTC()
	}
	// The process runs in its code directory, as LAMBDA_TASK_ROOT.
	if abs, err := filepath.Abs(cfg.CodeDir); err == nil && cfg.CodeDir != "" {
		cfg.CodeDir = abs
	}
	return cfg
}

// Delete removes a function; it reports whether there was one.
func (s *Service) Delete(name string) bool {
	s.mu.Lock()
	_, ok := s.functions[name]
	delete(s.functions, name)
	s.mu.Unlock()
	s.retire(name)
	return ok
}

// Functions lists the functions, sorted by name.
func (s *Service) Functions() []Function {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Function, 0, len(s.functions))
	for _, e := range s.functions {
		out = append(out, e.fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lookup finds a function by any of the names Invoke accepts.
func (s *Service) lookup(functionName, qualifier string) (*entry, error) {
	name, q, err := qualifiedName(functionName)
	if err != nil {
		return nil, err
	}
	if qualifier == "" {
		qualifier = q
	}
	s.mu.RLock()
	e, ok := s.functions[name]
	s.mu.RUnlock()
	if !ok {
		return nil, awsproto.Errorf(http.StatusNotFound, "ResourceNotFoundException",
			"Function not found: %s. The local cloud runs Go handlers in its own process: deploy a cloud assembly "+
				"that defines this function (its handler must be one the local cloud knows), or register a handler "+
				"with (*lambda.Service).Register(%q, handler)", s.arn(name), name).With("Type", "User")
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return nil, awsproto.Errorf(http.StatusNotFound, "ResourceNotFoundException",
			"Function not found: %s:%s. The local cloud has no versions or aliases; invoke $LATEST (no qualifier)",
			e.fn.Arn, qualifier).With("Type", "User")
	}
	return e, nil
}

// Result is the outcome of one invocation.
type Result struct {
	// Payload is the handler's response, or the error document
	// {"errorMessage": …, "errorType": …} when FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the handler failed, else "".
	FunctionError string
	RequestID     string
	Duration      time.Duration
}

// Invoke runs a function synchronously. An error is returned only when the
// function could not be run at all (not found, bad name); a failing
// handler yields a Result with FunctionError set, as Lambda reports it.
func (s *Service) Invoke(ctx context.Context, functionName string, payload []byte) (*Result, error) {
	e, err := s.lookup(functionName, "")
	if err != nil {
		return nil, err
	}
	res, log := s.run(ctx, e, payload, awsproto.NewRequestID())
	s.record(e.fn.Name, "RequestResponse", 1, payload, res, log)
	return res, nil
}

// run executes an invocation with the function's timeout: the in-process
// handler registered for the function if there is one, else its code in a
// process of its own. It returns the result and the function's output.
func (s *Service) run(ctx context.Context, e *entry, payload []byte, requestID string) (*Result, string) {
	s.mu.RLock()
	fn, handler := e.fn, e.handler
	s.mu.RUnlock()
	if handler == nil && fn.CodeDir != "" {
		return s.runProcess(ctx, fn, payload, requestID)
	}
	start := time.Now()
	res := &Result{RequestID: requestID}
	if handler == nil {
		res.FunctionError = "Unhandled"
		res.Payload = errorDocument("Runtime.HandlerNotFound", fmt.Sprintf(
			"function %s (runtime %q, handler %q) has neither code the local cloud can run nor a Go handler; %s",
			fn.Name, fn.Runtime, fn.Handler, s.handlerHint(fn)))
		return res, ""
	}
	ctx, cancel := context.WithTimeout(ctx, fn.Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID, InvokedFunctionArn: fn.Arn})

	type outcome struct {
		out []byte
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: messages.InvokeResponse_Error{Type: typeName(p), Message: fmt.Sprint(p)}}
			}
		}()
		out, err := handler.Invoke(ctx, payload)
		done <- outcome{out, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			res.FunctionError = "Unhandled"
			res.Payload = errorDocument(errorType(o.err), errorMessage(o.err))
		} else {
			res.Payload = o.out
			if len(res.Payload) == 0 {
				res.Payload = []byte("null")
			}
		}
	case <-ctx.Done():
		res.FunctionError = "Unhandled"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.Payload = errorDocument("Sandbox.Timedout", timedOut(requestID, fn.Timeout))
		} else {
			res.Payload = errorDocument("Runtime.Canceled", "the invocation was canceled: "+ctx.Err().Error())
		}
	}
	res.Duration = time.Since(start)
	return res, ""
}

// errorType names an error as the Lambda Go runtime does: the Type of a
// messages.InvokeResponse_Error (the value, not wrapped), else the name of
// the error's type.
func errorType(err error) string {
	if ie, ok := err.(messages.InvokeResponse_Error); ok {
		return ie.Type
	}
	return typeName(err)
}

// typeName is the name of v's type, through one pointer, as the Go runtime
// reports it ("" for an unnamed type).
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func errorDocument(typ, msg string) []byte {
	return mustJSON(map[string]string{"errorMessage": msg, "errorType": typ})
}

// handlerHint says how to give fn a handler.
func (s *Service) handlerHint(fn Function) string {
	if s.opts.HandlerHint != nil {
		return s.opts.HandlerHint(fn)
	}
	return fmt.Sprintf("register one with (*lambda.Service).Register(%q, handler)", fn.Name)
}

// errorMessage is the errorMessage of a failed invocation.
func errorMessage(err error) string {
	if ie, ok := err.(messages.InvokeResponse_Error); ok {
		return ie.Message
	}
	return err.Error()
}

// HasHandler reports whether an in-process handler is registered for the
// function called name.
func (s *Service) HasHandler(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.functions[name]
	return ok && e.handler != nil
}
