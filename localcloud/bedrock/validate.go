package bedrock

import (
	"fmt"
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
	accountPattern = regexp.MustCompile(`^` + accountPatternText + `$`)
	vpcIDPattern   = regexp.MustCompile(`^` + vpcIDPatternText + `$`)
	kmsKeyPattern  = regexp.MustCompile(`^(?:` + kmsKeyPatternText + `)$`)
)

// Patterns as the service's messages quote them.
const (
	accountPatternText = `[0-9]{12}`
	vpcIDPatternText   = `[-0-9a-zA-Z]+`
	kmsKeyPatternText  = `(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)`
)

const (
	maxRoleArnLen  = 2048
	maxModelIDLen  = 2048
	maxS3URILen    = 1024
	maxTags        = 200
	maxTagKeyLen   = 128
	maxTagValueLen = 256
	maxKMSKeyLen   = 2048
	maxSubnets     = 16
	maxGroups      = 5
	maxVpcIDLen    = 32
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
	if err := validOwner("inputDataConfig.s3InputDataConfig.s3BucketOwner", src.S3BucketOwner); err != nil {
		return in, err
	}
	dst := in.OutputDataConfig.S3OutputDataConfig
	if dst == (batch.S3OutputDataConfig{}) {
		return in, validationError("outputDataConfig.s3OutputDataConfig is required")
	}
	if err := validS3URI("outputDataConfig.s3OutputDataConfig.s3Uri", dst.S3URI); err != nil {
		return in, err
	}
	if err := validOwner("outputDataConfig.s3OutputDataConfig.s3BucketOwner", dst.S3BucketOwner); err != nil {
		return in, err
	}
	if k := dst.S3EncryptionKeyID; k != "" {
		const field = "outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId"
		if len(k) > maxKMSKeyLen {
			return in, constraintError(k, field, fmt.Sprintf("Member must have length less than or equal to %d", maxKMSKeyLen))
		}
		if !kmsKeyPattern.MatchString(k) {
			return in, constraintError(k, field, "Member must satisfy regular expression pattern: "+kmsKeyPatternText)
		}
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
		if err := validVpcIDs("vpcConfig.subnetIds", v.SubnetIDs, maxSubnets); err != nil {
			return in, err
		}
		if err := validVpcIDs("vpcConfig.securityGroupIds", v.SecurityGroupIDs, maxGroups); err != nil {
			return in, err
		}
	}
	if err := validTags(in.Tags); err != nil {
		return in, err
	}
	return in, nil
}

// constraintError words a value that breaks a constraint of the API model
// the way AWS services do ("1 validation error detected: Value 'x' at
// 'a.b' failed to satisfy constraint: Member must …").
func constraintError(value, field, constraint string) *APIError {
	return validationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func validOwner(field, owner string) error {
	if owner != "" && !accountPattern.MatchString(owner) {
		return constraintError(owner, field, "Member must satisfy regular expression pattern: "+accountPatternText)
	}
	return nil
}

// validVpcIDs checks a list of subnet or security group ids: 1 to max
// entries, each of letters, digits and '-', at most 32 characters. A list
// is quoted as the service's Java runtime prints one ("[a, b]"), an entry
// by its 1-based index.
func validVpcIDs(field string, ids []string, max int) error {
	if ids == nil {
		return validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(ids) < 1 {
		return constraintError("["+strings.Join(ids, ", ")+"]", field, "Member must have length greater than or equal to 1")
	}
	if len(ids) > max {
		return constraintError("["+strings.Join(ids, ", ")+"]", field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	for i, id := range ids {
		member := fmt.Sprintf("%s.%d.member", field, i+1)
		if len(id) > maxVpcIDLen {
			return constraintError(id, member, fmt.Sprintf("Member must have length less than or equal to %d", maxVpcIDLen))
		}
		if !vpcIDPattern.MatchString(id) {
			return constraintError(id, member, "Member must satisfy regular expression pattern: "+vpcIDPatternText)
		}
	}
	return nil
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
