package handler

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

// Reconcile finds the jobs this stack started that have ended while their
// task still waits, because their completion event never reached the
// job-event function, and reports them exactly as that function would have
// (through the same code). It runs on a schedule and asks Bedrock only
// about the jobs the ledger holds open, so a run costs one query page per
// thousand or so open jobs plus one GetModelInvocationJob per open job,
// whatever the history. Every run is independent and safe to overlap with
// another run and with the event path: a task answered twice acknowledges
// the second answer quietly.
type Reconcile struct {
	ledger *Ledger
	event  *JobEvent
	clock  clock.Clock
	log    *slog.Logger
}

// NewReconcile returns a Reconcile that finds open jobs in ledger, reads
// them through bedrock, lists their output through s3, reports to tasks
// through sfn and logs to logger (slog.Default() when nil).
func NewReconcile(ledger *Ledger, bedrock JobReader, s3 S3Lister, sfn TaskReporter, logger *slog.Logger) *Reconcile {
	if logger == nil {
		logger = slog.Default()
	}
	return &Reconcile{ledger: ledger, event: NewJobEvent(ledger, bedrock, s3, sfn, logger), clock: clock.Real{}, log: logger}
}

// WithClock makes the reconciler measure job ages on c; it returns r.
func (r *Reconcile) WithClock(c clock.Clock) *Reconcile {
	r.clock = c
	return r
}

// ReconcileCounts summarises one run.
type ReconcileCounts struct {
	Pages    int // ledger query pages read
	Open     int // open ledger entries
	Running  int // of those, jobs still running
	Reported int // ended jobs reported to their task now
	Missing  int // open entries whose job Bedrock no longer knows: closed
	TooOld   int // open entries whose task cannot be waiting any more: closed
}

// Handle runs one reconciliation for a scheduled event (the event's
// content is not used). It returns an error when some job could not be
// checked or reported, after trying every other job, so that the run is
// retried; the jobs reported meanwhile stay reported.
func (r *Reconcile) Handle(ctx context.Context, _ events.CloudWatchEvent) error {
	_, err := r.Run(ctx)
	return err
}

// Run reads the ledger's open jobs and reports every one that has ended.
func (r *Reconcile) Run(ctx context.Context) (ReconcileCounts, error) {
	var c ReconcileCounts
	now := r.clock.Now()
	pages, err := r.ledger.OpenJobs(ctx, func(e LedgerEntry) error { return r.job(ctx, e, now, &c) })
	c.Pages = pages
	r.log.InfoContext(ctx, "reconciled", "pages", c.Pages, "open", c.Open, "running", c.Running, "reported", c.Reported,
		"missing", c.Missing, "tooOld", c.TooOld, "error", errString(err))
	return c, err
}

// job checks one open entry: it reads the job and, once the job has
// ended, reports it (which closes the entry).
func (r *Reconcile) job(ctx context.Context, e LedgerEntry, now time.Time, c *ReconcileCounts) error {
	c.Open++
	log := r.log.With("jobArn", e.JobArn)
	arn, err := batch.ParseJobArn(e.JobArn)
	if err != nil {
		log.WarnContext(ctx, "ledger entry names no model invocation job; closed", "error", err.Error())
		c.Missing++
		return r.ledger.Close(ctx, e.JobArn, batch.LedgerStateMissing)
	}
	job, err := r.event.readJob(ctx, log, arn)
	var gone *bedrocktypes.ResourceNotFoundException
	if errors.As(err, &gone) {
		log.WarnContext(ctx, "Bedrock no longer knows the job of an open ledger entry; closed")
		c.Missing++
		return r.ledger.Close(ctx, e.JobArn, batch.LedgerStateMissing)
	}
	if err != nil {
		return err
	}
	status := batch.Status(job.Status)
	if !status.Terminal() {
		if !e.SubmitTime.IsZero() && e.SubmitTime.Add(batch.WaitBound(e.TimeoutHours)).Before(now) {
			// Its task's heartbeat timeout has long passed: nothing waits.
			log.WarnContext(ctx, "job still runs past the longest a task waits for it; entry closed", "status", string(status))
			c.TooOld++
			return r.ledger.Close(ctx, e.JobArn, status)
		}
		c.Running++
		return nil
	}
	log.WarnContext(ctx, "job ended but its ledger entry is open (its event was lost or is late); reporting it", "status", string(status))
	if err := r.event.report(ctx, log, arn, e.TaskToken, job, "", ""); err != nil {
		return err
	}
	c.Reported++
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
