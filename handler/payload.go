package handler

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Payload field names as they appear in the create-job payload's JSON, used
// in FieldError.Field.
const (
	FieldJobName   = batch.KeyJobName
	FieldRoleArn   = batch.KeyRoleArn
	FieldModelID   = batch.KeyModelID
	FieldInputURI  = batch.KeyInputDataConfig + "." + batch.KeyS3InputDataConfig + "." + batch.KeyS3URI
	FieldOutputURI = batch.KeyOutputDataConfig + "." + batch.KeyS3OutputDataConfig + "." + batch.KeyS3URI
	FieldTimeout   = batch.KeyTimeoutHours
	FieldTaskToken = batch.KeyTaskToken
	FieldExecution = batch.PayloadExecutionArnKey

	FieldModelInvocationType = batch.KeyModelInvocationType
	FieldJobTags             = batch.KeyJobTags
	FieldDefaultJobTags      = batch.KeyDefaultJobTags
	FieldVpcConfig           = batch.KeyVpcConfig
	FieldInputBucketOwner    = batch.KeyInputDataConfig + "." + batch.KeyS3InputDataConfig + "." + batch.KeyS3BucketOwner
	FieldOutputBucketOwner   = batch.KeyOutputDataConfig + "." + batch.KeyS3OutputDataConfig + "." + batch.KeyS3BucketOwner
	FieldOutputEncryptionKey = batch.KeyOutputDataConfig + "." + batch.KeyS3OutputDataConfig + "." + batch.KeyS3EncryptionKeyID
)

// maxArnLen is the service's limit on roleArn and modelId.
const maxArnLen = 2048

// roleArnPattern is CreateModelInvocationJob's roleArn pattern, anchored.
var roleArnPattern = regexp.MustCompile(`^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$`)

// executionArnPattern matches the ARN of a standard or express execution.
var executionArnPattern = regexp.MustCompile(`^arn:aws[a-z\-]*:states:[a-z0-9\-]+:[0-9]{12}:(execution|express):\S+$`)

// FieldError names one unusable field of a create-job payload.
type FieldError struct {
	Field   string // the field's JSON path, one of the Field* constants
	Problem string // what is wrong and what is expected
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// InvalidPayloadError lists every unusable field of a create-job payload.
// Returned from a Lambda function, its type name becomes the task's error
// name, so a Catch can match "InvalidPayloadError".
type InvalidPayloadError struct {
	Fields []FieldError
}

func (e *InvalidPayloadError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid create-job payload: " + strings.Join(parts, "; ")
}

// ValidatePayload checks every field of p against CreateModelInvocationJob's
// rules before anything is sent to the service. It returns nil or an
// *InvalidPayloadError naming each bad field. The job name is only required
// to be present: CreateJob turns any name into a valid one.
func ValidatePayload(p batch.CreateJobPayload) error {
	var bad []FieldError
	add := func(field, format string, args ...any) {
		bad = append(bad, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if p.JobName == "" {
		add(FieldJobName, "is empty; the fragment sends job_name followed by the manifest index")
	}
	switch {
	case p.RoleArn == "":
		add(FieldRoleArn, "is empty; it must be the ARN of the service role Bedrock assumes")
	case len(p.RoleArn) > maxArnLen:
		add(FieldRoleArn, "is %d characters; the limit is %d", len(p.RoleArn), maxArnLen)
	case !roleArnPattern.MatchString(p.RoleArn):
		add(FieldRoleArn, "%q is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)", p.RoleArn)
	}
	switch {
	case p.ModelID == "":
		add(FieldModelID, "is empty; set model_id in the fragment's input to a model or inference profile id or ARN")
	case len(p.ModelID) > maxArnLen:
		add(FieldModelID, "is %d characters; the limit is %d", len(p.ModelID), maxArnLen)
	case strings.ContainsAny(p.ModelID, " \t\r\n"):
		add(FieldModelID, "%q contains white space", p.ModelID)
	}
	checkURI := func(field, uri string) {
		if uri == "" {
			add(field, "is empty; it must be an s3://bucket/key URI")
			return
		}
		if _, err := batch.ParseS3URI(uri); err != nil {
			add(field, "%v", err)
		}
	}
	checkURI(FieldInputURI, p.InputDataConfig.S3InputDataConfig.S3URI)
	checkURI(FieldOutputURI, p.OutputDataConfig.S3OutputDataConfig.S3URI)
	if h := p.TimeoutDurationInHours; h < batch.MinTimeoutHours || h > batch.MaxTimeoutHours {
		add(FieldTimeout, "is %d; it must be %d to %d hours inclusive", h, batch.MinTimeoutHours, batch.MaxTimeoutHours)
	}
	if p.TaskToken == "" {
		add(FieldTaskToken, "is empty; the fragment's task must pass $$.Task.Token (integration pattern waitForTaskToken)")
	} else if len(p.TaskToken) > batch.MaxTaskTokenChars {
		add(FieldTaskToken, "is %d characters; Step Functions tokens are at most %d", len(p.TaskToken), batch.MaxTaskTokenChars)
	}
	if x := p.ExecutionArn; x != "" && (len(x) > maxArnLen || !executionArnPattern.MatchString(x)) {
		add(FieldExecution, "%q is not a Step Functions execution ARN; the fragment's task passes the Map item's %s, which the Map sets from $$.Execution.Id",
			batch.Truncate(x, 300), batch.ItemExecutionArnKey)
	}
	if err := batch.ValidModelInvocationType(p.ModelInvocationType); err != nil {
		add(FieldModelInvocationType, "%v; set %s in the fragment's input", err, batch.InputModelInvocationType)
	}
	if err := batch.ValidUserTags(p.JobTags, batch.MaxUserTags-len(p.DefaultJobTags)); err != nil {
		add(FieldJobTags, "%v; fix %s in the fragment's input", err, batch.InputJobTags)
	}
	if err := batch.ValidUserTags(p.DefaultJobTags, batch.MaxUserTags); err != nil {
		add(FieldDefaultJobTags, "%v; fix Extensions.JobTags", err)
	}
	if v := p.VpcConfig; v != nil {
		if err := batch.ValidVpcConfig(*v); err != nil {
			add(FieldVpcConfig, "%v; fix Extensions.Vpc", err)
		}
	}
	checkOwner := func(field, owner string) {
		if owner == "" {
			return
		}
		if err := batch.ValidAccountID(owner); err != nil {
			add(field, "%v; fix Extensions.ExpectedBucketOwner", err)
		}
	}
	checkOwner(FieldInputBucketOwner, p.InputDataConfig.S3InputDataConfig.S3BucketOwner)
	checkOwner(FieldOutputBucketOwner, p.OutputDataConfig.S3OutputDataConfig.S3BucketOwner)
	if k := p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID; k != "" {
		if err := batch.ValidKMSKeyID(k); err != nil {
			add(FieldOutputEncryptionKey, "%v; fix Extensions.OutputEncryptionKey", err)
		}
	}
	if len(bad) > 0 {
		return &InvalidPayloadError{Fields: bad}
	}
	return nil
}
