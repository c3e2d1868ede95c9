package lambda

import (
	"context"
	"fmt"
	"time"
)

// queued is an asynchronous invocation waiting in the spool.
type queued struct {
	ID        string    `json:"id"`
	Function  string    `json:"function"`
	Payload   []byte    `json:"payload"`
	Attempts  int       `json:"attempts"` // attempts made so far
	Enqueued  time.Time `json:"enqueued"`
	RequestID string    `json:"requestId"`
	LastError string    `json:"lastError,omitempty"`
}

// enqueue spools an Event invocation and, once the service is started,
// runs it.
func (s *Service) enqueue(function string, payload []byte, requestID string) error {
	q := queued{ID: s.queue.NewID(), Function: function, Payload: payload, Enqueued: time.Now().UTC(), RequestID: requestID}
	if err := s.queue.Put(q.ID, q); err != nil {
		return fmt.Errorf("queue the asynchronous invocation of %s: %w", function, err)
	}
	s.mu.RLock()
	ctx := s.running
	s.mu.RUnlock()
	if ctx != nil {
		s.wg.Add(1)
		go s.runQueued(ctx, q)
	}
	return nil
}

// Start runs the asynchronous invocations queued before (by an earlier
// process too) and those queued from now on, until ctx is done. Call it
// once the functions are registered, so spooled invocations find them.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	s.running = ctx
	s.mu.Unlock()
	ids, err := s.queue.IDs()
	if err != nil {
		return err
	}
	for _, id := range ids {
		var q queued
		if err := s.queue.Get(id, &q); err != nil {
			s.opts.Logger.Error("lambda: unreadable queued invocation; skipped", "id", id, "error", err)
			continue
		}
		s.wg.Add(1)
		go s.runQueued(ctx, q)
	}
	return nil
}

// Wait blocks until every running asynchronous invocation has finished or
// stopped because the Start context ended.
func (s *Service) Wait() { s.wg.Wait() }

// runQueued makes the remaining attempts of a queued invocation, waiting
// the retry delays between them. If ctx ends first, the invocation stays
// spooled for the next Start.
func (s *Service) runQueued(ctx context.Context, q queued) {
	defer s.wg.Done()
	log := s.opts.Logger.With("function", q.Function, "request_id", q.RequestID)
	for q.Attempts <= len(s.opts.AsyncRetryDelays) {
		if q.Attempts > 0 {
			select {
			case <-s.opts.Clock.After(s.opts.AsyncRetryDelays[q.Attempts-1]):
			case <-ctx.Done():
				return
			}
		}
		errText := s.attempt(ctx, q)
		if ctx.Err() != nil {
			return
		}
		q.Attempts++
		if errText == "" {
			if err := s.queue.Remove(q.ID); err != nil {
				log.Error("lambda: finished asynchronous invocation stays queued", "error", err)
			}
			return
		}
		q.LastError = errText
		log.Warn("lambda: asynchronous invocation failed", "attempt", q.Attempts, "error", errText)
		if err := s.queue.Put(q.ID, q); err != nil {
			log.Error("lambda: cannot record the failed attempt", "error", err)
		}
	}
	log.Error("lambda: asynchronous invocation failed every attempt; kept in the failed directory",
		"attempts", q.Attempts, "dir", s.dead.Dir(), "error", q.LastError)
	if err := s.dead.Put(q.ID, q); err == nil {
		_ = s.queue.Remove(q.ID)
	}
	s.deadLetter(ctx, q)
}

// attempt runs a queued invocation once; it returns "" on success or what
// went wrong.
func (s *Service) attempt(ctx context.Context, q queued) string {
	e, err := s.lookup(q.Function, "")
	if err != nil {
		return err.Error()
	}
	res, log := s.run(ctx, e, q.Payload, q.RequestID)
	if ctx.Err() == nil {
		s.record(q.Function, "Event", q.Attempts+1, q.Payload, res, log)
	}
	if res.FunctionError != "" {
		return string(res.Payload)
	}
	return ""
}
