package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Error names JobEvent sends with SendTaskFailure when a job succeeded but
// its result cannot be reported. A job that failed is reported under its
// status instead (Failed, Stopped, Expired).
const (
	// ErrorOutputTooLarge: the list of output keys does not fit in a task
	// output (batch.MaxTaskOutputChars).
	ErrorOutputTooLarge = "OutputTooLarge"
	// ErrorNoOutputLocation: the job's description has no usable S3 output
	// URI, so its output files cannot be listed.
	ErrorNoOutputLocation = "NoOutputLocation"
)

// InvalidEventError is an event the job-event function cannot read: a
// retry cannot help.
type InvalidEventError struct {
	EventID string
	Problem string
}

func (e *InvalidEventError) Error() string { return "event " + e.EventID + ": " + e.Problem }

// JobNotEndedError is a terminal-status event for a job the service still
// reports as running (events can arrive before the job's description
// changes): a retry reads the job again.
type JobNotEndedError struct {
	JobArn      string
	Status      batch.Status
	EventStatus batch.Status
}

func (e *JobNotEndedError) Error() string {
	return fmt.Sprintf("job %s reports status %q after a %q event; retry later", e.JobArn, e.Status, e.EventStatus)
}

// decodeDetail decodes the detail of ev into d when ev has the given source
// and detail type. ours is false (and the event logged as ignored) for any
// other event; a detail that cannot be decoded is an *InvalidEventError.
func decodeDetail(ctx context.Context, log *slog.Logger, ev events.CloudWatchEvent, source, detailType string, d any) (ours bool, err error) {
	if ev.Source != source || ev.DetailType != detailType {
		log.WarnContext(ctx, "ignored an event that is not a "+detailType,
			"eventId", ev.ID, "source", ev.Source, "detailType", ev.DetailType)
		return false, nil
	}
	if err := json.Unmarshal(ev.Detail, d); err != nil {
		log.ErrorContext(ctx, "could not decode event detail", "eventId", ev.ID, "error", err.Error())
		return true, &InvalidEventError{EventID: ev.ID, Problem: fmt.Sprintf("decode %q detail: %v", detailType, err)}
	}
	return true, nil
}

// JobEvent reports the end of a Bedrock batch job to the Step Functions task
// waiting for it. It reacts to "Batch Inference Job State Change" events:
// it reads the task token from the job ledger by the job's ARN, reads the
// job, and sends SendTaskSuccess with the job's output files or
// SendTaskFailure with its status and message; then it closes the job's
// ledger entry. It never reads the job's tags, which Bedrock may refuse to
// list for a stopped job.
type JobEvent struct {
	bedrock JobReader
	s3      S3Lister
	sfn     TaskReporter
	ledger  *Ledger
	log     *slog.Logger
}

// NewJobEvent returns a JobEvent that finds task tokens in ledger, reads
// jobs through bedrock, lists their output through s3, reports to tasks
// through sfn, and logs to logger (slog.Default() when nil).
func NewJobEvent(ledger *Ledger, bedrock JobReader, s3 S3Lister, sfn TaskReporter, logger *slog.Logger) *JobEvent {
	if logger == nil {
		logger = slog.Default()
	}
	return &JobEvent{bedrock: bedrock, s3: s3, sfn: sfn, ledger: ledger, log: logger}
}

// Handle processes one EventBridge event. It returns nil for events it
// ignores (another source, a non-terminal status, a job the ledger does not
// hold or has closed) and for a task that already ended (a duplicate or
// late event), and an error only for failures worth retrying or a
// malformed event, so that Lambda's retries are not spent on events that
// can never succeed.
func (h *JobEvent) Handle(ctx context.Context, ev events.CloudWatchEvent) error {
	var d batch.JobStateChange
	if ours, err := decodeDetail(ctx, h.log, ev, batch.EventSource, batch.EventDetailType, &d); !ours || err != nil {
		return err
	}
	log := h.log.With("jobArn", d.BatchJobArn)
	if !d.Status.Terminal() {
		log.InfoContext(ctx, "ignored non-terminal status", "status", string(d.Status))
		return nil
	}
	arn, err := batch.ParseJobArn(d.BatchJobArn)
	if err != nil {
		log.ErrorContext(ctx, "event names no model invocation job", "eventId", ev.ID, "error", err.Error())
		return &InvalidEventError{EventID: ev.ID, Problem: err.Error()}
	}

	entry, ok, err := h.ledger.Get(ctx, d.BatchJobArn)
	if err != nil {
		log.ErrorContext(ctx, "could not read the job's ledger entry", "error", err.Error())
		return err
	}
	if !ok {
		log.InfoContext(ctx, "ignored a job the ledger does not hold: it was not created by this stack", "status", string(d.Status))
		return nil
	}
	if !entry.Open() {
		log.InfoContext(ctx, "ignored a job whose task was already answered", "status", string(d.Status), "ledgerState", entry.State)
		return nil
	}
	job, err := h.readJob(ctx, log, arn)
	if err != nil {
		return err
	}
	return h.report(ctx, log, arn, entry.TaskToken, job, d.Status, d.FailureMessage)
}

