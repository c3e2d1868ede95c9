package batch

// FragmentInput is what the BedrockBatchSfn fragment reads at its InputPath.
type FragmentInput struct {
	JobName      string   `json:"job_name"`
	ManifestKeys []string `json:"manifest_keys"`
	ModelID      string   `json:"model_id"`
	// ModelInvocationType is InvocationTypeInvokeModel (the default when
	// empty) or InvocationTypeConverse; key InputKeyModelInvocationType.
	ModelInvocationType string `json:"model_invocation_type,omitempty"`
	// JobTags are put on every job of the execution (key InputKeyJobTags).
	JobTags map[string]string `json:"job_tags,omitempty"`
}

// Keys of the fragment's input that are optional: the fragment fills in
// their defaults (InvokeModel, no tags) before the Maps read them.
const (
	InputKeyModelInvocationType = "model_invocation_type"
	InputKeyJobTags             = "job_tags"
)

// CreateJobPayload is the payload the fragment's Map task sends to the
// create-job function, one per manifest. Field names follow
// CreateModelInvocationJob, plus the task token.
type CreateJobPayload struct {
	JobName                string           `json:"jobName"`
	RoleArn                string           `json:"roleArn"`
	ModelID                string           `json:"modelId"`
	InputDataConfig        InputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       OutputDataConfig `json:"outputDataConfig"`
	TimeoutDurationInHours int              `json:"timeoutDurationInHours"`
	TaskToken              string           `json:"TaskToken"`
	// ExecutionArn names the execution that started the job (key
	// PayloadExecutionArnKey); the job is tagged with it (ExecutionTag).
	// Empty in payloads of state machines deployed before it existed:
	// their jobs are not tagged.
	ExecutionArn string `json:"executionArn,omitempty"`
	// ModelInvocationType is the execution input's model_invocation_type;
	// empty (state machines deployed before it existed) means InvokeModel.
	ModelInvocationType string `json:"modelInvocationType,omitempty"`
	// JobTags are the execution input's job_tags and DefaultJobTags the
	// fragment's (Extensions.JobTags); JobTagList merges them, the
	// execution's value winning for a key both have.
	JobTags        TagMap `json:"jobTags,omitempty"`
	DefaultJobTags TagMap `json:"defaultJobTags,omitempty"`
	// VpcConfig is Extensions.Vpc; nil runs the job outside a VPC.
	VpcConfig *VpcConfig `json:"vpcConfig,omitempty"`
}

// VpcConfig mirrors the service's VPC configuration of a job.
type VpcConfig struct {
	SubnetIDs        []string `json:"subnetIds"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

// JSON keys of CreateJobPayload: the fragment's task writes them, the
// create-job function reads them through the struct tags above (a test
// holds the two together) and names them in its errors.
const (
	KeyJobName            = "jobName"
	KeyRoleArn            = "roleArn"
	KeyModelID            = "modelId"
	KeyInputDataConfig    = "inputDataConfig"
	KeyS3InputDataConfig  = "s3InputDataConfig"
	KeyOutputDataConfig   = "outputDataConfig"
	KeyS3OutputDataConfig = "s3OutputDataConfig"
	KeyS3URI              = "s3Uri"
	KeyTimeoutHours       = "timeoutDurationInHours"
	KeyTaskToken          = "TaskToken"
	KeyS3BucketOwner      = "s3BucketOwner"
	KeyS3EncryptionKeyID  = "s3EncryptionKeyId"
	KeyVpcConfig          = "vpcConfig"
	KeySubnetIDs          = "subnetIds"
	KeySecurityGroupIDs   = "securityGroupIds"

	KeyModelInvocationType = "modelInvocationType"
	KeyJobTags             = "jobTags"
	KeyDefaultJobTags      = "defaultJobTags"
)

// InputDataConfig mirrors the service's input data configuration.
type InputDataConfig struct {
	S3InputDataConfig S3DataConfig `json:"s3InputDataConfig"`
}

// OutputDataConfig mirrors the service's output data configuration.
type OutputDataConfig struct {
	S3OutputDataConfig S3DataConfig `json:"s3OutputDataConfig"`
}

// S3DataConfig holds one S3 URI, the account expected to own its bucket
// (Extensions.ExpectedBucketOwner) and, for the output only, the KMS key
// Bedrock encrypts the output with (Extensions.OutputEncryptionKey).
type S3DataConfig struct {
	S3URI             string `json:"s3Uri"`
	S3BucketOwner     string `json:"s3BucketOwner,omitempty"`
	S3EncryptionKeyID string `json:"s3EncryptionKeyId,omitempty"`
}

// CreateJobResult is what the create-job function returns.
type CreateJobResult struct {
	JobArn string `json:"jobArn"`
}

// JobResult is the task output sent with SendTaskSuccess for one manifest;
// the fragment's output is an array of these, one per manifest, in
// manifest order.
type JobResult struct {
	Status Status   `json:"status"`
	Bucket string   `json:"bucket"`
	Keys   []string `json:"keys"`
}

// Step Functions API limits on what a task reports.
const (
	MaxTaskOutputChars  = 262144
	MaxTaskErrorChars   = 256
	MaxTaskCauseChars   = 32768
	MaxTaskTokenChars   = 2048
	OutputFileSuffix    = ".jsonl.out"
	MinTimeoutHours     = 24
	MaxTimeoutHours     = 168
	DefaultTimeoutHours = 48
)

// Truncate shortens s to at most max characters (runes), marking the cut
// with a trailing "…" so a reader knows text was dropped.
func Truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	if max <= 1 {
		return string(r[:max])
	}
	return string(r[:max-1]) + "…"
}
