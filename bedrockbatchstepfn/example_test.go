package bedrockbatchstepfn_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
)

// A state machine that runs the fragment on the input
// {"job_name": …, "manifest_keys": [...], "model_id": …} and keeps the
// input, adding the per-manifest results under $.results.
func ExampleNewBedrockBatchSfn() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BatchStack"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("BatchBucket"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})

	batch := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
		ResultPath:               jsii.String("$.results"),
		Timeout:                  awscdk.Duration_Hours(jsii.Number(72)),
	})
	failed := awsstepfunctions.NewFail(stack, jsii.String("Failed"), &awsstepfunctions.FailProps{
		ErrorPath: awsstepfunctions.JsonPath_StringAt(jsii.String("$.Error")),
		CausePath: awsstepfunctions.JsonPath_StringAt(jsii.String("$.Cause")),
	})
	// Failed jobs of either path (manifest_keys or manifest_prefix) go to
	// Failed.
	bedrockbatchstepfn.AddCatch(batch, failed, nil)
	awsstepfunctions.NewStateMachine(stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(
			batch.Next(awsstepfunctions.NewSucceed(stack, jsii.String("Done"), nil))),
	})
	app.Synth(nil)
}

// A fragment for large runs by prefix,
// {"job_name": …, "manifest_prefix": "input/run-7/", "model_id": …}, that
// lets up to 1% of the manifests fail, and takes at most 500
// manifest_keys (long bucket and job names make each result larger).
func ExampleNewBedrockBatchSfnWithExtensions() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("LargeBatchStack"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("BatchBucket"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})

	batch := bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
	}, &bedrockbatchstepfn.Extensions{
		MaxInlineManifests:         jsii.Number(500),
		ToleratedFailurePercentage: jsii.Number(1),
	})
	awsstepfunctions.NewStateMachine(stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(batch),
	})
	app.Synth(nil)
}
