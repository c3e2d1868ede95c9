package bedrockbatchstepfn

import (
	"fmt"
	"sync"

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

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Construct ids, under the per-stack scope eventHandlerID, of what the
// published construct does not have.
const (
	deadLetterQueueID   = "DeadLetterQueue"
	reconcileFunctionID = "Reconciler"
	reconcileRuleID     = "ReconcileSchedule"
	stopJobsFunctionID  = "StopJobsOfEndedExecution"
	stopJobsRuleID      = "ExecutionEndedWithoutSuccess"
)

// stackFunctions are the per-stack functions a fragment grants its output
// bucket to, and the job ledger its create-job function writes to.
type stackFunctions struct {
	jobEvent, reconcile awslambda.Function
	ledger              awsdynamodb.ITable
}

// reconcileIntervals remembers, per stack (by construct address), the
// reconcile interval its shared reconciler runs at.
var reconcileIntervals sync.Map

// stackFunctionsOf returns the stack's shared functions, creating them, the
// rules that trigger them and their dead-letter queue on first use: one
// rule per stack sees each event once, whatever the number of fragments.
func stackFunctionsOf(stack awscdk.Stack, dirs map[string]string, reconcileMinutes int) stackFunctions {
	addr := *stack.Node().Addr()
	if existing := stack.Node().TryFindChild(jsii.String(eventHandlerID)); existing != nil {
		if prev, ok := reconcileIntervals.Load(addr); ok && prev.(int) != reconcileMinutes {
			panic(fmt.Errorf("bedrockbatchstepfn: Extensions.ReconcileInterval is %d minutes here but %d minutes for "+
				"another BedrockBatchSfn in stack %s; the reconciler is shared by the fragments of a stack, so give "+
				"them the same interval", reconcileMinutes, prev.(int), *stack.Node().Path()))
		}
		return stackFunctions{
			jobEvent:  childFunction(stack, existing, eventHandlerFunctionID),
			reconcile: childFunction(stack, existing, reconcileFunctionID),
			ledger:    existing.Node().FindChild(jsii.String(ledgerTableID)).(awsdynamodb.ITable),
		}
	}
	scope := constructs.NewConstruct(stack, jsii.String(eventHandlerID))
	dlq := newDeadLetterQueue(scope)
	ledger := newLedgerTable(scope, stack)
	shared := stackFunctions{
		jobEvent:  jobEventFunction(scope, stack, dirs[jobEventPackage], dlq, ledger),
		reconcile: reconcileFunction(scope, stack, dirs[reconcilePackage], dlq, reconcileMinutes, ledger),
		ledger:    ledger,
	}
	stopJobsFunction(scope, stack, dirs[stopJobsPackage], dlq, ledger)
	reconcileIntervals.Store(addr, reconcileMinutes)
	return shared
}

// childFunction finds a shared function, or panics when the id is taken by
// something else.
func childFunction(stack awscdk.Stack, scope constructs.IConstruct, id string) awslambda.Function {
	child := scope.Node().TryFindChild(jsii.String(id))
	fn, ok := child.(awslambda.Function)
	if !ok {
		panic(fmt.Errorf("bedrockbatchstepfn: %s/%s/%s is a %T, not the construct's function; "+
			"the construct id %q is reserved for BedrockBatchSfn", *stack.Node().Path(), eventHandlerID, id, child, eventHandlerID))
	}
	return fn
}

// newDeadLetterQueue keeps the events the stack's functions failed to
// handle (after Lambda's retries of an asynchronous invocation, or when
// EventBridge could not invoke them at all), for 14 days, the longest SQS
// keeps a message, so they can be looked at and replayed.
func newDeadLetterQueue(scope constructs.Construct) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(deadLetterQueueID), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(q, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is itself the dead-letter queue of the construct's functions and rules."),
	}}, jsii.Bool(false))
	return q
}

