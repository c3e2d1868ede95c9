package lambda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// initTimeout bounds a runtime's start, up to its first request for an
// invocation: Lambda gives the init phase 10 seconds.
const initTimeout = 10 * time.Second

// sandbox is one execution environment: a runtime process of a function,
// with the Runtime API it polls served on a loopback port of its own (as
// each Lambda execution environment has its own endpoint).
type sandbox struct {
	fn     Function
	key    string // the function version it runs; see versionKey
	cmd    *exec.Cmd
	srv    *http.Server
	next   chan *call    // handed to the runtime's GET /next
	stop   chan struct{} // closed when the sandbox is being shut down
	exited chan struct{} // closed once the process has exited
	// initErr receives the error document the runtime posts to
	// /runtime/init/error.
	initErr chan []byte
	out     *outputLog

	mu       sync.Mutex
	current  *call // the invocation the runtime is working on
	exitErr  error
	stopOnce sync.Once
	idleFrom time.Time
}

// call is one invocation in a sandbox.
type call struct {
	requestID string
	payload   []byte
	arn       string
	timeout   time.Duration
	handed    chan struct{} // closed once the runtime has received the event
	deadline  time.Time     // set before handed is closed
	done      chan reply    // the runtime's response or error, once (buffered)
	answered  bool          // guarded by the sandbox's mu
	log       strings.Builder
	logMu     sync.Mutex
}

// reply is what the runtime posted for a call.
type reply struct {
	payload []byte
	failed  bool // posted to /error: payload is the error document
}

// versionKey identifies what a sandbox runs: a new deployment of the code
// or the configuration retires the sandboxes of the old one, as Lambda
// does.
func versionKey(fn Function) string {
	return fn.CodeSha256 + "|" + fn.CodeDir + "|" + fn.LastModified.Format(time.RFC3339Nano)
}

// startSandbox starts a runtime process of fn with its Runtime API.
func (s *Service) startSandbox(fn Function) (*sandbox, error) {
	l, err := s.launchOf(fn)
	if err != nil {
		return nil, err
	}
	endpoint := ""
	if s.opts.Endpoint != nil {
		if endpoint, err = s.opts.Endpoint(); err != nil {
			return nil, fmt.Errorf("the local cloud's endpoint for the function's SDK calls: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the runtime API: %w", err)
	}
	sb := &sandbox{
		fn: fn, key: versionKey(fn), next: make(chan *call), stop: make(chan struct{}),
		exited: make(chan struct{}), initErr: make(chan []byte, 1),
	}
	sb.out = &outputLog{sb: sb, log: s.opts.Logger.With("function", fn.Name), drained: make(chan struct{})}
	sb.srv = &http.Server{Handler: sb.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = sb.srv.Serve(ln) }()

	// The output goes through a pipe of our own, so that settle can see
	// whether the runtime wrote something not read yet.
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = sb.srv.Close()
		return nil, err
	}
	sb.out.pipe = pr
	cmd := exec.Command(l.path, l.args...)
	cmd.Dir = l.dir
	cmd.Env = s.processEnv(fn, ln.Addr().String(), endpoint)
	cmd.Stdout, cmd.Stderr = pw, pw
	ownProcessGroup(cmd)
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		_ = sb.srv.Close()
		return nil, fmt.Errorf("start %s: %w", l.path, err)
	}
	sb.cmd = cmd
	go sb.out.copy()
	go func() {
		err := cmd.Wait()
		<-sb.out.drained
		sb.mu.Lock()
		sb.exitErr = err
		sb.mu.Unlock()
		close(sb.exited)
		sb.shutdown()
	}()
	return sb, nil
}

// shutdown kills the runtime process (and what it started) and stops the
// Runtime API.
func (sb *sandbox) shutdown() {
	sb.stopOnce.Do(func() {
		close(sb.stop)
		killProcessGroup(sb.cmd)
		_ = sb.srv.Close()
	})
}

// exitError describes how the process ended, with the last lines it wrote.
func (sb *sandbox) exitError() string {
	sb.mu.Lock()
	err := sb.exitErr
	sb.mu.Unlock()
	status := "exit status 0"
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		status = exit.String()
	} else if err != nil {
		status = err.Error()
	}
	return "Runtime exited with error: " + status
}

