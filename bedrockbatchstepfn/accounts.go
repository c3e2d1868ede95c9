package bedrockbatchstepfn

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// validateAccountSettings checks the settings for encrypted buckets, VPCs,
// bucket owners and tags. Values that are tokens (resolved at deployment)
// are left to the create-job function, which checks them again.
func (e *Extensions) validateAccountSettings() error {
	if k := e.OutputEncryptionKey; k != nil && !isToken(k.KeyArn()) {
		if err := batch.ValidKMSKeyID(*k.KeyArn()); err != nil {
			return fmt.Errorf("Extensions.OutputEncryptionKey: %w", err)
		}
	}
	if o := e.ExpectedBucketOwner; o != nil && !isToken(o) {
		if err := batch.ValidAccountID(*o); err != nil {
			return fmt.Errorf("Extensions.ExpectedBucketOwner: %w", err)
		}
	}
	if v := e.Vpc; v != nil {
		cfg := v.config()
		known := batch.VpcConfig{SubnetIDs: untokened(cfg.SubnetIDs), SecurityGroupIDs: untokened(cfg.SecurityGroupIDs)}
		// Count all ids, check the pattern of those known at synthesis.
		if err := batch.ValidVpcConfig(batch.VpcConfig{SubnetIDs: placeholders(cfg.SubnetIDs, known.SubnetIDs),
			SecurityGroupIDs: placeholders(cfg.SecurityGroupIDs, known.SecurityGroupIDs)}); err != nil {
			return fmt.Errorf("Extensions.Vpc %w", err)
		}
	}
	if t := e.JobTags; t != nil {
		tags := map[string]string{}
		for k, v := range *t {
			if v == nil {
				return fmt.Errorf("Extensions.JobTags: tag %q has no value; give \"\" for an empty one", k)
			}
			if isToken(&k) || isToken(v) {
				continue
			}
			tags[k] = *v
		}
		if len(*t) > batch.MaxUserTags {
			return fmt.Errorf("Extensions.JobTags has %d tags; at most %d fit beside the %d the create-job function sets (a job has at most %d)",
				len(*t), batch.MaxUserTags, batch.MaxSystemTags, batch.MaxJobTags)
		}
		if err := batch.ValidUserTags(tags, batch.MaxUserTags); err != nil {
			return fmt.Errorf("Extensions.JobTags: %w", err)
		}
	}
	return nil
}

// config is v in the payload's shape.
func (v *JobVpcConfig) config() batch.VpcConfig {
	return batch.VpcConfig{SubnetIDs: values(v.SubnetIds), SecurityGroupIDs: values(v.SecurityGroupIds)}
}

// values are the strings of a CDK string list; nil entries are left out.
func values(list *[]*string) []string {
	if list == nil {
		return nil
	}
	var out []string
	for _, s := range *list {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out
}

func isToken(s *string) bool { return s != nil && *awscdk.Token_IsUnresolved(s) }

// untokened are the values of ids known at synthesis.
func untokened(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !isToken(&id) {
			out = append(out, id)
		}
	}
	return out
}

// placeholders pads known with a valid stand-in for each token of all, so
// the counts stay right while only known ids are checked.
func placeholders(all, known []string) []string {
	out := append([]string{}, known...)
	for len(out) < len(all) {
		out = append(out, "token")
	}
	return out
}

// jobTags are Extensions.JobTags for the payload, or nil.
func (e *Extensions) jobTags() map[string]interface{} {
	if e == nil || e.JobTags == nil || len(*e.JobTags) == 0 {
		return nil
	}
	out := map[string]interface{}{}
	for k, v := range *e.JobTags {
		out[k] = *v
	}
	return out
}

// bucketOwner is the account that must own the fragment's buckets for the
// service role's S3 statements: ExpectedBucketOwner, else the bucket's
// account as the app knows it.
func (e *Extensions) bucketOwner(bucket awss3.IBucket) *string {
	if e != nil && e.ExpectedBucketOwner != nil {
		return e.ExpectedBucketOwner
	}
	return bucket.Env().Account
}