// newStackFunction creates one of the stack's functions that EventBridge
// invokes: marked with the handler it runs, its failed invocations kept in
// dlq.
func newStackFunction(scope constructs.Construct, id, handler, assetDir, description string, timeout awscdk.Duration, dlq awssqs.IQueue) awslambda.Function {
	props := goFunctionProps(assetDir, description, timeout)
	props.DeadLetterQueue = dlq
	fn := awslambda.NewFunction(scope, jsii.String(id), props)
	markHandler(fn, handler)
	return fn
}

// reconcileFunction creates the reconciler and the schedule that runs it.
// It queries the ledger's open-jobs index, reads those jobs, reports the
// ended ones and closes their entries.
func reconcileFunction(scope constructs.Construct, stack awscdk.Stack, assetDir string, dlq awssqs.IQueue, minutes int, ledger awsdynamodb.ITable) awslambda.Function {
	fn := newStackFunction(scope, reconcileFunctionID, batch.HandlerReconcile, assetDir,
		"Reports Bedrock batch inference jobs that ended while their Step Functions task still waits (a lost event)",
		awscdk.Duration_Minutes(jsii.Number(5)), dlq)
	grantLedger(fn, ledger, ledgerIndexArn(ledger, batch.LedgerOpenIndex), "dynamodb:Query")
	grantLedger(fn, ledger, ledger.TableArn(), "dynamodb:UpdateItem")
	fn.AddToRolePolicy(jobsStatement(stack, "bedrock:GetModelInvocationJob"))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure"),
		Resources: jsii.Strings("*"),
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{
		basicExecutionRoleSuppression(),
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("Reading jobs: job ids are assigned by Bedrock at creation. Reporting to a task: " +
				"states:SendTaskSuccess and states:SendTaskFailure support no resource other than *; the task " +
				"token itself names the execution."),
			AppliesTo: &[]interface{}{jobArnsFinding, "Resource::*"},
		},
	}, jsii.Bool(true))
	awsevents.NewRule(scope, jsii.String(reconcileRuleID), &awsevents.RuleProps{
		Description: jsii.String("Runs the reconciler of Bedrock batch jobs whose completion event was lost"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(float64(minutes)))),
		Targets:     &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{DeadLetterQueue: dlq})},
	})
	return fn
}

// stopJobsFunction creates the function that stops the jobs of an
// execution that ended without success, and the rule on Step Functions'
// status changes of this account's and region's executions that invokes
// it. The rule cannot name the state machines (the fragment does not know
// them); the function acts only on the jobs the ledger's execution index
// holds open for the ended execution.
func stopJobsFunction(scope constructs.Construct, stack awscdk.Stack, assetDir string, dlq awssqs.IQueue, ledger awsdynamodb.ITable) awslambda.Function {
	fn := newStackFunction(scope, stopJobsFunctionID, batch.HandlerStopJobs, assetDir,
		"Stops the Bedrock batch inference jobs of a Step Functions execution that failed, timed out or was stopped",
		awscdk.Duration_Minutes(jsii.Number(2)), dlq)
	grantLedger(fn, ledger, ledgerIndexArn(ledger, batch.LedgerExecutionIndex), "dynamodb:Query")
	fn.AddToRolePolicy(jobsStatement(stack, "bedrock:StopModelInvocationJob"))
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{
		basicExecutionRoleSuppression(),
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("Stopping jobs: job ids are assigned by Bedrock at creation."),
			AppliesTo: &[]interface{}{jobArnsFinding},
		},
	}, jsii.Bool(true))
	ended := make([]string, len(batch.UnsuccessfulEnds))
	for i, s := range batch.UnsuccessfulEnds {
		ended[i] = string(s)
	}
	machines := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("states"), Resource: jsii.String("stateMachine"), ResourceName: jsii.String(""),
		ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	awsevents.NewRule(scope, jsii.String(stopJobsRuleID), &awsevents.RuleProps{
		Description: jsii.String("Step Functions executions of this account and region that ended without success"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(batch.ExecutionEventSource),
			DetailType: jsii.Strings(batch.ExecutionEventDetailType),
			Detail: &map[string]interface{}{
				"status":          ended,
				"stateMachineArn": awsevents.Match_Prefix(machines),
			},
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{DeadLetterQueue: dlq})},
	})
	return fn
}
