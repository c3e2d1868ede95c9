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
// Functions Execution Status Change" events and stops only the jobs whose
// batch.ExecutionTag names the ended execution, so the jobs of every other
// execution are never touched.
type StopJobs struct {
	bedrock StopBedrock
	clock   clock.Clock
	log     *slog.Logger
}

// NewStopJobs returns a StopJobs that lists, reads and stops jobs through
// bedrock and logs to logger (slog.Default() when nil).
func NewStopJobs(bedrock StopBedrock, logger *slog.Logger) *StopJobs {
	if logger == nil {
		logger = slog.Default()
	}
	return &StopJobs{bedrock: bedrock, clock: clock.Real{}, log: logger}
}

// WithClock makes StopJobs wait on c; it returns h.
func (h *StopJobs) WithClock(c clock.Clock) *StopJobs {
	h.clock = c
	return h
}

// submitSkew widens the listing of an execution's jobs before its start,
// for clocks that disagree.
const submitSkew = 5 * time.Minute

// Handle stops the active jobs of the execution the event names. It looks
// twice: at once, and again when a create-job call still in flight at the
// execution's end has had batch.CreateJobFunctionTimeout to finish, so a
// job created just after the end is stopped too. Events of other sources,
// types or statuses are ignored. It returns an error, after trying every
// job, when a job could not be read or stopped, so the event is retried.
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
	since := h.clock.Now().Add(-batch.ReconcileLookback)
	if d.StartDate > 0 {
		since = time.UnixMilli(d.StartDate).Add(-submitSkew)
	}
	end := h.clock.Now()
	if d.StopDate != nil {
		end = time.UnixMilli(*d.StopDate)
	}
	log = log.With("status", string(d.Status))
	stopped, err := h.stop(ctx, log, d.ExecutionArn, since)
	if wait := end.Add(batch.CreateJobFunctionTimeout).Sub(h.clock.Now()); wait > 0 {
		select {
		case <-h.clock.After(wait):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
	late, lateErr := h.stop(ctx, log, d.ExecutionArn, since)
	log.InfoContext(ctx, "stopped the jobs of an execution that ended without success", "stopped", stopped+late)
	return errors.Join(err, lateErr)
}

// stop stops every active job submitted after since whose execution tag
// names executionArn, and returns how many it stopped.
func (h *StopJobs) stop(ctx context.Context, log *slog.Logger, executionArn string, since time.Time) (int, error) {
	want := batch.ExecutionTagValue(executionArn)
	pages := bedrock.NewListModelInvocationJobsPaginator(h.bedrock, &bedrock.ListModelInvocationJobsInput{SubmitTimeAfter: aws.Time(since)})
	var errs []error
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			log.ErrorContext(ctx, "could not list jobs", "error", err.Error())
			return n, fmt.Errorf("list model invocation jobs: %w", err)
		}
		for _, s := range page.InvocationJobSummaries {
			if !batch.Status(s.Status).Active() {
				continue
			}
			jobArn := aws.ToString(s.JobArn)
			stopped, err := h.stopIfOurs(ctx, log.With("jobArn", jobArn), jobArn, want)
			if err != nil {
				errs = append(errs, err)
			}
			if stopped {
				n++
			}
		}
	}
	return n, errors.Join(errs...)
}

func (h *StopJobs) stopIfOurs(ctx context.Context, log *slog.Logger, jobArn, want string) (bool, error) {
	tags, err := h.bedrock.ListTagsForResource(ctx, &bedrock.ListTagsForResourceInput{ResourceARN: aws.String(jobArn)})
	if err != nil {
		log.ErrorContext(ctx, "could not list the job's tags", "error", err.Error())
		return false, fmt.Errorf("list tags of job %s: %w", jobArn, err)
	}
	var tagged bool
	for _, t := range tags.Tags {
		if aws.ToString(t.Key) == batch.ExecutionTag && aws.ToString(t.Value) == want {
			tagged = true
		}
	}
	if !tagged {
		return false, nil
	}
	_, err = h.bedrock.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(jobArn)})
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
