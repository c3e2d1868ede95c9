package batch

// FragmentInput is what the BedrockBatchSfn fragment reads at its
// InputPath: the manifests to run as a list of keys (ManifestKeys, one job
// each, in an inline Map), or as every manifest under a key prefix
// (ManifestPrefix, through a distributed Map with no ceiling on their
// number). The fragment takes the prefix path when ManifestPrefix is
// present, so each of the two is left out of the JSON when empty.
type FragmentInput struct {
	JobName        string   `json:"job_name"`
	ManifestKeys   []string `json:"manifest_keys,omitempty"`
	ManifestPrefix string   `json:"manifest_prefix,omitempty"`
	ModelID        string   `json:"model_id"`
	// ModelInvocationType is InvocationInvokeModel (the default when
	// empty) or InvocationConverse.
	ModelInvocationType string `json:"model_invocation_type,omitempty"`
	// JobTags are put on every job of the execution.
	JobTags map[string]string `json:"job_tags,omitempty"`
}

// JSON keys of FragmentInput: the construct's states read them, programs
// that start an execution write them through the struct tags above (a test
// holds the two together). InputModelInvocationType and InputJobTags are
// optional: the fragment fills in their defaults (InvokeModel, no tags)
// before the Maps read them.
const (
	InputJobName             = "job_name"
	InputManifestKeys        = "manifest_keys"
	InputManifestPrefix      = "manifest_prefix"
	InputModelID             = "model_id"
	InputModelInvocationType = "model_invocation_type"
	InputJobTags             = "job_tags"
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

// InputDataConfig is a job's inputDataConfig: where its input is. The
// service's shape is a union of one member, S3.
type InputDataConfig struct {
	S3InputDataConfig S3InputDataConfig `json:"s3InputDataConfig"`
}

// S3InputDataConfig names a job's input: one .jsonl object or a prefix of
// several.
type S3InputDataConfig struct {
	S3URI         string `json:"s3Uri"`
	S3InputFormat string `json:"s3InputFormat,omitempty"`
	S3BucketOwner string `json:"s3BucketOwner,omitempty"`
}

// OutputDataConfig is a job's outputDataConfig: where it writes its output.
// The service's shape is a union of one member, S3.
type OutputDataConfig struct {
	S3OutputDataConfig S3OutputDataConfig `json:"s3OutputDataConfig"`
}

// S3OutputDataConfig names a job's output prefix and, optionally, the KMS
// key Bedrock encrypts the output with (Extensions.OutputEncryptionKey).
type S3OutputDataConfig struct {
	S3URI             string `json:"s3Uri"`
	S3EncryptionKeyID string `json:"s3EncryptionKeyId,omitempty"`
	S3BucketOwner     string `json:"s3BucketOwner,omitempty"`
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
