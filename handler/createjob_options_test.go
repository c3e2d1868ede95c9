package handler

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// TestCreateJobSendsJobOptions: the payload's invocation type, VPC,
// bucket owners, output key and tags reach CreateModelInvocationJob under
// the request members of the same name
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html).
func TestCreateJobSendsJobOptions(t *testing.T) {
	p := validPayload()
	p.ModelInvocationType = batch.InvocationConverse
	p.VpcConfig = &batch.VpcConfig{SubnetIDs: []string{"subnet-0abc", "subnet-1def"}, SecurityGroupIDs: []string{"sg-0123"}}
	p.InputDataConfig.S3InputDataConfig.S3BucketOwner = "111122223333"
	p.OutputDataConfig.S3OutputDataConfig.S3BucketOwner = "111122223333"
	p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	p.DefaultJobTags = map[string]string{"cost-center": "ml-platform", "team": "search"}
	p.JobTags = map[string]string{"team": "reviews", "run": "2026-12-08"}
	p.ExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-1"
	in, _ := createOnce(t, p)

	if in.ModelInvocationType != bedrocktypes.ModelInvocationTypeConverse {
		t.Errorf("ModelInvocationType = %q, want Converse", in.ModelInvocationType)
	}
	if in.VpcConfig == nil || !reflect.DeepEqual(in.VpcConfig.SubnetIds, p.VpcConfig.SubnetIDs) ||
		!reflect.DeepEqual(in.VpcConfig.SecurityGroupIds, p.VpcConfig.SecurityGroupIDs) {
		t.Errorf("VpcConfig = %+v, want %+v", in.VpcConfig, p.VpcConfig)
	}
	src := in.InputDataConfig.(*bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig).Value
	dst := in.OutputDataConfig.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig).Value
	if aws.ToString(src.S3BucketOwner) != "111122223333" || aws.ToString(dst.S3BucketOwner) != "111122223333" {
		t.Errorf("bucket owners %q, %q", aws.ToString(src.S3BucketOwner), aws.ToString(dst.S3BucketOwner))
	}
	if got := aws.ToString(dst.S3EncryptionKeyId); got != p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID {
		t.Errorf("S3EncryptionKeyId = %q", got)
	}
	tags := tagMap(in.Tags)
	for k, want := range map[string]string{"cost-center": "ml-platform", "team": "reviews", "run": "2026-12-08",
		batch.OriginalNameTag: p.JobName, batch.ExecutionTag: p.ExecutionArn} {
		if tags[k] != want {
			t.Errorf("tag %q = %q, want %q", k, tags[k], want)
		}
	}
	if len(tags) != 5 {
		t.Errorf("tags = %v, want the user's three, the original name and the execution, and no task token", tags)
	}
}

// TestCreateJobDefaultsLeaveOptionsOut: a payload of a state machine
// deployed before these options existed creates an InvokeModel job with
// no VPC, owner or key, as before.
func TestCreateJobDefaultsLeaveOptionsOut(t *testing.T) {
	in, _ := createOnce(t, validPayload())
	if in.ModelInvocationType != bedrocktypes.ModelInvocationTypeInvokeModel {
		t.Errorf("ModelInvocationType = %q, want InvokeModel", in.ModelInvocationType)
	}
	dst := in.OutputDataConfig.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig).Value
	src := in.InputDataConfig.(*bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig).Value
	if in.VpcConfig != nil || dst.S3EncryptionKeyId != nil || dst.S3BucketOwner != nil || src.S3BucketOwner != nil {
		t.Errorf("options sent without being asked for: vpc %v, key %v, owners %v %v", in.VpcConfig, dst.S3EncryptionKeyId, dst.S3BucketOwner, src.S3BucketOwner)
	}
}

