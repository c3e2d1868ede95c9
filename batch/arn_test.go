package batch

import "testing"

func TestParseJobArn(t *testing.T) {
	good := []struct {
		arn  string
		want JobArn
	}{
		{"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef012345",
			JobArn{Partition: "aws", Region: "us-east-1", Account: "123456789012", JobID: "abcdef012345"}},
		{"arn:aws-cn:bedrock:cn-north-1:123456789012:model-invocation-job/0123456789ab",
			JobArn{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", JobID: "0123456789ab"}},
		{"arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:model-invocation-job/zzzzzzzzzzzz",
			JobArn{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012", JobID: "zzzzzzzzzzzz"}},
	}
	for _, tt := range good {
		got, err := ParseJobArn(tt.arn)
		if err != nil {
			t.Errorf("ParseJobArn(%q): %v", tt.arn, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseJobArn(%q) = %+v, want %+v", tt.arn, got, tt.want)
		}
		if got.String() != tt.arn {
			t.Errorf("String() = %q, want %q", got.String(), tt.arn)
		}
	}
	for _, bad := range []string{
		"",
		"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc",           // id too short
		"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/ABCDEF012345",  // upper case id
		"arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/abcdef012345",   // 11-digit account
		"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/abcdef0123", // other resource
		"arn:aws:s3:us-east-1:123456789012:model-invocation-job/abcdef012345",       // other service
		"arn:gcp:bedrock:us-east-1:123456789012:model-invocation-job/abcdef012345",  // not a partition
		"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef012345/x",
	} {
		if _, err := ParseJobArn(bad); err == nil {
			t.Errorf("ParseJobArn(%q) accepted", bad)
		}
	}
}
