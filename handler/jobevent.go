package handler

import (
	"context"
	"encoding/json"
	"errors"
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
// it reads the job, rebuilds the task token from the job's tags, and sends
// SendTaskSuccess with the job's output files or SendTaskFailure with its
// status and message.
type JobEvent struct {
	bedrock JobReader
	s3      S3Lister
	sfn     TaskReporter
	log     *slog.Logger
}

// NewJobEvent returns a JobEvent that reads jobs through bedrock, lists their
// output through s3, reports to tasks through sfn, and logs to logger
// (slog.Default() when nil).
func NewJobEvent(bedrock JobReader, s3 S3Lister, sfn TaskReporter, logger *slog.Logger) *JobEvent {
	if logger == nil {
		logger = slog.Default()
	}
	return &JobEvent{bedrock: bedrock, s3: s3, sfn: sfn, log: logger}
}

// Handle processes one EventBridge event. It returns nil for events it
// ignores (another source, a non-terminal status, a job without task-token
// tags) and for a task that already ended (a duplicate or late event), and
// an error only for failures worth retrying or a malformed event, so that
// Lambda's retries are not spent on events that can never succeed.
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

	token, err := h.taskToken(ctx, d.BatchJobArn)
	if errors.Is(err, batch.ErrNoToken) {
		log.InfoContext(ctx, "ignored a job without task-token tags: it was not created by this system", "status", string(d.Status))
		return nil
	}
	if err != nil {
		log.ErrorContext(ctx, "could not rebuild the task token", "error", err.Error())
		return err
	}

	return h.report(ctx, log, arn, token, d.Status, d.FailureMessage)
}

// report reads the ended job and reports it to the task waiting for token:
// SendTaskSuccess with its output files, or SendTaskFailure with its status
// and message. The job-event path and Reconcile both report through it, so
// a job reported late, after a lost event, is reported exactly as its event
// would have been. seen is the status the caller saw (the event's, or the
// listing's) and message the event's failure message, used when the job
// gives none. A task that already ended is acknowledged (nil).
func (h *JobEvent) report(ctx context.Context, log *slog.Logger, arn batch.JobArn, token string, seen batch.Status, message string) error {
	jobArn := arn.String()
	job, err := h.bedrock.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(jobArn)})
	if err != nil {
		log.ErrorContext(ctx, "could not read job", "error", err.Error())
		return fmt.Errorf("read job %s: %w", jobArn, err)
	}
	status := batch.Status(job.Status)
	if !status.Terminal() {
		log.WarnContext(ctx, "job does not report a terminal status yet; retrying", "eventStatus", string(seen), "jobStatus", string(status))
		return &JobNotEndedError{JobArn: jobArn, Status: status, EventStatus: seen}
	}
	if status != seen {
		log.WarnContext(ctx, "event and job disagree on status; using the job's", "eventStatus", string(seen), "jobStatus", string(status))
	}
	log = log.With("status", string(status))
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

// taskToken rebuilds the task token from the job's tags; it returns an
// error wrapping batch.ErrNoToken for a job without token tags.
func (h *JobEvent) taskToken(ctx context.Context, jobArn string) (string, error) {
	out, err := h.bedrock.ListTagsForResource(ctx, &bedrock.ListTagsForResourceInput{ResourceARN: aws.String(jobArn)})
	if err != nil {
		return "", fmt.Errorf("list tags of job %s: %w", jobArn, err)
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	token, err := batch.TokenFromTags(tags)
	if err != nil {
		return "", fmt.Errorf("job %s: %w", jobArn, err)
	}
	return token, nil
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
