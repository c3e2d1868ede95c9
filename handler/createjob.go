package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

// CreateJob starts one Bedrock batch inference job for one manifest and
// records the job, with the waiting task's token, in the job ledger, so
// that JobEvent can report the job's outcome to that task. The token is
// never put on the job: tags are readable by anyone allowed to list them.
type CreateJob struct {
	bedrock JobCreator
	ledger  *Ledger
	clock   clock.Clock
	log     *slog.Logger
}

// NewCreateJob returns a CreateJob that records jobs in ledger, calls
// bedrock and logs to logger (slog.Default() when nil).
func NewCreateJob(ledger *Ledger, bedrock JobCreator, logger *slog.Logger) *CreateJob {
	if logger == nil {
		logger = slog.Default()
	}
	return &CreateJob{bedrock: bedrock, ledger: ledger, clock: clock.Real{}, log: logger}
}

// WithClock makes CreateJob stamp submit times on c; it returns h.
func (h *CreateJob) WithClock(c clock.Clock) *CreateJob {
	h.clock = c
	return h
}

// JobNameConflictError is returned when Bedrock refuses a job because of a
// conflict. A retry of the same task cannot cause it (the client request
// token makes that retry return the existing job), so another job already
// holds the name.
type JobNameConflictError struct {
	JobName      string // the name sent to Bedrock
	OriginalName string // the name in the payload
	Err          error  // the service's error
}

func (e *JobNameConflictError) Error() string {
	return fmt.Sprintf("create job %q (from %q): Bedrock reports a conflict, most likely another job in this account and region already has this name; start each execution with a distinct job_name: %v",
		e.JobName, e.OriginalName, e.Err)
}

func (e *JobNameConflictError) Unwrap() error { return e.Err }

// Handle validates p, makes its job name valid, creates the job with a
// client request token derived from the task token, so a retried
// invocation returns the same job instead of creating a second one, and
// records the job in the ledger (idempotently too). Errors are *InvalidPayloadError for a bad payload,
// *JobNameConflictError for a name conflict, and the SDK's error (wrapped)
// for anything else.
func (h *CreateJob) Handle(ctx context.Context, p batch.CreateJobPayload) (batch.CreateJobResult, error) {
	if err := ValidatePayload(p); err != nil {
		h.log.ErrorContext(ctx, "rejected create-job payload", "jobName", p.JobName, "error", err.Error())
		return batch.CreateJobResult{}, err
	}
	name := batch.SanitizeJobName(p.JobName)
	tags, err := jobTags(p)
	if err != nil { // ValidatePayload has already checked this
		return batch.CreateJobResult{}, err
	}
	in, out := p.InputDataConfig.S3InputDataConfig, p.OutputDataConfig.S3OutputDataConfig

	created, err := h.bedrock.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name),
		RoleArn: aws.String(p.RoleArn),
		ModelId: aws.String(p.ModelID),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String(in.S3URI), S3BucketOwner: optional(in.S3BucketOwner)},
		},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String(out.S3URI),
				S3BucketOwner: optional(out.S3BucketOwner), S3EncryptionKeyId: optional(out.S3EncryptionKeyID)},
		},
		TimeoutDurationInHours: aws.Int32(int32(p.TimeoutDurationInHours)),
		ClientRequestToken:     aws.String(batch.ClientRequestToken(p.TaskToken)),
		ModelInvocationType:    types.ModelInvocationType(modelInvocationType(p.ModelInvocationType)),
		VpcConfig:              vpcConfig(p.VpcConfig),
		Tags:                   tags,
	})
	if err != nil {
		var conflict *types.ConflictException
		if errors.As(err, &conflict) {
			err = &JobNameConflictError{JobName: name, OriginalName: p.JobName, Err: err}
		} else {
			err = fmt.Errorf("create Bedrock batch job %q for %s: %w", name, p.InputDataConfig.S3InputDataConfig.S3URI, err)
		}
		h.log.ErrorContext(ctx, "could not create job", "jobName", name, "error", err.Error())
		return batch.CreateJobResult{}, err
	}
	arn := aws.ToString(created.JobArn)
	if arn == "" {
		return batch.CreateJobResult{}, fmt.Errorf("create Bedrock batch job %q: the response has no job ARN", name)
	}
	log := h.log.With("jobArn", arn)
	err = h.ledger.Record(ctx, LedgerEntry{
		JobArn: arn, TaskToken: p.TaskToken, ExecutionArn: p.ExecutionArn,
		Manifest: p.InputDataConfig.S3InputDataConfig.S3URI, ModelID: p.ModelID, JobName: name,
		SubmitTime: h.clock.Now(), TimeoutHours: p.TimeoutDurationInHours,
	})
	if err != nil {
		// A retry gets the same job (same client request token) and
		// records it again.
		log.ErrorContext(ctx, "created the job but could not record it in the ledger", "error", err.Error())
		return batch.CreateJobResult{}, err
	}
	if name != p.JobName {
		log.InfoContext(ctx, "job name changed to one Bedrock accepts", "originalName", p.JobName, "jobName", name)
	}
	log.InfoContext(ctx, "created job", "jobName", name, "modelId", p.ModelID,
		"input", p.InputDataConfig.S3InputDataConfig.S3URI, "output", p.OutputDataConfig.S3OutputDataConfig.S3URI,
		"modelInvocationType", modelInvocationType(p.ModelInvocationType), "tags", len(tags), "ledger", h.ledger.Table())
	return batch.CreateJobResult{JobArn: arn}, nil
}

// jobTags are all the tags of p's job, in one place: the fragment's and
// then the execution's tags (the execution's value wins for a key both
// set), then the original job name and the starting execution. The task
// token is not among them: it is kept in the ledger, where only the
// construct's functions read it.
func jobTags(p batch.CreateJobPayload) ([]types.Tag, error) {
	user := make(map[string]string, len(p.DefaultJobTags)+len(p.JobTags))
	for k, v := range p.DefaultJobTags {
		user[k] = v
	}
	for k, v := range p.JobTags {
		user[k] = v
	}
	tags := make([]types.Tag, 0, len(user)+batch.MaxSystemTags)
	for _, k := range batch.SortedTagKeys(user) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(user[k])})
	}
	tags = append(tags, types.Tag{Key: aws.String(batch.OriginalNameTag), Value: aws.String(tagValue(p.JobName))})
	if p.ExecutionArn != "" {
		tags = append(tags, types.Tag{Key: aws.String(batch.ExecutionTag), Value: aws.String(batch.ExecutionTagValue(p.ExecutionArn))})
	}
	if len(tags) > batch.MaxJobTags {
		return nil, fmt.Errorf("the job would have %d tags; Bedrock allows %d", len(tags), batch.MaxJobTags)
	}
	return tags, nil
}

// modelInvocationType is t, or InvokeModel when t is empty.
func modelInvocationType(t string) string {
	if t == "" {
		return batch.InvocationInvokeModel
	}
	return t
}

// vpcConfig is v in the SDK's shape; nil stays nil.
func vpcConfig(v *batch.VpcConfig) *types.VpcConfig {
	if v == nil {
		return nil
	}
	return &types.VpcConfig{SubnetIds: v.SubnetIDs, SecurityGroupIds: v.SecurityGroupIDs}
}

// optional is nil for an empty string, so the request leaves the field out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// tagValue turns s into a valid tag value: characters tags do not allow
// become '_' and the result is cut to the tag value limit.
func tagValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == batch.MaxTagValueLen {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" ._:/=+@-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
