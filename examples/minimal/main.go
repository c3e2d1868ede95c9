// Command minimal synthesizes the minimal BedrockBatchSfn example app into
// a cloud assembly: ./cdk.out, or $CDK_OUTDIR when the CDK CLI runs it.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

func main() {
	defer jsii.Close()
	props := &awscdk.AppProps{}
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
	}
	a := awscdk.NewApp(props)
	sampleapp.NewMinimalStack(a, sampleapp.StackName, nil)
	a.Synth(nil)
}
