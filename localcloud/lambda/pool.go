package lambda

import (
	"context"
	"sync"
	"time"
)

// DefaultConcurrency is how many invocations of one function run at once
// when neither the function (its reserved concurrency) nor the Options say.
const DefaultConcurrency = 10

// DefaultIdleTimeout is how long an idle execution environment is kept
// warm before its process is ended.
const DefaultIdleTimeout = 10 * time.Minute

// pool holds a function's execution environments: idle ones are reused
// (warm starts), new ones are started on demand (cold starts) up to the
// function's concurrency; an invocation beyond it waits for a free one.
type pool struct {
	slots chan struct{}
	mu    sync.Mutex
	idle  []*sandbox
	all   map[*sandbox]bool
}

// poolOf returns the pool of fn, sized by its concurrency when created.
func (s *Service) poolOf(fn Function) *pool {
	s.poolsMu.Lock()
	defer s.poolsMu.Unlock()
	p, ok := s.pools[fn.Name]
	if !ok {
		n := fn.Concurrency
		if n <= 0 {
			n = s.opts.Concurrency
		}
		p = &pool{slots: make(chan struct{}, n), all: map[*sandbox]bool{}}
		s.pools[fn.Name] = p
	}
	return p
}

// runProcess runs an invocation of fn in one of its execution
// environments, starting one if none is idle.
func (s *Service) runProcess(ctx context.Context, fn Function, payload []byte, requestID string) (*Result, string) {
	start := time.Now()
	p := s.poolOf(fn)
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return &Result{RequestID: requestID, FunctionError: "Unhandled",
			Payload: errorDocument("Runtime.Canceled", "the invocation was canceled while waiting for a free execution environment: "+ctx.Err().Error())}, ""
	}
	defer func() { <-p.slots }()

	sb := p.takeIdle(versionKey(fn))
	if sb == nil {
		var err error
		if sb, err = s.startSandbox(fn); err != nil {
			return &Result{RequestID: requestID, FunctionError: "Unhandled", Duration: time.Since(start),
				Payload: errorDocument("Runtime.InvalidEntrypoint", "RequestId: "+requestID+" Error: "+err.Error())}, ""
		}
		p.mu.Lock()
		p.all[sb] = true
		p.mu.Unlock()
	}
	c := &call{requestID: requestID, payload: payload, arn: fn.Arn, timeout: fn.Timeout,
		handed: make(chan struct{}), done: make(chan reply, 1)}
	res, reusable := sb.invoke(ctx, c)
	res.Duration = time.Since(start)
	if reusable && versionKey(s.current(fn.Name)) == sb.key {
		p.putIdle(sb, s.opts.IdleTimeout)
	} else {
		p.remove(sb)
	}
	return res, c.logText()
}

// current is the deployed configuration of a function, or a zero Function.
func (s *Service) current(name string) Function {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.functions[name]; ok {
		return e.fn
	}
	return Function{}
}

// takeIdle returns the most recently used idle sandbox running version
// key; idle sandboxes of other versions are ended.
func (p *pool) takeIdle(key string) *sandbox {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		sb := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-sb.exited:
			delete(p.all, sb)
			continue
		default:
		}
		if sb.key == key {
			return sb
		}
		delete(p.all, sb)
		sb.shutdown()
	}
	return nil
}

// putIdle keeps sb warm for idle, then ends it unless it was used again.
func (p *pool) putIdle(sb *sandbox, idle time.Duration) {
	p.mu.Lock()
	sb.idleFrom = time.Now()
	from := sb.idleFrom
	p.idle = append(p.idle, sb)
	p.mu.Unlock()
	time.AfterFunc(idle, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for i, x := range p.idle {
			if x == sb && sb.idleFrom.Equal(from) {
				p.idle = append(p.idle[:i], p.idle[i+1:]...)
				delete(p.all, sb)
				sb.shutdown()
				return
			}
		}
	})
}

// remove ends sb and forgets it.
func (p *pool) remove(sb *sandbox) {
	sb.shutdown()
	p.mu.Lock()
	delete(p.all, sb)
	p.mu.Unlock()
}

// closeAll ends every sandbox of the pool.
func (p *pool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for sb := range p.all {
		sb.shutdown()
	}
	p.all = map[*sandbox]bool{}
	p.idle = nil
}

// retire ends the idle sandboxes of a function whose code or
// configuration changed; busy ones end when their invocation does.
func (s *Service) retire(name string) {
	s.poolsMu.Lock()
	p := s.pools[name]
	s.poolsMu.Unlock()
	if p == nil {
		return
	}
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	for _, sb := range idle {
		delete(p.all, sb)
	}
	p.mu.Unlock()
	for _, sb := range idle {
		sb.shutdown()
	}
}

// Close ends every function process. Invocations in flight fail.
func (s *Service) Close() {
	s.poolsMu.Lock()
	pools := s.pools
	s.pools = map[string]*pool{}
	s.poolsMu.Unlock()
	for _, p := range pools {
		p.closeAll()
	}
}