// TestValidatePayloadJobOptions: each malformed option is refused before
// the service is called, naming the field and the setting to fix. Limits
// and patterns are those of Bedrock's API model (botocore
// data/bedrock/2023-04-20/service-2.json: ModelInvocationType, VpcConfig,
// SubnetIds 1–16, SecurityGroupIds 1–5, AccountId [0-9]{12}, KmsKeyId,
// TagList at most 200, TagKey 1–128, TagValue 0–256, both
// [a-zA-Z0-9\s._:/=+@-]*); "aws:" is reserved
// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
func TestValidatePayloadJobOptions(t *testing.T) {
	many := map[string]string{}
	for i := 0; i <= batch.MaxUserTags; i++ {
		many["k"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	cases := []struct {
		name, field, mention string
		edit                 func(p *batch.CreateJobPayload)
	}{
		{"invocation type", FieldModelInvocationType, "model_invocation_type", func(p *batch.CreateJobPayload) { p.ModelInvocationType = "converse" }},
		{"aws: tag", FieldJobTags, "aws:", func(p *batch.CreateJobPayload) { p.JobTags = map[string]string{"AWS:cost": "x"} }},
		{"reserved tag", FieldJobTags, "reserves", func(p *batch.CreateJobPayload) { p.JobTags = map[string]string{"TaskToken:9": "x"} }},
		{"tag character", FieldJobTags, "job_tags", func(p *batch.CreateJobPayload) { p.JobTags = map[string]string{"team": "a,b"} }},
		{"long tag key", FieldDefaultJobTags, "Extensions.JobTags", func(p *batch.CreateJobPayload) {
			p.DefaultJobTags = map[string]string{strings.Repeat("k", batch.MaxTagKeyLen+1): "v"}
		}},
		{"too many tags", FieldJobTags, "at most", func(p *batch.CreateJobPayload) { p.JobTags = many }},
		{"no subnets", FieldVpcConfig, "Extensions.Vpc", func(p *batch.CreateJobPayload) {
			p.VpcConfig = &batch.VpcConfig{SecurityGroupIDs: []string{"sg-1"}}
		}},
		{"six security groups", FieldVpcConfig, "1 to 5", func(p *batch.CreateJobPayload) {
			p.VpcConfig = &batch.VpcConfig{SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"a", "b", "c", "d", "e", "f"}}
		}},
		{"subnet id", FieldVpcConfig, "subnet_1", func(p *batch.CreateJobPayload) {
			p.VpcConfig = &batch.VpcConfig{SubnetIDs: []string{"subnet_1"}, SecurityGroupIDs: []string{"sg-1"}}
		}},
		{"input owner", FieldInputBucketOwner, "ExpectedBucketOwner", func(p *batch.CreateJobPayload) { p.InputDataConfig.S3InputDataConfig.S3BucketOwner = "12345" }},
		{"output owner", FieldOutputBucketOwner, "12 digits", func(p *batch.CreateJobPayload) { p.OutputDataConfig.S3OutputDataConfig.S3BucketOwner = "abcdefghijkl" }},
		{"output key", FieldOutputEncryptionKey, "OutputEncryptionKey", func(p *batch.CreateJobPayload) { p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID = "my-key" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := validPayload()
			c.edit(&p)
			fake := &fakeCreator{arn: testJobArn}
			logger, _ := testLogger()
			_, err := NewCreateJob(ledgerOnly(t), fake, logger).Handle(context.Background(), p)
			var inv *InvalidPayloadError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want *InvalidPayloadError", err)
			}
			if len(fake.calls) != 0 {
				t.Error("the service was called with an invalid payload")
			}
			if len(inv.Fields) != 1 || inv.Fields[0].Field != c.field || !strings.Contains(inv.Fields[0].Problem, c.mention) {
				t.Errorf("fields %v, want one for %s mentioning %q", inv.Fields, c.field, c.mention)
			}
		})
	}
}

func TestValidatePayloadAcceptsEveryKeyForm(t *testing.T) {
	for _, k := range []string{
		"1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/batch-output",
		"alias/batch-output",
	} {
		p := validPayload()
		p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID = k
		if err := ValidatePayload(p); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}