// outputKeys are the KMS keys of the output: OutputEncryptionKey and the
// output bucket's own key, when known.
func (e *Extensions) outputKeys(props *BedrockBatchSfnProps) []awskms.IKey {
	var keys []awskms.IKey
	if e != nil && e.OutputEncryptionKey != nil {
		keys = append(keys, e.OutputEncryptionKey)
	}
	if k := props.BedrockBatchOutputBucket.EncryptionKey(); k != nil {
		keys = append(keys, k)
	}
	return keys
}

// inputKeys are the KMS keys of the input: InputEncryptionKey and the
// input bucket's own key, when known.
func (e *Extensions) inputKeys(props *BedrockBatchSfnProps) []awskms.IKey {
	var keys []awskms.IKey
	if e != nil && e.InputEncryptionKey != nil {
		keys = append(keys, e.InputEncryptionKey)
	}
	if k := props.BedrockBatchInputBucket.EncryptionKey(); k != nil {
		keys = append(keys, k)
	}
	return keys
}

// Actions AWS documents for the Bedrock batch service role on S3
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html):
// input is read and listed, output written (and read and listed).
var (
	inputBucketActions  = []string{"s3:GetObject", "s3:ListBucket"}
	outputBucketActions = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
)

// KMS actions: reading objects encrypted with a key decrypts their data
// key; writing generates one (and a multipart upload decrypts it again).
var (
	decryptActions = []string{"kms:Decrypt"}
	writeKMSAction = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
)

// grantServiceRoleData lets the Bedrock service role read the input bucket
// and write the output bucket, only in the buckets' owner account, and use
// their KMS keys.
func grantServiceRoleData(role awsiam.Role, props *BedrockBatchSfnProps, ext *Extensions) {
	in, out := props.BedrockBatchInputBucket, props.BedrockBatchOutputBucket
	role.AddToPolicy(bucketStatement("ReadInput", in, inputBucketActions, ext.bucketOwner(in)))
	role.AddToPolicy(bucketStatement("WriteOutput", out, outputBucketActions, ext.bucketOwner(out)))
	for _, k := range ext.inputKeys(props) {
		k.Grant(role, *jsii.Strings(decryptActions...)...)
	}
	for _, k := range ext.outputKeys(props) {
		k.Grant(role, *jsii.Strings(writeKMSAction...)...)
	}
}

// bucketStatement allows actions on bucket and its objects while the
// bucket belongs to owner.
func bucketStatement(sid string, bucket awss3.IBucket, actions []string, owner *string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{bucket.BucketArn(), bucket.ArnForObjects(jsii.String("*"))},
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:ResourceAccount": owner},
		},
	})
}

// grantListOutput lets a function list the output bucket: the job-event
// function and the reconciler find a job's output files by listing; they
// read none.
func grantListOutput(grantee awsiam.IGrantable, bucket awss3.IBucket) {
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: &[]*string{bucket.BucketArn()},
	}))
}

