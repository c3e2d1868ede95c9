package httpapi

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

// The service's patterns and limits for these members, from Bedrock's API
// model (botocore data/bedrock/2023-04-20/service-2.json: KmsKeyId,
// AccountId, SubnetIds, SecurityGroupIds, SubnetId, SecurityGroupId), and
// the wording AWS services give a member that breaks one ("1 validation
// error detected: Value '…' at '…' failed to satisfy constraint: Member
// must …", https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html).
const (
	kmsKeyPattern = `(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)`
	testKeyArn    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

func withAccountSettings(in *awsbedrock.CreateModelInvocationJobInput, key, owner string, vpc *types.VpcConfig) *awsbedrock.CreateModelInvocationJobInput {
	src := in.InputDataConfig.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
	dst := in.OutputDataConfig.(*types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if owner != "" {
		src.Value.S3BucketOwner = aws.String(owner)
		dst.Value.S3BucketOwner = aws.String(owner)
	}
	if key != "" {
		dst.Value.S3EncryptionKeyId = aws.String(key)
	}
	in.VpcConfig = vpc
	return in
}

func TestMalformedAccountSettingsAreRefused(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	vpc := func(subnets, groups []string) *types.VpcConfig {
		return &types.VpcConfig{SubnetIds: subnets, SecurityGroupIds: groups}
	}
	good := vpc([]string{"subnet-0a"}, []string{"sg-0a"})
	cases := []struct {
		name       string
		key, owner string
		vpc        *types.VpcConfig
		message    string
	}{
		{"key", "my key", "", nil, "1 validation error detected: Value 'my key' at 'outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId' " +
			"failed to satisfy constraint: Member must satisfy regular expression pattern: " + kmsKeyPattern},
		{"key length", "alias/" + strings.Repeat("k", 2043), "", nil, "at 'outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId' " +
			"failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"owner", "", "12345678901", nil, "1 validation error detected: Value '12345678901' at 'inputDataConfig.s3InputDataConfig.s3BucketOwner' " +
			"failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}"},
		{"no subnets", "", "", vpc([]string{}, []string{"sg-0a"}), "1 validation error detected: Value '[]' at 'vpcConfig.subnetIds' " +
			"failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"17 subnets", "", "", vpc(strings.Split(strings.Repeat("s,", 16)+"s", ","), []string{"sg-0a"}),
			"at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16"},
		{"6 groups", "", "", vpc([]string{"subnet-0a"}, []string{"a", "b", "c", "d", "e", "f"}),
			"Value '[a, b, c, d, e, f]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"subnet id", "", "", vpc([]string{"subnet-0a", "subnet_0b"}, []string{"sg-0a"}),
			"1 validation error detected: Value 'subnet_0b' at 'vpcConfig.subnetIds.2.member' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [-0-9a-zA-Z]+"},
		{"group id length", "", "", vpc([]string{"subnet-0a"}, []string{strings.Repeat("g", 33)}),
			"at 'vpcConfig.securityGroupIds.1.member' failed to satisfy constraint: Member must have length less than or equal to 32"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := withAccountSettings(createInput("refused-"+string(rune('a'+i))), c.key, c.owner, c.vpc)
			_, err := env.client.CreateModelInvocationJob(ctx, in)
			wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, c.message)
		})
	}
	// The same settings, well formed, are accepted.
	env.create(withAccountSettings(createInput("accepted"), testKeyArn, "111122223333", good))
}

func TestAccountSettingsAreReportedBack(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	vpc := &types.VpcConfig{SubnetIds: []string{"subnet-0a", "subnet-0b"}, SecurityGroupIds: []string{"sg-0a"}}
	arn := env.create(withAccountSettings(createInput("reported"), "alias/batch-output", "111122223333", vpc))

	check := func(where string, src types.ModelInvocationJobInputDataConfig, dst types.ModelInvocationJobOutputDataConfig, got *types.VpcConfig) {
		t.Helper()
		in := src.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig).Value
		out := dst.(*types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig).Value
		if aws.ToString(in.S3BucketOwner) != "111122223333" || aws.ToString(out.S3BucketOwner) != "111122223333" {
			t.Errorf("%s: bucket owners %q, %q", where, aws.ToString(in.S3BucketOwner), aws.ToString(out.S3BucketOwner))
		}
		if aws.ToString(out.S3EncryptionKeyId) != "alias/batch-output" {
			t.Errorf("%s: s3EncryptionKeyId %q", where, aws.ToString(out.S3EncryptionKeyId))
		}
		if got == nil || !reflect.DeepEqual(got.SubnetIds, vpc.SubnetIds) || !reflect.DeepEqual(got.SecurityGroupIds, vpc.SecurityGroupIds) {
			t.Errorf("%s: vpcConfig %+v, want %+v", where, got, vpc)
		}
	}
	j := env.get(arn)
	check("GetModelInvocationJob", j.InputDataConfig, j.OutputDataConfig, j.VpcConfig)
	list, err := env.client.ListModelInvocationJobs(ctx, &awsbedrock.ListModelInvocationJobsInput{NameContains: aws.String("reported")})
	if err != nil || len(list.InvocationJobSummaries) != 1 {
		t.Fatalf("ListModelInvocationJobs: %v, %d jobs", err, len(list.InvocationJobSummaries))
	}
	s := list.InvocationJobSummaries[0]
	check("ListModelInvocationJobs", s.InputDataConfig, s.OutputDataConfig, s.VpcConfig)
}

// TestEveryKindOfModelIDRuns: a job may name a foundation model, a
// cross-region inference profile id or an application inference profile
// ARN (CreateModelInvocationJob's modelId,
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html);
// an application profile's records go to the model it was made from.
func TestEveryKindOfModelIDRuns(t *testing.T) {
	const profile = "arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/a1b2c3d4e5f6"
	env := newEnv(t, envOptions{profiles: map[string]string{profile: "us." + jobtest.Model}})
	for i, id := range []string{jobtest.Model, "us." + jobtest.Model, "global." + jobtest.Model, profile} {
		in := createInput("model-kind-" + string(rune('a'+i)))
		in.ModelId = aws.String(id)
		arn := env.create(in)
		env.wait(arn)
		if j := env.get(arn); j.Status != types.ModelInvocationJobStatusCompleted || aws.ToString(j.ModelId) != id {
			t.Errorf("%s: status %s (%s), model %s", id, j.Status, aws.ToString(j.Message), aws.ToString(j.ModelId))
		}
	}
	if _, ok := env.backend.models.Load(profile); ok {
		t.Error("records were sent for the profile ARN, not the model it was made from")
	}
	if _, ok := env.backend.models.Load("us." + jobtest.Model); !ok {
		t.Error("no records reached the profile's model")
	}

	in := createInput("unknown-profile")
	in.ModelId = aws.String("arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/zzzzzzzzzzzz")
	_, err := env.client.CreateModelInvocationJob(ctx, in)
	wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, "The provided model identifier is invalid", "--inference-profile")
}
