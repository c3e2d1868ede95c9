package bedrockbatchstepfn_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
)

// A fragment in an account with a security baseline: the data lives in
// another account's buckets encrypted with that account's KMS keys, jobs
// run in private subnets, carry cost-allocation tags, and may use one
// application inference profile only.
func ExampleExtensions_accounts() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("SecureBatch"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")},
	})
	data := awss3.Bucket_FromBucketAttributes(stack, jsii.String("Data"), &awss3.BucketAttributes{
		BucketName: jsii.String("analytics-batch-data"),
		Account:    jsii.String("444455556666"),
	})
	dataKey := awskms.Key_FromKeyArn(stack, jsii.String("DataKey"),
		jsii.String("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"))

	// The published API has one policy for the service role and the
	// create-job function: allow the profile, and the models behind it only
	// through it.
	profile := "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"
	policy := awsiam.NewManagedPolicy(stack, jsii.String("ProfileOnly"), &awsiam.ManagedPolicyProps{
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("bedrock:InvokeModel", "bedrock:CreateModelInvocationJob", "bedrock:GetInferenceProfile"),
				Resources: jsii.Strings(profile),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("bedrock:InvokeModel"),
				Resources: jsii.Strings("arn:aws:bedrock:*::foundation-model/*", "arn:aws:bedrock:*:111122223333:inference-profile/*"),
				Conditions: &map[string]interface{}{
					"StringEquals": map[string]interface{}{"bedrock:InferenceProfileArn": profile},
				},
			}),
		},
	})

	batch := bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  data,
		BedrockBatchOutputBucket: data,
		BedrockBatchPolicy:       policy,
	}, &bedrockbatchstepfn.Extensions{
		InputEncryptionKey:  dataKey, // the service role may decrypt the manifests
		OutputEncryptionKey: dataKey, // Bedrock encrypts the output with it (s3EncryptionKeyId)
		ExpectedBucketOwner: jsii.String("444455556666"),
		Vpc: &bedrockbatchstepfn.JobVpcConfig{
			SubnetIds:        jsii.Strings("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"),
			SecurityGroupIds: jsii.Strings("sg-0123456789abcdef0"),
		},
		JobTags: &map[string]*string{"cost-center": jsii.String("ml-platform")},
	})
	awsstepfunctions.NewStateMachine(stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(batch),
	})
	app.Synth(nil)
}
