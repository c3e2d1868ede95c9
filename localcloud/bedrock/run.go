package bedrock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Causes with which a running job's context is cancelled.
var (
	errStopRequested = errors.New("the job was stopped")
	errExpired       = errors.New("the job reached its timeout")
)

// jobFailure is a reason for a job to end Failed, worded for its message.
type jobFailure struct{ msg string }

func (f *jobFailure) Error() string { return f.msg }

func failf(format string, args ...any) error {
	return &jobFailure{msg: fmt.Sprintf(format, args...)}
}

// run drives one job through its statuses until it ends or the engine closes.
func (e *Engine) run(ctx context.Context, s *jobState) {
	go e.watchExpiry(ctx, s)
	for {
		if e.ctx.Err() != nil {
			return // the engine is closing: resume at the next Start
		}
		switch context.Cause(ctx) {
		case errStopRequested:
			e.end(s, batch.StatusStopped, "")
			return
		case errExpired:
			e.expire(s)
			return
		}
		var err error
		switch status := e.status(s); status {
		case batch.StatusSubmitted:
			if err = e.sleep(ctx, max(e.cfg.StepDelay, e.cfg.SubmittedTime)); err == nil {
				e.transition(s, batch.StatusValidating, "", nil)
			}
		case batch.StatusValidating:
			err = e.validate(ctx, s)
		case batch.StatusScheduled, batch.StatusInProgress:
			err = e.runRecords(ctx, s, status)
			if err == nil {
				e.complete(s)
				return
			}
		case batch.StatusStopping:
			e.end(s, batch.StatusStopped, "")
			return
		default: // terminal
			return
		}
		if err == nil || ctx.Err() != nil {
			continue
		}
		msg := err.Error()
		if failure := (*jobFailure)(nil); !errors.As(err, &failure) {
			msg = "internal error: " + msg
		}
		e.end(s, batch.StatusFailed, msg)
		return
	}
}

// watchExpiry cancels the job when its expiration time comes.
func (e *Engine) watchExpiry(ctx context.Context, s *jobState) {
	e.mu.Lock()
	exp := s.rec.Job.JobExpirationTime
	stop := s.stop
	e.mu.Unlock()
	if exp == nil || stop == nil {
		return
	}
	select {
	case <-e.cfg.Clock.After(exp.Sub(e.cfg.Clock.Now())):
		stop(errExpired)
	case <-ctx.Done():
	}
}

// sleep waits d of clock time, or until ctx ends.
func (e *Engine) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-e.cfg.Clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) status(s *jobState) batch.Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.rec.Job.Status
}

// transition moves the job to a new status, persists it and publishes the
// change. It does nothing when the job has already ended, or is stopping and
// the new status is not an end; it reports whether the status changed.
func (e *Engine) transition(s *jobState, to batch.Status, message string, change func(*jobRecord)) bool {
	s.transition.Lock()
	defer s.transition.Unlock()
	e.mu.Lock()
	cur := s.rec.Job.Status
	if cur.Terminal() || (cur == batch.StatusStopping && !to.Terminal()) {
		e.mu.Unlock()
		return false
	}
	if change != nil {
		change(&s.rec)
	}
	e.setStatusLocked(s, to, message)
	if to.Terminal() {
		s.live = nil
	}
	rec := s.rec
	e.mu.Unlock()
	if err := e.store.save(rec, true); err != nil {
		e.cfg.Logger.Error("could not store a batch job's status", "job", rec.Job.JobArn, "status", to, "error", err)
	} else if to.Terminal() {
		e.mu.Lock()
		s.slimLocked()
		e.mu.Unlock()
	}
	e.publish(e.ctx, rec.Job)
	if to.Terminal() {
		close(s.finished)
	}
	return true
}

// complete ends a job whose records have all run, by how they went.
func (e *Engine) complete(s *jobState) {
	sum, err := e.writeOutputs(s)
	if err != nil {
		e.endAfterOutputError(s, err)
		return
	}
	status, msg := batch.StatusCompleted, ""
	switch {
	case sum.ErrorRecordCount > 0 && sum.SuccessRecordCount == 0:
		status = batch.StatusFailed
		msg = fmt.Sprintf("all %d records failed; the error of each is in its output line", sum.ErrorRecordCount)
	case sum.ErrorRecordCount > 0:
		status = batch.StatusPartiallyCompleted
		msg = fmt.Sprintf("%d of %d records failed; the error of each is in its output line", sum.ErrorRecordCount, sum.TotalRecordCount)
	}
	e.transition(s, status, msg, withCounts(sum))
}

// expire ends a job at its timeout: Expired if it never started running
// records, as the service does; PartiallyCompleted with the output of the
// records done so far if it had.
func (e *Engine) expire(s *jobState) {
	e.mu.Lock()
	ran, hours := s.rec.Ran, s.rec.Job.TimeoutDurationInHours
	e.mu.Unlock()
	if !ran {
		e.transition(s, batch.StatusExpired, fmt.Sprintf("the job did not start within its timeout of %d hours; submit it again", hours), nil)
		return
	}
	sum, err := e.writeOutputs(s)
	if err != nil {
		e.endAfterOutputError(s, err)
		return
	}
	e.transition(s, batch.StatusPartiallyCompleted,
		fmt.Sprintf("not all records could be processed within the timeout of %d hours: %d of %d were processed", hours, sum.ProcessedRecordCount, sum.TotalRecordCount),
		withCounts(sum))
}

// end moves the job to a final status, writing the output of the records
// processed so far if it had started running them.
func (e *Engine) end(s *jobState, status batch.Status, msg string) {
	e.mu.Lock()
	ran := s.rec.Ran
	e.mu.Unlock()
	var change func(*jobRecord)
	if ran {
		sum, err := e.writeOutputs(s)
		if err != nil {
			e.endAfterOutputError(s, err)
			return
		}
		change = withCounts(sum)
		if status == batch.StatusStopped {
			msg = fmt.Sprintf("the job was stopped after %d of %d records were processed", sum.ProcessedRecordCount, sum.TotalRecordCount)
		}
	}
	e.transition(s, status, msg, change)
}

// endAfterOutputError fails a job whose output could not be written, unless
// the engine is closing, in which case the next Start writes it again.
func (e *Engine) endAfterOutputError(s *jobState, err error) {
	if e.ctx.Err() != nil {
		return
	}
	e.transition(s, batch.StatusFailed, fmt.Sprintf("could not write the job's output: %v", err), nil)
}
