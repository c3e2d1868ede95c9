package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

// Reconcile finds the jobs this system started that have ended while their
// task still waits, because their completion event never reached the
// job-event function, and reports them exactly as that function would have
// (through the same code). It runs on a schedule; every run is independent
// and safe to overlap with another run and with the event path: a task
// answered twice acknowledges the second answer quietly.
type Reconcile struct {
	jobs  JobLister
	sfn   TaskHeartbeater
	event *JobEvent
	clock clock.Clock
	log   *slog.Logger

	// What earlier runs of this instance (a warm Lambda, the local
	// cloud's function) settled, so that a run costs what changed since
	// the last one rather than every job of the lookback: every job
	// submitted before settled had ended and was dealt with, and done
	// holds the submit times of the ended jobs dealt with since, by ARN.
	// mu serialises runs of one instance.
	mu      sync.Mutex
	settled time.Time
	done    map[string]time.Time
}

// NewReconcile returns a Reconcile that lists and reads jobs through
// bedrock, lists their output through s3, reports to tasks through sfn and
// logs to logger (slog.Default() when nil).
func NewReconcile(bedrock ReconcileBedrock, s3 S3Lister, sfn ReconcileSFN, logger *slog.Logger) *Reconcile {
	if logger == nil {
		logger = slog.Default()
	}
	return &Reconcile{jobs: bedrock, sfn: sfn, event: NewJobEvent(bedrock, s3, sfn, logger), clock: clock.Real{}, log: logger,
		done: map[string]time.Time{}}
}

// WithClock makes the reconciler measure job ages on c; it returns r.
func (r *Reconcile) WithClock(c clock.Clock) *Reconcile {
	r.clock = c
	return r
}

// ReconcileCounts summarises one run.
type ReconcileCounts struct {
	Listed   int // jobs submitted within batch.ReconcileLookback
	Ended    int // of those, jobs in a terminal status
	Reported int // ended jobs whose waiting task was reported to now
	Answered int // ended jobs whose task no longer waits
	Foreign  int // ended jobs without task-token tags: not ours
	TooOld   int // ended jobs whose task cannot be waiting any more
	Known    int // ended jobs an earlier run of this instance dealt with: not asked again
}

// settleMargin is how far before the settled time a run lists again:
// jobs a listing shows only a little after their submission are not
// missed.
const settleMargin = time.Hour

// Handle runs one reconciliation for a scheduled event (the event's
// content is not used). It returns an error when some job could not be
// checked or reported, after trying every other job, so that the run is
// retried; the jobs reported meanwhile stay reported.
func (r *Reconcile) Handle(ctx context.Context, _ events.CloudWatchEvent) error {
	_, err := r.Run(ctx)
	return err
}

// Run lists the jobs submitted within batch.ReconcileLookback and reports
// every ended one whose task still waits. A run after another in the same
// instance lists only the jobs submitted since the oldest one the previous
// run found unfinished (less settleMargin), and asks nothing about the
// ended jobs an earlier run dealt with.
func (r *Reconcile) Run(ctx context.Context) (ReconcileCounts, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var c ReconcileCounts
	now := r.clock.Now()
	from := now.Add(-batch.ReconcileLookback)
	if at := r.settled.Add(-settleMargin); at.After(from) {
		from = at
	}
	pages := bedrock.NewListModelInvocationJobsPaginator(r.jobs, &bedrock.ListModelInvocationJobsInput{
		SubmitTimeAfter: aws.Time(from),
	})
	// settled moves up to the oldest job this run leaves unsettled: one
	// still running, or one it could not deal with.
	settled := now
	unsettled := func(at time.Time) {
		if at.Before(settled) {
			settled = at
		}
	}
	var errs []error
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			r.log.ErrorContext(ctx, "could not list jobs", "error", err.Error())
			return c, fmt.Errorf("list model invocation jobs: %w", err)
		}
		for _, s := range page.InvocationJobSummaries {
			c.Listed++
			arn, submitted := aws.ToString(s.JobArn), aws.ToTime(s.SubmitTime)
			status := batch.Status(s.Status)
			if !status.Terminal() {
				unsettled(submitted)
				continue
			}
			c.Ended++
			if _, ok := r.done[arn]; ok {
				c.Known++
				continue
			}
			if submitted.Add(batch.WaitBound(int(aws.ToInt32(s.TimeoutDurationInHours)))).Before(now) {
				c.TooOld++
				r.done[arn] = submitted
				continue
			}
			if err := r.job(ctx, s, status, &c); err != nil {
				errs = append(errs, err)
				unsettled(submitted)
				continue
			}
			r.done[arn] = submitted
		}
	}
	r.settled = settled
	for arn, at := range r.done {
		if at.Before(settled.Add(-settleMargin)) {
			delete(r.done, arn)
		}
	}
	r.log.InfoContext(ctx, "reconciled", "listed", c.Listed, "ended", c.Ended, "reported", c.Reported,
		"alreadyAnswered", c.Answered, "notOurs", c.Foreign, "tooOld", c.TooOld, "known", c.Known, "errors", len(errs))
	return c, errors.Join(errs...)
}

// job reports one ended job if its task still waits. A heartbeat is the
// cheap question "does this task still wait?": it fails with TaskTimedOut,
// InvalidToken or TaskDoesNotExist once the task has been answered.
func (r *Reconcile) job(ctx context.Context, s bedrocktypes.ModelInvocationJobSummary, status batch.Status, c *ReconcileCounts) error {
	jobArn := aws.ToString(s.JobArn)
	log := r.log.With("jobArn", jobArn)
	arn, err := batch.ParseJobArn(jobArn)
	if err != nil {
		log.WarnContext(ctx, "listed job has no model invocation job ARN; skipped", "error", err.Error())
		return nil
	}
	token, err := r.event.taskToken(ctx, jobArn)
	if errors.Is(err, batch.ErrNoToken) {
		c.Foreign++
		return nil
	}
	if err != nil {
		log.ErrorContext(ctx, "could not rebuild the task token", "error", err.Error())
		return err
	}
	if _, err := r.sfn.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
		if taskAlreadyEnded(err) {
			c.Answered++
			return nil
		}
		log.ErrorContext(ctx, "could not ask whether the task still waits", "error", err.Error())
		return fmt.Errorf("SendTaskHeartbeat for job %s: %w", jobArn, err)
	}
	log.WarnContext(ctx, "job ended but its task still waits (its event was lost); reporting it", "status", string(status))
	if err := r.event.report(ctx, log, arn, token, status, ""); err != nil {
		return err
	}
	c.Reported++
	return nil
}
