// Command largerun synthesizes a plain app around BedrockBatchSfn: one
// bucket, and a state machine that passes its execution input straight to
// the fragment, so one execution runs either
//
//	{"job_name": "...", "model_id": "...", "manifest_keys": ["input/a.jsonl", ...]}
//
// (up to Extensions.MaxInlineManifests keys) or the same with
// manifest_prefix, such as input/, in place of manifest_keys (every .jsonl
// object under the prefix, with no limit on their number: `bedrockbatch
// local run --by-prefix` starts it so).
// It writes its cloud assembly to ./cdk.out, or $CDK_OUTDIR when the CDK
// CLI or `bedrockbatch local run --app "go run ./examples/largerun"` runs
// it.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
)

func main() {
	defer jsii.Close()
	props := &awscdk.AppProps{}
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
	}
	app := awscdk.NewApp(props)
	stack := awscdk.NewStack(app, jsii.String("BedrockBatchLargeRun"), nil)

	bucket := awss3.NewBucket(stack, jsii.String("BatchBucket"), &awss3.BucketProps{
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
	})
	batch := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
	})
	failed := sfn.NewFail(stack, jsii.String("Failed"), &sfn.FailProps{
		ErrorPath: sfn.JsonPath_StringAt(jsii.String("$.Error")),
		CausePath: sfn.JsonPath_StringAt(jsii.String("$.Cause")),
	})
	bedrockbatchstepfn.AddCatch(batch, failed, nil)
	sfn.NewStateMachine(stack, jsii.String("StateMachine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(batch.Next(sfn.NewSucceed(stack, jsii.String("Done"), nil))),
	})
	app.Synth(nil)
}
