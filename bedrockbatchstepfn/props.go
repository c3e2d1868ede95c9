package bedrockbatchstepfn

import (
	"errors"
	"fmt"
	"math"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// BedrockBatchSfnProps configures a BedrockBatchSfn.
type BedrockBatchSfnProps struct {
	// The S3 bucket that holds the input manifests. Required.
	//
	// The Bedrock service role may read any object in it; the fragment's
	// input names the manifests by key (manifest_keys).
	BedrockBatchInputBucket awss3.IBucket `field:"required" json:"bedrockBatchInputBucket" yaml:"bedrockBatchInputBucket"`
	// The S3 bucket where Bedrock writes the jobs' output. Required; may be
	// the same bucket as BedrockBatchInputBucket.
	//
	// Output goes under output/<job_name>/<job id>/ in this bucket.
	BedrockBatchOutputBucket awss3.IBucket `field:"required" json:"bedrockBatchOutputBucket" yaml:"bedrockBatchOutputBucket"`
	// The managed policy that lets Bedrock and the create-job function run
	// batch inference. It must allow bedrock:InvokeModel and
	// bedrock:CreateModelInvocationJob on the foundation models and
	// inference profiles the jobs use.
	//
	// Default: a managed policy (construct id "BedrockBatchPolicy") allowing
	// both actions on arn:<partition>:bedrock:*::foundation-model/* and on
	// arn:<partition>:bedrock:<region>:<account>:inference-profile/*.
	BedrockBatchPolicy awsiam.IManagedPolicy `field:"optional" json:"bedrockBatchPolicy" yaml:"bedrockBatchPolicy"`
	// JSONPath that selects the fragment's input,
	// {"job_name": string, "manifest_keys": [string], "model_id": string},
	// from the state input. Set on the fragment's Map state.
	//
	// Default: "$", the whole state input.
	InputPath *string `field:"optional" json:"inputPath" yaml:"inputPath"`
	// JSONPath where the fragment's result, an array with one
	// {"status", "bucket", "keys"} object per manifest, is written into the
	// state input; awsstepfunctions.JsonPath_DISCARD() keeps the input
	// unchanged. Set on the fragment's Map state.
	//
	// Default: "$", the result replaces the state input.
	ResultPath *string `field:"optional" json:"resultPath" yaml:"resultPath"`
	// How long a batch inference job may run: it becomes the job's
	// timeoutDurationInHours and the heartbeat timeout of the task that
	// waits for it. Must be a whole number of hours from 24 to 168 (one
	// week), inclusive.
	//
	// Default: awscdk.Duration_Hours(jsii.Number(48)).
	Timeout awscdk.Duration `field:"optional" json:"timeout" yaml:"timeout"`
}

// timeoutHours validates props.Timeout and returns it in whole hours.
func (p *BedrockBatchSfnProps) timeoutHours() (int, error) {
	if p.Timeout == nil {
		return batch.DefaultTimeoutHours, nil
	}
	secs := *p.Timeout.ToSeconds(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
	hours := secs / 3600
	if hours < batch.MinTimeoutHours || hours > batch.MaxTimeoutHours || hours != math.Trunc(hours) {
		return 0, fmt.Errorf("BedrockBatchSfnProps.Timeout must be a whole number of hours from %d to %d "+
			"(1 week) inclusive, got %s; Bedrock accepts job timeouts only in that range",
			batch.MinTimeoutHours, batch.MaxTimeoutHours, *p.Timeout.ToHumanString())
	}
	return int(hours), nil
}

// validate checks the required props.
func (p *BedrockBatchSfnProps) validate() error {
	if p == nil {
		return errors.New("BedrockBatchSfnProps is required: pass at least BedrockBatchInputBucket and BedrockBatchOutputBucket")
	}
	if p.BedrockBatchInputBucket == nil {
		return errors.New("BedrockBatchSfnProps.BedrockBatchInputBucket is required: the S3 bucket that holds the input manifests")
	}
	if p.BedrockBatchOutputBucket == nil {
		return errors.New("BedrockBatchSfnProps.BedrockBatchOutputBucket is required: the S3 bucket Bedrock writes the output to (it may be the input bucket)")
	}
	_, err := p.timeoutHours()
	return err
}