// grantVpc gives the service role the permissions AWS documents for batch
// inference in a VPC
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-vpc.html):
// describe the network, create network interfaces tagged as Bedrock's for
// a model invocation job in the given subnets and security groups, tag
// them when they are created, and delete them again.
func grantVpc(role awsiam.Role, stack awscdk.Stack, vpc *JobVpcConfig) {
	if vpc == nil {
		return
	}
	cfg := vpc.config()
	ec2Arn := func(resource, name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ec2"), Resource: jsii.String(resource), ResourceName: jsii.String(name)})
	}
	var subnets, groups []*string
	for _, id := range cfg.SubnetIDs {
		subnets = append(subnets, ec2Arn("subnet", id))
	}
	for _, id := range cfg.SecurityGroupIDs {
		groups = append(groups, ec2Arn("security-group", id))
	}
	interfaces := ec2Arn("network-interface", "*")
	jobs := modelInvocationJobArns(stack)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("DescribeNetwork"),
		Actions: jsii.Strings("ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
			"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CreateJobNetworkInterfaces"),
		Actions:   jsii.Strings("ec2:CreateNetworkInterface"),
		Resources: &[]*string{interfaces},
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:RequestTag/BedrockManaged": "true"},
			"ArnEquals":    map[string]interface{}{"aws:RequestTag/BedrockModelInvocationJobArn": jobs},
		},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("UseJobSubnetsAndSecurityGroups"),
		Actions:   jsii.Strings("ec2:CreateNetworkInterface"),
		Resources: jsii.Strings(append(values(&subnets), values(&groups)...)...),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ManageJobNetworkInterfaces"),
		Actions:   jsii.Strings("ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"),
		Resources: jsii.Strings("*"),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"ec2:Subnet": subnets},
			"ArnEquals":    map[string]interface{}{"ec2:ResourceTag/BedrockModelInvocationJobArn": jobs},
		},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("TagJobNetworkInterfaces"),
		Actions:   jsii.Strings("ec2:CreateTags"),
		Resources: &[]*string{interfaces},
		Conditions: &map[string]interface{}{
			"StringEquals":              map[string]interface{}{"ec2:CreateAction": "CreateNetworkInterface"},
			"ForAllValues:StringEquals": map[string]interface{}{"aws:TagKeys": []string{"BedrockManaged", "BedrockModelInvocationJobArn"}},
		},
	}))
}

// Model resources: foundation models in any region (a cross-region
// profile routes to several, a global one to any commercial region, whose
// foundation-model ARNs have an empty region), and this account's system
// and application inference profiles in the stack's region.
func modelArns(stack awscdk.Stack) []*string {
	partition := *awscdk.Aws_PARTITION()
	profiles := func(kind string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("bedrock"), Resource: jsii.String(kind), ResourceName: jsii.String("*")})
	}
	return []*string{
		jsii.String("arn:" + partition + ":bedrock:*::foundation-model/*"),
		jsii.String("arn:" + partition + ":bedrock:::foundation-model/*"),
		profiles("inference-profile"),
		profiles("application-inference-profile"),
	}
}

// profileArns are the inference profiles among modelArns.
func profileArns(stack awscdk.Stack) []*string { return modelArns(stack)[2:] }

// createJobModelsStatement lets the create-job function create jobs with
// any foundation model or inference profile; with the default policy it
// is the function's only model permission (it never invokes a model).
func createJobModelsStatement(stack awscdk.Stack) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CreateJobsWithAnyModel"),
		Actions:   jsii.Strings("bedrock:CreateModelInvocationJob"),
		Resources: &[]*string{modelArns(stack)[0], modelArns(stack)[1], profileArns(stack)[0], profileArns(stack)[1]},
	})
}

// modelFindings are how cdk-nag names modelArns.
var modelFindings = []interface{}{
	"Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/*",
	"Resource::arn:<AWS::Partition>:bedrock:::foundation-model/*",
	"Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/*",
	"Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:application-inference-profile/*",
}

// addJobSettings adds the extensions' job settings, known at synthesis, to
// the create-job payload and its input and output data configs.
func addJobSettings(payload, input, output map[string]interface{}, ext *Extensions) {
	if ext == nil {
		return
	}
	if tags := ext.jobTags(); tags != nil {
		payload[batch.KeyDefaultJobTags] = tags
	}
	if v := ext.Vpc; v != nil {
		payload[batch.KeyVpcConfig] = map[string]interface{}{
			batch.KeySubnetIDs:        v.SubnetIds,
			batch.KeySecurityGroupIDs: v.SecurityGroupIds,
		}
	}
	if o := ext.ExpectedBucketOwner; o != nil {
		input[batch.KeyS3BucketOwner] = o
		output[batch.KeyS3BucketOwner] = o
	}
	if k := ext.OutputEncryptionKey; k != nil {
		output[batch.KeyS3EncryptionKeyID] = k.KeyArn()
	}
}
