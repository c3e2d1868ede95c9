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
}

// JSON keys of FragmentInput: the construct's states read them, programs
// that start an execution write them through the struct tags above (a test
// holds the two together).
const (
	InputJobName        = "job_name"
	InputManifestKeys   = "manifest_keys"
	InputManifestPrefix = "manifest_prefix"
	InputModelID        = "model_id"
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
)

// InputDataConfig mirrors the service's input data configuration.
type InputDataConfig struct {
	S3InputDataConfig S3DataConfig `json:"s3InputDataConfig"`
}

// OutputDataConfig mirrors the service's output data configuration.
type OutputDataConfig struct {
	S3OutputDataConfig S3DataConfig `json:"s3OutputDataConfig"`
}

// S3DataConfig holds one S3 URI.
type S3DataConfig struct {
	S3URI string `json:"s3Uri"`
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
