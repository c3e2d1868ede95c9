package bedrock

import (
	"regexp"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Patterns and limits of the service's API model.
var (
	roleArnPattern = regexp.MustCompile(`^arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+$`)
	tokenPattern   = regexp.MustCompile(`^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$`)
	modelIDPattern = regexp.MustCompile(`^(?:(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:(([0-9]{12}:custom-model/[a-z0-9-]{1,63}[.]{1}[a-z0-9-:]{1,63}/[a-z0-9]{12}$)|(:foundation-model/([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2})|(([0-9a-zA-Z][_-]?)+)$)|([0-9]{12}:(inference-profile|application-inference-profile)/[a-zA-Z0-9-:.]+$)))|([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2})|(([0-9a-zA-Z][_-]?)+))$`)
	tagTextPattern = regexp.MustCompile(`^[a-zA-Z0-9\s._:/=+@-]*$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	vpcIDPattern   = regexp.MustCompile(`^[-0-9a-zA-Z]+$`)
)

const (
	maxRoleArnLen  = 2048
	maxModelIDLen  = 2048
	maxS3URILen    = 1024
	maxTags        = 200
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateCreate checks a CreateJobInput the way the service does before it
// accepts a job, and returns it with defaults filled in.
func validateCreate(in CreateJobInput) (CreateJobInput, error) {
	if err := batch.ValidJobName(in.JobName); err != nil {
		return in, validationError("jobName: %v", err)
	}
	if len(in.RoleArn) > maxRoleArnLen || !roleArnPattern.MatchString(in.RoleArn) {
		return in, validationError("roleArn %q is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)", in.RoleArn)
	}
	if in.ClientRequestToken != "" && !tokenPattern.MatchString(in.ClientRequestToken) {
		return in, validationError("clientRequestToken must be 1–256 letters and digits, optionally joined by '-'")
	}
	if in.ModelID == "" || len(in.ModelID) > maxModelIDLen || !modelIDPattern.MatchString(in.ModelID) {
		return in, validationError("modelId %q is not a model id, inference profile id or model ARN", in.ModelID)
	}
	src := in.InputDataConfig.S3InputDataConfig
	if src == (batch.S3InputDataConfig{}) {
		return in, validationError("inputDataConfig.s3InputDataConfig is required")
	}
	if err := validS3URI("inputDataConfig.s3InputDataConfig.s3Uri", src.S3URI); err != nil {
		return in, err
	}
	if src.S3InputFormat != "" && src.S3InputFormat != "JSONL" {
		return in, validationError("inputDataConfig.s3InputDataConfig.s3InputFormat %q is not supported; the only format is JSONL", src.S3InputFormat)
	}
	if src.S3BucketOwner != "" && !accountPattern.MatchString(src.S3BucketOwner) {
		return in, validationError("inputDataConfig.s3InputDataConfig.s3BucketOwner must be a 12-digit account id")
	}
	dst := in.OutputDataConfig.S3OutputDataConfig
	if dst == (batch.S3OutputDataConfig{}) {
		return in, validationError("outputDataConfig.s3OutputDataConfig is required")
	}
	if err := validS3URI("outputDataConfig.s3OutputDataConfig.s3Uri", dst.S3URI); err != nil {
		return in, err
	}
	if dst.S3BucketOwner != "" && !accountPattern.MatchString(dst.S3BucketOwner) {
		return in, validationError("outputDataConfig.s3OutputDataConfig.s3BucketOwner must be a 12-digit account id")
	}
	if in.TimeoutDurationInHours == 0 {
		in.TimeoutDurationInHours = batch.DefaultTimeoutHours
	}
	if in.TimeoutDurationInHours < batch.MinTimeoutHours || in.TimeoutDurationInHours > batch.MaxTimeoutHours {
		return in, validationError("timeoutDurationInHours is %d; it must be between %d and %d hours",
			in.TimeoutDurationInHours, batch.MinTimeoutHours, batch.MaxTimeoutHours)
	}
	switch in.ModelInvocationType {
	case "":
		in.ModelInvocationType = batch.InvocationInvokeModel
	case batch.InvocationInvokeModel, batch.InvocationConverse:
	default:
		return in, validationError("modelInvocationType %q is not one of InvokeModel, Converse", in.ModelInvocationType)
	}
	if v := in.VpcConfig; v != nil {
		if len(v.SubnetIDs) < 1 || len(v.SubnetIDs) > 16 || len(v.SecurityGroupIDs) < 1 || len(v.SecurityGroupIDs) > 5 {
			return in, validationError("vpcConfig needs 1–16 subnetIds and 1–5 securityGroupIds")
		}
		for _, id := range append(append([]string{}, v.SubnetIDs...), v.SecurityGroupIDs...) {
			if len(id) > 32 || !vpcIDPattern.MatchString(id) {
				return in, validationError("vpcConfig: %q is not a subnet or security group id", id)
			}
		}
	}
	if err := validTags(in.Tags); err != nil {
		return in, err
	}
	return in, nil
}

func validS3URI(field, uri string) error {
	if len(uri) > maxS3URILen {
		return validationError("%s is %d characters; the limit is %d", field, len(uri), maxS3URILen)
	}
	u, err := batch.ParseS3URI(uri)
	if err != nil {
		return validationError("%s: %v", field, err)
	}
	if strings.Contains(strings.TrimSuffix(u.Key, "/"), "//") || strings.HasPrefix(u.Key, "/") {
		return validationError("%s %q has an empty path segment", field, uri)
	}
	return nil
}

func validTags(tags []Tag) error {
	if len(tags) > maxTags {
		return tooManyTagsError("%d tags given; a resource has at most %d", len(tags), maxTags)
	}
	for _, t := range tags {
		if err := validTagKey(t.Key); err != nil {
			return err
		}
		if len(t.Value) > maxTagValueLen || !tagTextPattern.MatchString(t.Value) {
			return validationError("tag %q: the value must be at most %d letters, digits, spaces and ._:/=+@- characters", t.Key, maxTagValueLen)
		}
	}
	return nil
}

func validTagKey(k string) error {
	if k == "" || len(k) > maxTagKeyLen || !tagTextPattern.MatchString(k) {
		return validationError("tag key %q must be 1–%d letters, digits, spaces and ._:/=+@- characters", k, maxTagKeyLen)
	}
	return nil
}