// readJob reads the job's description.
func (h *JobEvent) readJob(ctx context.Context, log *slog.Logger, arn batch.JobArn) (*bedrock.GetModelInvocationJobOutput, error) {
	job, err := h.bedrock.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn.String())})
	if err != nil {
		log.ErrorContext(ctx, "could not read job", "error", err.Error())
		return nil, fmt.Errorf("read job %s: %w", arn, err)
	}
	return job, nil
}

// report reports the ended job to the task waiting for token:
// SendTaskSuccess with its output files, or SendTaskFailure with its status
// and message; then it closes the job's ledger entry. The job-event path
// and Reconcile both report through it, so a job reported late, after a
// lost event, is reported exactly as its event would have been. job is the
// job's description, seen the status the caller saw (the event's, or the
// ledger's) and message the event's failure message, used when the job
// gives none. A task that already ended is acknowledged (nil) and its entry
// closed.
func (h *JobEvent) report(ctx context.Context, log *slog.Logger, arn batch.JobArn, token string, job *bedrock.GetModelInvocationJobOutput, seen batch.Status, message string) error {
	jobArn := arn.String()
	status := batch.Status(job.Status)
	if !status.Terminal() {
		log.WarnContext(ctx, "job does not report a terminal status yet; retrying", "eventStatus", string(seen), "jobStatus", string(status))
		return &JobNotEndedError{JobArn: jobArn, Status: status, EventStatus: seen}
	}
	if seen != "" && status != seen {
		log.WarnContext(ctx, "event and job disagree on status; using the job's", "eventStatus", string(seen), "jobStatus", string(status))
	}
	log = log.With("status", string(status))
	if err := h.answer(ctx, log, arn, token, job, status, message); err != nil {
		return err
	}
	if err := h.ledger.Close(ctx, jobArn, status); err != nil {
		// The task is answered; the reconciler closes the entry when it
		// finds the task gone.
		log.ErrorContext(ctx, "reported the job but could not close its ledger entry", "error", err.Error())
		return err
	}
	return nil
}

// answer sends the task its answer for a job that ended with status.
func (h *JobEvent) answer(ctx context.Context, log *slog.Logger, arn batch.JobArn, token string, job *bedrock.GetModelInvocationJobOutput, status batch.Status, message string) error {
	jobArn := arn.String()
	if m := aws.ToString(job.Message); m != "" {
		message = m
	}
	if !status.Succeeded() {
		errName, cause := taskFailure(jobArn, status, message)
		return h.fail(ctx, log, token, errName, cause)
	}
	out, ok := outputURI(job.OutputDataConfig)
	if !ok {
		return h.fail(ctx, log, token, ErrorNoOutputLocation,
			fmt.Sprintf("Bedrock batch job %s ended with status %s, but its description has no valid S3 output URI, so its output files cannot be listed", jobArn, status))
	}
	keys, err := h.outputKeys(ctx, out, arn.JobID)
	if err != nil {
		log.ErrorContext(ctx, "could not list job output", "error", err.Error())
		return err
	}
	result, err := json.Marshal(batch.JobResult{Status: status, Bucket: out.Bucket, Keys: keys})
	if err != nil {
		return fmt.Errorf("encode result of job %s: %w", jobArn, err)
	}
	if len(result) > batch.MaxTaskOutputChars {
		return h.fail(ctx, log, token, ErrorOutputTooLarge,
			fmt.Sprintf("Bedrock batch job %s ended with status %s and wrote %d output files under s3://%s/%s; their keys take %d characters, over Step Functions' limit of %d for a task output. Read the files from S3 directly, or split the input into more, smaller manifests.",
				jobArn, status, len(keys), out.Bucket, batch.JobOutputPrefix(out, arn.JobID), len(result), batch.MaxTaskOutputChars))
	}
	_, err = h.sfn.SendTaskSuccess(ctx, sendTaskSuccessInput(token, string(result)))
	if err != nil {
		return h.sendError(ctx, log, "SendTaskSuccess", err)
	}
	log.InfoContext(ctx, "reported success", "bucket", out.Bucket, "keys", len(keys))
	return nil
}

// outputURI extracts and parses the job's S3 output URI.
func outputURI(c bedrocktypes.ModelInvocationJobOutputDataConfig) (batch.S3URI, bool) {
	s3c, ok := c.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !ok {
		return batch.S3URI{}, false
	}
	u, err := batch.ParseS3URI(aws.ToString(s3c.Value.S3Uri))
	return u, err == nil
}

// taskFailure returns the error name and cause reported for a job that ended
// without usable output, each cut to Step Functions' limits.
func taskFailure(jobArn string, status batch.Status, message string) (errName, cause string) {
	if message == "" {
		message = fmt.Sprintf("Bedrock batch job %s ended with status %s and gave no message", jobArn, status)
	}
	return batch.Truncate(string(status), batch.MaxTaskErrorChars), batch.Truncate(message, batch.MaxTaskCauseChars)
}

// fail sends SendTaskFailure and logs what was reported.
func (h *JobEvent) fail(ctx context.Context, log *slog.Logger, token, errName, cause string) error {
	_, err := h.sfn.SendTaskFailure(ctx, sendTaskFailureInput(token, errName, cause))
	if err != nil {
		return h.sendError(ctx, log, "SendTaskFailure", err)
	}
	log.InfoContext(ctx, "reported failure", "error", errName, "cause", cause)
	return nil
}
