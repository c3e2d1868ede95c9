// Command plainapp synthesizes the smallest app around the BedrockBatchSfn
// fragment into $CDK_OUTDIR: a bucket and a state machine that is the
// fragment itself (the execution input is the fragment's input), ending in
// a Fail state when a job fails. The start and watch tests deploy it.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BedrockBatchPlain"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Batch"), nil)
	fragment := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Fragment"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
	})
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
		StateMachineName: jsii.String("PlainBatch"),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(fragment),
	})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputBucketName), &awscdk.CfnOutputProps{Value: bucket.BucketName()})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputStateMachineArn), &awscdk.CfnOutputProps{Value: machine.StateMachineArn()})
	app.Synth(nil)
}
