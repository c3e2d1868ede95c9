// Command userapp synthesizes an app around the BedrockBatchSfn fragment
// with the user's own functions after it, as a user writes one: a Go
// function (provided.al2023, its bootstrap built into the directory
// $USERAPP_GO_ASSET), a Node.js and a Python function written as plain
// handler files, an SNS publish of the Go function's answer to a topic
// whose SQS subscription delivers it raw to the queue UserBatchDone, and a
// function that throws, whose error a Catch takes.
// With $USERAPP_ARM64_ASSET set, an arm64 Go function runs too. The user
// functions' test runs it with `bedrockbatch local run --app`.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BedrockBatchUserApp"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Batch"), nil)
	fragment := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Fragment"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
	})

	env := &map[string]*string{"GREETING": jsii.String("batch done"), "BUCKET": bucket.BucketName()}
	step := func(id string, fn awslambda.IFunction, payload map[string]any) tasks.LambdaInvoke {
		return tasks.NewLambdaInvoke(stack, jsii.String(id), &tasks.LambdaInvokeProps{
			LambdaFunction: fn,
			Payload:        sfn.TaskInput_FromObject(&payload),
			ResultSelector: &map[string]any{"result.$": "$.Payload"},
			ResultPath:     jsii.String("$." + id),
		})
	}
	goFn := awslambda.NewFunction(stack, jsii.String("GoNotify"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(os.Getenv("USERAPP_GO_ASSET")), nil), Environment: env,
		MemorySize: jsii.Number(256), Timeout: awscdk.Duration_Seconds(jsii.Number(10)),
	})
	nodeFn := awslambda.NewFunction(stack, jsii.String("NodeNotify"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(), Handler: jsii.String("index.handler"),
		Code: awslambda.Code_FromAsset(jsii.String("testdata/userapp/node"), nil), Environment: env,
	})
	pyFn := awslambda.NewFunction(stack, jsii.String("PythonNotify"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PYTHON_3_12(), Handler: jsii.String("app.handler"),
		Code: awslambda.Code_FromAsset(jsii.String("testdata/userapp/python"), nil), Environment: env,
	})

	caught := sfn.NewPass(stack, jsii.String("Caught"), nil)
	throws := step("Throws", nodeFn, map[string]any{"fail": "on purpose"})
	throws.AddCatch(caught, &sfn.CatchProps{Errors: jsii.Strings("QuotaError"), ResultPath: jsii.String("$.caught")})

	// The fragment ends with the list of its jobs' results; the steps after
	// it add their results beside that list.
	wrap := sfn.NewPass(stack, jsii.String("Jobs"), &sfn.PassProps{Parameters: &map[string]any{"jobs.$": "$"}})
	chain := fragment.Next(wrap).Next(step("Go", goFn, map[string]any{"from": "go"})).
		Next(step("Node", nodeFn, map[string]any{"from": "node"})).
		Next(step("Python", pyFn, map[string]any{"from": "python"}))
	if arm := os.Getenv("USERAPP_ARM64_ASSET"); arm != "" {
		armFn := awslambda.NewFunction(stack, jsii.String("ArmNotify"), &awslambda.FunctionProps{
			Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"), Architecture: awslambda.Architecture_ARM_64(),
			Code: awslambda.Code_FromAsset(jsii.String(arm), nil), Environment: env, Timeout: awscdk.Duration_Seconds(jsii.Number(30)),
		})
		chain = chain.Next(step("Arm", armFn, map[string]any{"from": "arm64"}))
	}
	topic := awssns.NewTopic(stack, jsii.String("Done"), nil)
	queue := awssqs.NewQueue(stack, jsii.String("DoneQueue"), &awssqs.QueueProps{QueueName: jsii.String("UserBatchDone")})
	topic.AddSubscription(awssnssubscriptions.NewSqsSubscription(queue, &awssnssubscriptions.SqsSubscriptionProps{RawMessageDelivery: jsii.Bool(true)}))
	publish := tasks.NewSnsPublish(stack, jsii.String("Publish"), &tasks.SnsPublishProps{
		Topic: topic, Message: sfn.TaskInput_FromJsonPathAt(jsii.String("$.Go.result")), ResultPath: jsii.String("$.published"),
	})
	chain = chain.Next(publish).Next(throws)

	fail := sfn.NewFail(stack, jsii.String("Failed"), &sfn.FailProps{
		ErrorPath: sfn.JsonPath_StringAt(jsii.String("$.Error")),
		CausePath: sfn.JsonPath_StringAt(jsii.String("$.Cause")),
	})
	for _, end := range *fragment.EndStates() {
		if m, ok := end.(sfn.Map); ok {
			m.AddCatch(fail, nil)
		}
	}
	machine := sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		StateMachineName: jsii.String("UserBatch"),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(chain),
	})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputBucketName), &awscdk.CfnOutputProps{Value: bucket.BucketName()})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputStateMachineArn), &awscdk.CfnOutputProps{Value: machine.StateMachineArn()})
	app.Synth(nil)
}
