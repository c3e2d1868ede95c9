package batch

import (
	"fmt"
	"regexp"
	"strings"
)

// jobArnPattern matches a model invocation job ARN in any partition.
var jobArnPattern = regexp.MustCompile(`^arn:(aws[a-z\-]*):bedrock:([a-z0-9\-]+):([0-9]{12}):model-invocation-job/([a-z0-9]{12})$`)

// JobArn is a parsed model invocation job ARN.
type JobArn struct {
	Partition string
	Region    string
	Account   string
	JobID     string
}

// ParseJobArn parses a model invocation job ARN of any partition (aws,
// aws-cn, aws-us-gov, …).
func ParseJobArn(arn string) (JobArn, error) {
	m := jobArnPattern.FindStringSubmatch(arn)
	if m == nil {
		return JobArn{}, fmt.Errorf("%q is not a model invocation job ARN (arn:<partition>:bedrock:<region>:<account>:model-invocation-job/<12-character id>)", arn)
	}
	return JobArn{Partition: m[1], Region: m[2], Account: m[3], JobID: m[4]}, nil
}

// String formats the ARN.
func (a JobArn) String() string {
	return fmt.Sprintf("arn:%s:bedrock:%s:%s:model-invocation-job/%s", a.Partition, a.Region, a.Account, a.JobID)
}

// ARNName is the part of an ARN after its last colon: the name of a state
// machine or of an execution, in messages.
func ARNName(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }
