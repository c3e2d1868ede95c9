package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

// StopJobs stops the jobs of an execution that ended without success
// (failed, timed out or was stopped), which nothing waits for any more and
// which would otherwise run, and bill, to their end. It reacts to "Step
// Functions Execution Status Change" events and stops only the open jobs
// the ledger's execution index holds for the ended execution, so the jobs
// of every other execution are never touched and no job is listed.
type StopJobs struct {
	ledger  *Ledger
	bedrock JobStopper
	clock   clock.Clock
	log     *slog.Logger
}

// NewStopJobs returns a StopJobs that finds an execution's jobs in ledger,
// stops them through bedrock and logs to logger (slog.Default() when nil).
func NewStopJobs(ledger *Ledger, bedrock JobStopper, logger *slog.Logger) *StopJobs {
	if logger == nil {
		logger = slog.Default()
	}
	return &StopJobs{ledger: ledger, bedrock: bedrock, clock: clock.Real{}, log: logger}
}

// WithClock makes StopJobs wait on c; it returns h.
func (h *StopJobs) WithClock(c clock.Clock) *StopJobs {
	h.clock = c
	return h
}

// Handle stops the open jobs of the execution the event names. It looks
// twice: at once, and again when a create-job call still in flight at the
// execution's end has had batch.CreateJobFunctionTimeout to finish, so a
// job created just after the end is stopped too. Events of other sources,
// types or statuses are ignored. It returns an error, after trying every
// job, when a job could not be stopped, so the event is retried.
func (h *StopJobs) Handle(ctx context.Context, ev events.CloudWatchEvent) error {
	var d batch.ExecutionStatusChange
	if ours, err := decodeDetail(ctx, h.log, ev, batch.ExecutionEventSource, batch.ExecutionEventDetailType, &d); !ours || err != nil {
		return err
	}
	log := h.log.With("executionArn", d.ExecutionArn)
	if !d.Status.EndedWithoutSuccess() {
		log.InfoContext(ctx, "ignored an execution that has not ended without success", "status", string(d.Status))
		return nil
	}
	if d.ExecutionArn == "" {
		log.ErrorContext(ctx, "event names no execution", "eventId", ev.ID)
		return fmt.Errorf("event %s: the detail has no executionArn", ev.ID)
	}
	end := h.clock.Now()
	if d.StopDate != nil {
		end = time.UnixMilli(*d.StopDate)
	}
	log = log.With("status", string(d.Status))
	stopped := map[string]bool{}
	err := h.stop(ctx, log, d.ExecutionArn, stopped)
	if wait := end.Add(batch.CreateJobFunctionTimeout).Sub(h.clock.Now()); wait > 0 {
		select {
		case <-h.clock.After(wait):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
	lateErr := h.stop(ctx, log, d.ExecutionArn, stopped)
	log.InfoContext(ctx, "stopped the jobs of an execution that ended without success", "stopped", len(stopped))
	return errors.Join(err, lateErr)
}

// stop stops every open job of executionArn not yet in stopped, and adds
// the ones it stopped.
func (h *StopJobs) stop(ctx context.Context, log *slog.Logger, executionArn string, stopped map[string]bool) error {
	entries, err := h.ledger.ExecutionJobs(ctx, executionArn)
	if err != nil {
		log.ErrorContext(ctx, "could not read the execution's jobs from the ledger", "error", err.Error())
		return err
	}
	var errs []error
	for _, e := range entries {
		if !e.Open() || stopped[e.JobArn] {
			continue
		}
		ok, err := h.stopJob(ctx, log.With("jobArn", e.JobArn), e.JobArn)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			stopped[e.JobArn] = true
		}
	}
	return errors.Join(errs...)
}

// stopJob stops one job; a job that already ended, or is gone, is not an
// error. Its entry stays open: the job's Stopped event (or the reconciler)
// finds its task already ended and closes it.
func (h *StopJobs) stopJob(ctx context.Context, log *slog.Logger, jobArn string) (bool, error) {
	_, err := h.bedrock.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(jobArn)})
	var conflict *bedrocktypes.ConflictException
	var gone *bedrocktypes.ResourceNotFoundException
	switch {
	case errors.As(err, &conflict), errors.As(err, &gone):
		log.InfoContext(ctx, "job ended before it could be stopped", "error", err.Error())
		return false, nil
	case err != nil:
		log.ErrorContext(ctx, "could not stop job", "error", err.Error())
		return false, fmt.Errorf("stop job %s: %w", jobArn, err)
	}
	log.InfoContext(ctx, "stopped job")
	return true, nil
}
