package bedrock

import (
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Job is a model invocation job as GetModelInvocationJob returns it (and as
// ListModelInvocationJobs summarises it: the fields are the same).
type Job struct {
	JobArn                 string                 `json:"jobArn"`
	JobName                string                 `json:"jobName"`
	ModelID                string                 `json:"modelId"`
	ClientRequestToken     string                 `json:"clientRequestToken,omitempty"`
	RoleArn                string                 `json:"roleArn"`
	Status                 batch.Status           `json:"status"`
	Message                string                 `json:"message,omitempty"`
	SubmitTime             time.Time              `json:"submitTime"`
	LastModifiedTime       *time.Time             `json:"lastModifiedTime,omitempty"`
	EndTime                *time.Time             `json:"endTime,omitempty"`
	InputDataConfig        batch.InputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       batch.OutputDataConfig `json:"outputDataConfig"`
	VpcConfig              *VpcConfig             `json:"vpcConfig,omitempty"`
	TimeoutDurationInHours int                    `json:"timeoutDurationInHours"`
	JobExpirationTime      *time.Time             `json:"jobExpirationTime,omitempty"`
	ModelInvocationType    string                 `json:"modelInvocationType"`
	TotalRecordCount       int64                  `json:"totalRecordCount"`
	ProcessedRecordCount   int64                  `json:"processedRecordCount"`
	SuccessRecordCount     int64                  `json:"successRecordCount"`
	ErrorRecordCount       int64                  `json:"errorRecordCount"`
}

// VpcConfig is accepted and reported back; the local engine has no VPC.
type VpcConfig struct {
	SubnetIDs        []string `json:"subnetIds"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateJobInput is the request of CreateModelInvocationJob.
type CreateJobInput struct {
	JobName                string                 `json:"jobName"`
	RoleArn                string                 `json:"roleArn"`
	ClientRequestToken     string                 `json:"clientRequestToken,omitempty"`
	ModelID                string                 `json:"modelId"`
	InputDataConfig        batch.InputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       batch.OutputDataConfig `json:"outputDataConfig"`
	VpcConfig              *VpcConfig             `json:"vpcConfig,omitempty"`
	TimeoutDurationInHours int                    `json:"timeoutDurationInHours,omitempty"` // 0 means batch.DefaultTimeoutHours
	Tags                   []Tag                  `json:"tags,omitempty"`
	ModelInvocationType    string                 `json:"modelInvocationType,omitempty"` // "" means InvokeModel
}

// Sort keys and orders of ListModelInvocationJobs.
const (
	SortByCreationTime  = "CreationTime"
	SortOrderAscending  = "Ascending"
	SortOrderDescending = "Descending"
)

// ListJobsInput is the request of ListModelInvocationJobs. Zero fields do
// not filter.
type ListJobsInput struct {
	SubmitTimeAfter  *time.Time
	SubmitTimeBefore *time.Time
	StatusEquals     batch.Status
	NameContains     string
	MaxResults       int    // 1–1000; 0 means 1000
	NextToken        string // from the previous page
	SortBy           string // "" or CreationTime
	SortOrder        string // Ascending, or Descending (the default)
}

// ListJobsOutput is the response of ListModelInvocationJobs.
type ListJobsOutput struct {
	InvocationJobSummaries []Job  `json:"invocationJobSummaries"`
	NextToken              string `json:"nextToken,omitempty"`
}
