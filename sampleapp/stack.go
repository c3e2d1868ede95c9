// Package sampleapp is the bundled example: the stack of the minimal
// BedrockBatchSfn pattern in Go (one bucket for manifests and output, a
// policy that allows batch inference with the example's model, and a state
// machine that sets the job's input, runs the fragment and ends in
// OutputState, or in FailState when a job fails) and its input, 1,000
// customer-review prompts.
//
// `bedrockbatch local run` synthesizes it in-process when no --app is
// given; examples/minimal wires it into a CDK app for `cdk synth`.
package sampleapp

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

// StackName is the stack id examples/minimal uses.
const StackName = "BedrockBatchMinimal"

// JobName is the job name InputState sets. Followed by the execution's
// name, it names the jobs; it contains an underscore, which Bedrock does not
// allow in job names: the create-job function turns
// "customer_reviews-<execution>" + index into a valid name.
const JobName = "customer_reviews"

// ManifestKeys are the input bucket keys of the manifests the example
// processes: the bundled Data manifests uploaded under input/.
var ManifestKeys = []string{"input/manifest-1.jsonl", "input/manifest-2.jsonl"}

// NewMinimalStack adds the example stack to scope. Its job input comes from
// the appcontract context keys when they are set (`bedrockbatch local run
// --input DIR --model ID` sets them), else JobName, ManifestKeys and ModelID.
func NewMinimalStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	jobName := contextString(stack, appcontract.ContextJobName, JobName)
	modelID := contextString(stack, appcontract.ContextModelID, ModelID)
	manifestKeys := contextList(stack, appcontract.ContextManifestKeys, ManifestKeys)
	invocationType := contextString(stack, appcontract.ContextModelInvocationType, "")
	// Grant log delivery through a bucket policy rather than the legacy
	// LogDeliveryWrite ACL.
	stack.Node().SetContext(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"), true)

	accessLogs := awss3.NewBucket(stack, jsii.String("AccessLogsBucket"), &awss3.BucketProps{
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
	})
	batchBucket := awss3.NewBucket(stack, jsii.String("BedrockBatchBucket"), &awss3.BucketProps{
		EnforceSSL:             jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String("bedrock-batch-bucket/"),
	})

	// The published example allows every foundation model; the example's
	// model is fixed by InputState, so this policy names just that one
	// (see modelStatements for each kind of model id).
	batchPolicy := awsiam.NewManagedPolicy(stack, jsii.String("BatchPolicy"), &awsiam.ManagedPolicyProps{})
	batchPolicy.AddStatements(modelStatements(stack, modelID)...)
	suppressModelWildcards(batchPolicy, modelID)

	fragment := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("AwsBedrockBatchSfn"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  batchBucket,
		BedrockBatchOutputBucket: batchBucket,
		BedrockBatchPolicy:       batchPolicy,
		Timeout:                  awscdk.Duration_Hours(jsii.Number(48)),
	})

	jobInput := map[string]interface{}{
		// Each execution names its jobs after itself: Bedrock job
		// names are unique per account, so a fixed name would make
		// every execution after the first fail.
		batch.InputJobName + ".$": "States.Format('" + jobName + "-{}', $$.Execution.Name)",
		batch.InputManifestKeys:   manifestKeys,
		batch.InputModelID:        modelID,
	}
	if invocationType != "" {
		jobInput[batch.InputModelInvocationType] = invocationType
	}
	inputState := awsstepfunctions.NewPass(stack, jsii.String("InputState"), &awsstepfunctions.PassProps{
		Parameters: &jobInput,
	})
	outputState := awsstepfunctions.NewPass(stack, jsii.String("OutputState"), nil)
	// A caught error arrives as {"Error": <job status>, "Cause": <message>}.
	failState := awsstepfunctions.NewFail(stack, jsii.String("FailState"), &awsstepfunctions.FailProps{
		CausePath: awsstepfunctions.JsonPath_StringAt(jsii.String("$.Cause")),
		ErrorPath: awsstepfunctions.JsonPath_StringAt(jsii.String("$.Error")),
	})

	chain := inputState.Next(fragment).Next(outputState)
	// Catching on the fragment's Maps (and the state after the
	// distributed one) routes a failed job to FailState.
	bedrockbatchstepfn.AddCatch(fragment, failState, nil)

	logs := awslogs.NewLogGroup(stack, jsii.String("StateMachineLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	stateMachine := awsstepfunctions.NewStateMachine(stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(chain),
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
		TracingEnabled: jsii.Bool(true),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(stateMachine, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The CDK lets the state machine invoke every version of the create-job function " +
			"(<function ARN>:*); X-Ray tracing and CloudWatch Logs delivery actions support no resource but *. " +
			"The distributed Map of the manifest_prefix path starts, describes, stops and redrives its own child " +
			"executions (<state machine>:* and <state machine>/<label>:*, names Step Functions assigns), reads " +
			"its Map Runs (ids assigned at run time) and writes its result files under keys it chooses."),
		AppliesTo: &[]interface{}{
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<AwsBedrockBatchSfnCreateModelInvocationJobFunction[0-9A-F]+\.Arn>:\*$/`)},
			"Resource::*",
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+:\*$/`)},
			"Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:mapRun:*",
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<BedrockBatchBucket[0-9A-F]+\.Arn>\/results\/\*$/`)},
		},
	}}, jsii.Bool(true))

	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputBucketName), &awscdk.CfnOutputProps{
		Value:       batchBucket.BucketName(),
		Description: jsii.String("Bucket for input manifests (under input/) and job output (under output/)"),
	})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputStateMachineArn), &awscdk.CfnOutputProps{
		Value:       stateMachine.StateMachineArn(),
		Description: jsii.String("State machine that runs the batch jobs; start it with an empty input"),
	})
	return stack
}

// contextString reads a string context value, or def when it is unset.
func contextString(stack awscdk.Stack, key, def string) string {
	if v, ok := stack.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}

// contextList reads a list context value, given as a JSON list (through
// cdk.json or CDK_CONTEXT_JSON) or as a comma-separated string (through
// `cdk synth -c`), or def when it is unset.
func contextList(stack awscdk.Stack, key string, def []string) []string {
	var out []string
	switch v := stack.Node().TryGetContext(jsii.String(key)).(type) {
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []interface{}:
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return def
	}
	return out
}
