package httpapi

import (
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// timestampLayout is how the service writes its date-time timestamps:
// RFC 3339 in UTC with millisecond precision, the resolution the service
// keeps.
const timestampLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timestampLayout) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// jobJSON is a job as GetModelInvocationJob returns it and as
// ListModelInvocationJobs summarises it (both shapes have the same members).
type jobJSON struct {
	JobArn                 string                 `json:"jobArn"`
	JobName                string                 `json:"jobName"`
	ModelID                string                 `json:"modelId"`
	ClientRequestToken     string                 `json:"clientRequestToken,omitempty"`
	RoleArn                string                 `json:"roleArn"`
	Status                 string                 `json:"status"`
	Message                string                 `json:"message,omitempty"`
	SubmitTime             string                 `json:"submitTime"`
	LastModifiedTime       *string                `json:"lastModifiedTime,omitempty"`
	EndTime                *string                `json:"endTime,omitempty"`
	InputDataConfig        batch.InputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       batch.OutputDataConfig `json:"outputDataConfig"`
	VpcConfig              *bedrock.VpcConfig     `json:"vpcConfig,omitempty"`
	TimeoutDurationInHours int                    `json:"timeoutDurationInHours,omitempty"`
	JobExpirationTime      *string                `json:"jobExpirationTime,omitempty"`
	ModelInvocationType    string                 `json:"modelInvocationType,omitempty"`
	TotalRecordCount       int64                  `json:"totalRecordCount"`
	ProcessedRecordCount   int64                  `json:"processedRecordCount"`
	SuccessRecordCount     int64                  `json:"successRecordCount"`
	ErrorRecordCount       int64                  `json:"errorRecordCount"`
}

func toJobJSON(j bedrock.Job) jobJSON {
	return jobJSON{
		JobArn:                 j.JobArn,
		JobName:                j.JobName,
		ModelID:                j.ModelID,
		ClientRequestToken:     j.ClientRequestToken,
		RoleArn:                j.RoleArn,
		Status:                 string(j.Status),
		Message:                j.Message,
		SubmitTime:             formatTime(j.SubmitTime),
		LastModifiedTime:       formatTimePtr(j.LastModifiedTime),
		EndTime:                formatTimePtr(j.EndTime),
		InputDataConfig:        j.InputDataConfig,
		OutputDataConfig:       j.OutputDataConfig,
		VpcConfig:              j.VpcConfig,
		TimeoutDurationInHours: j.TimeoutDurationInHours,
		JobExpirationTime:      formatTimePtr(j.JobExpirationTime),
		ModelInvocationType:    j.ModelInvocationType,
		TotalRecordCount:       j.TotalRecordCount,
		ProcessedRecordCount:   j.ProcessedRecordCount,
		SuccessRecordCount:     j.SuccessRecordCount,
		ErrorRecordCount:       j.ErrorRecordCount,
	}
}

// createJobRequest is the body of CreateModelInvocationJob. The timeout is
// a pointer so that an explicit 0 is refused rather than taken as "use the
// default".
type createJobRequest struct {
	JobName                string                 `json:"jobName"`
	RoleArn                string                 `json:"roleArn"`
	ClientRequestToken     string                 `json:"clientRequestToken"`
	ModelID                string                 `json:"modelId"`
	InputDataConfig        batch.InputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       batch.OutputDataConfig `json:"outputDataConfig"`
	VpcConfig              *bedrock.VpcConfig     `json:"vpcConfig"`
	TimeoutDurationInHours *int                   `json:"timeoutDurationInHours"`
	Tags                   []bedrock.Tag          `json:"tags"`
	ModelInvocationType    string                 `json:"modelInvocationType"`
}

// input is the request for the engine, without the timeout.
func (r createJobRequest) input() bedrock.CreateJobInput {
	return bedrock.CreateJobInput{
		JobName:             r.JobName,
		RoleArn:             r.RoleArn,
		ClientRequestToken:  r.ClientRequestToken,
		ModelID:             r.ModelID,
		InputDataConfig:     r.InputDataConfig,
		OutputDataConfig:    r.OutputDataConfig,
		VpcConfig:           r.VpcConfig,
		Tags:                r.Tags,
		ModelInvocationType: r.ModelInvocationType,
	}
}

type createJobResponse struct {
	JobArn string `json:"jobArn"`
}

type listJobsResponse struct {
	InvocationJobSummaries []jobJSON `json:"invocationJobSummaries"`
	NextToken              string    `json:"nextToken,omitempty"`
}

// tagResourceRequest is the body of TagResource. Tags is nil when the
// member is missing (or null) and non-nil for an empty list.
type tagResourceRequest struct {
	ResourceARN string        `json:"resourceARN"`
	Tags        []bedrock.Tag `json:"tags"`
}

type untagResourceRequest struct {
	ResourceARN string   `json:"resourceARN"`
	TagKeys     []string `json:"tagKeys"`
}

type listTagsRequest struct {
	ResourceARN string `json:"resourceARN"`
}

type listTagsResponse struct {
	Tags []bedrock.Tag `json:"tags"`
}

// empty is the body of the operations whose output has no members.
type empty struct{}

// inferenceProfileResponse is GetInferenceProfile's response; an
// application inference profile is always ACTIVE here.
type inferenceProfileResponse struct {
	InferenceProfileName string                  `json:"inferenceProfileName"`
	InferenceProfileArn  string                  `json:"inferenceProfileArn"`
	InferenceProfileID   string                  `json:"inferenceProfileId"`
	Models               []inferenceProfileModel `json:"models"`
	Status               string                  `json:"status"`
	Type                 string                  `json:"type"`
}

type inferenceProfileModel struct {
	ModelArn string `json:"modelArn"`
}
