package bedrockbatchstepfn

import (
	"github.com/bedrockbatch/bedrockbatch/batch"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Construct ids of the per-stack job-event handler, as in the published
// construct so that logical ids compare side by side.
const (
	eventHandlerID         = "BedrockInferenceJobEventHandler330899f022e34160002006bb8b09cc5b"
	eventHandlerFunctionID = "BedrockEventHandler"
	eventHandlerRuleID     = "BedrockInferenceJobEventHandler"
)

// goFunctionProps are the settings both functions share.
func goFunctionProps(assetDir, description string, timeout awscdk.Duration) *awslambda.FunctionProps {
	return &awslambda.FunctionProps{
		Code:         awslambda.Code_FromAsset(jsii.String(assetDir), nil),
		Handler:      jsii.String("bootstrap"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		MemorySize:   jsii.Number(128),
		Timeout:      timeout,
		Description:  jsii.String(description),
	}
}

func markHandler(fn awslambda.Function, name string) {
	fn.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(batch.HandlerMetadataKey), name)
}

// newCreateJobFunction is the function the Map's task invokes: it creates a
// batch inference job and records it, with the task token, in the ledger.
// It may create and tag jobs, put ledger entries (and nothing else of the
// table), use the models the batch policy allows, and pass the service
// role to Bedrock (and to nothing else).
func newCreateJobFunction(scope constructs.Construct, stack awscdk.Stack, assetDir string, policy awsiam.IManagedPolicy, userPolicy bool, serviceRole awsiam.IRole, ledger awsdynamodb.ITable) awslambda.Function {
	fn := awslambda.NewFunction(scope, jsii.String("CreateModelInvocationJobFunction"), goFunctionProps(assetDir,
		"Creates a Bedrock batch inference job and records it, with its Step Functions task token, in the job ledger",
		awscdk.Duration_Seconds(jsii.Number(batch.CreateJobFunctionTimeout.Seconds()))))
	markHandler(fn, batch.HandlerCreateJob)
	grantLedger(fn, ledger, ledger.TableArn(), "dynamodb:PutItem")
	fn.AddToRolePolicy(jobsStatement(stack, "bedrock:CreateModelInvocationJob", "bedrock:TagResource"))
	// The published API has one policy for both principals, which must
	// allow InvokeModel for the service role: a user's policy is attached
	// here too, since only it names the models the user allows. The
	// default one is not: the function gets CreateModelInvocationJob on
	// models and profiles, and never InvokeModel.
	findings := []interface{}{jobArnsFinding}
	if userPolicy {
		fn.Role().AddManagedPolicy(policy)
	} else {
		fn.AddToRolePolicy(createJobModelsStatement(stack))
		findings = append(findings, modelFindings...)
	}
	awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      fn,
		Actions:      jsii.Strings("iam:PassRole"),
		ResourceArns: &[]*string{serviceRole.RoleArn()},
		Conditions: &map[string]*map[string]interface{}{
			"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"},
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{
		basicExecutionRoleSuppression(),
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("Bedrock assigns a job's id when it creates the job, so creating and tagging jobs " +
				"cannot be limited to job ARNs known at deployment; the model comes from the execution input " +
				"(model_id), so the default policy lets any foundation model or inference profile be named."),
			AppliesTo: &findings,
		},
	}, jsii.Bool(true))
	return fn
}

// jobEventFunction creates the stack's job-event function, which the rule
// on Bedrock's job state changes invokes; failed events go to dlq. It
// reads a job's entry from the ledger and closes it.
func jobEventFunction(scope constructs.Construct, stack awscdk.Stack, assetDir string, dlq awssqs.IQueue, ledger awsdynamodb.ITable) awslambda.Function {
	fn := newStackFunction(scope, eventHandlerFunctionID, batch.HandlerJobEvent, assetDir,
		"Reports the end of Bedrock batch inference jobs to the Step Functions tasks waiting for them",
		awscdk.Duration_Seconds(jsii.Number(60)), dlq)
	grantLedger(fn, ledger, ledger.TableArn(), "dynamodb:GetItem", "dynamodb:UpdateItem")
	fn.AddToRolePolicy(jobsStatement(stack, "bedrock:GetModelInvocationJob"))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure"),
		Resources: jsii.Strings("*"),
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{
		basicExecutionRoleSuppression(),
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("Reading jobs: job ids are assigned by Bedrock at creation. " +
				"Reporting task results: states:SendTaskSuccess and states:SendTaskFailure support no resource " +
				"other than *; the task token itself names the execution."),
			AppliesTo: &[]interface{}{jobArnsFinding, "Resource::*"},
		},
	}, jsii.Bool(true))

	awsevents.NewRule(scope, jsii.String(eventHandlerRuleID), &awsevents.RuleProps{
		Description: jsii.String("Bedrock batch inference jobs that reached a final status"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(batch.EventSource),
			DetailType: jsii.Strings(batch.EventDetailType),
			Detail: &map[string]interface{}{
				"status": terminalStatuses(),
			},
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{DeadLetterQueue: dlq})},
	})
	return fn
}

// terminalStatuses are the job statuses that end a wait, as plain strings
// for the rule's pattern: the rule forwards only these.
func terminalStatuses() []string {
	out := make([]string, len(batch.TerminalStatuses))
	for i, s := range batch.TerminalStatuses {
		out[i] = string(s)
	}
	return out
}

// jobsStatement allows actions on every batch inference job of the stack's
// account and region (see modelInvocationJobArns).
func jobsStatement(stack awscdk.Stack, actions ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{modelInvocationJobArns(stack)},
	})
}

// jobArnsFinding is how cdk-nag names the model-invocation-job/* resource.
const jobArnsFinding = "Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:model-invocation-job/*"

func basicExecutionRoleSuppression() *cdknag.NagPackSuppression {
	return &cdknag.NagPackSuppression{
		Id: jsii.String("AwsSolutions-IAM4"),
		Reason: jsii.String("AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs, " +
			"which is all the execution role needs beyond the statements added here."),
		AppliesTo: &[]interface{}{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	}
}