// invoke runs one invocation in the sandbox, within the function's
// timeout; it reports whether the sandbox can serve another.
func (sb *sandbox) invoke(ctx context.Context, c *call) (res *Result, reusable bool) {
	res = &Result{RequestID: c.requestID}
	fail := func(typ, msg string) (*Result, bool) {
		res.FunctionError = "Unhandled"
		res.Payload = errorDocument(typ, msg)
		sb.shutdown()
		return res, false
	}
	// Hand the event over when the runtime asks for it: at once when it
	// is warm, after its initialization when it is new.
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	select {
	case sb.next <- c:
		<-c.handed
	case doc := <-sb.initErr:
		res.FunctionError = "Unhandled"
		res.Payload = doc
		sb.shutdown()
		return res, false
	case <-sb.exited:
		return fail("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: %s", c.requestID, sb.exitError()))
	case <-initTimer.C:
		return fail("Runtime.InitTimeout", fmt.Sprintf("RequestId: %s Error: the runtime did not ask for an invocation within the %s Lambda gives initialization", c.requestID, initTimeout))
	case <-ctx.Done():
		return fail("Runtime.Canceled", "the invocation was canceled: "+ctx.Err().Error())
	}
	timer := time.NewTimer(time.Until(c.deadline))
	defer timer.Stop()
	select {
	case r := <-c.done:
		sb.out.settle()
		res.Payload = r.payload
		if r.failed {
			res.FunctionError = "Unhandled"
		} else if len(res.Payload) == 0 {
			res.Payload = []byte("null")
		}
		return res, true
	case <-sb.exited:
		return fail("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: %s", c.requestID, sb.exitError()))
	case <-timer.C:
		return fail("Sandbox.Timedout", timedOut(c.requestID, c.timeout))
	case <-ctx.Done():
		return fail("Runtime.Canceled", "the invocation was canceled: "+ctx.Err().Error())
	}
}

// timedOut is Lambda's message for an invocation that ran out of time.
func timedOut(requestID string, timeout time.Duration) string {
	return fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds())
}

// outputLog takes a runtime process's stdout and stderr: each line goes to
// the service log and to the invocation the process is running.
type outputLog struct {
	sb      *sandbox
	log     interface{ Info(string, ...any) }
	pipe    *os.File      // the read end of the process's stdout and stderr
	drained chan struct{} // closed once the pipe is read to its end
	mu      sync.Mutex    // held while a read's lines are recorded
	part    []byte
}

// copy reads the process's output until it ends.
func (o *outputLog) copy() {
	defer close(o.drained)
	defer o.pipe.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := o.pipe.Read(buf)
		if n > 0 {
			o.write(buf[:n])
		}
		if err != nil {
			if len(o.part) > 0 {
				o.line(string(o.part))
			}
			return
		}
	}
}

func (o *outputLog) write(p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.part = append(o.part, p...)
	for {
		i := bytes.IndexByte(o.part, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.part[:i]))
		o.part = o.part[i+1:]
	}
}

// line records one line of output.
func (o *outputLog) line(text string) {
	o.sb.mu.Lock()
	c := o.sb.current
	o.sb.mu.Unlock()
	if c == nil {
		o.log.Info("lambda: function output", "line", text)
		return
	}
	o.log.Info("lambda: function output", "request_id", c.requestID, "line", text)
	c.logMu.Lock()
	if c.log.Len() < maxLogBytes {
		c.log.WriteString(text)
		c.log.WriteByte('\n')
	}
	c.logMu.Unlock()
}

// maxLogBytes is how much of an invocation's output its record keeps.
const maxLogBytes = 4 << 10

// settle waits until the output the runtime wrote before it answered has
// been read: its writes and its answer travel on different pipes, and
// the runtimes write synchronously, so what is in the pipe now belongs to
// the invocation that just ended.
func (o *outputLog) settle() {
	for range 50 {
		if pipePending(o.pipe) == 0 && o.lineComplete() {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// lineComplete reports whether the output read so far ends with a whole
// line (waiting for a read in hand to be recorded).
func (o *outputLog) lineComplete() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.part) == 0
}

// logText is the output of a finished call.
func (c *call) logText() string {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	return c.log.String()
}
