// Command bundledapp synthesizes a stack of functions whose code the CDK
// bundles at synthesis: with $BUNDLEDAPP=nodejs a NodejsFunction written
// in TypeScript (bundled by esbuild on this machine), with
// $BUNDLEDAPP=docker a function whose asset only a Docker container
// bundles. The bundling tests run it.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdanodejs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BundledApp"), nil)
	switch os.Getenv("BUNDLEDAPP") {
	case "nodejs":
		awslambdanodejs.NewNodejsFunction(stack, jsii.String("Greeter"), &awslambdanodejs.NodejsFunctionProps{
			Entry:            jsii.String("testdata/bundledapp/src/greeter.ts"),
			Handler:          jsii.String("handler"),
			Runtime:          awslambda.Runtime_NODEJS_22_X(),
			DepsLockFilePath: jsii.String("testdata/bundledapp/package-lock.json"),
			Environment:      &map[string]*string{"GREETING": jsii.String("hello")},
		})
	case "docker":
		awslambda.NewFunction(stack, jsii.String("Containerized"), &awslambda.FunctionProps{
			Runtime: awslambda.Runtime_PYTHON_3_12(),
			Handler: jsii.String("app.handler"),
			Code: awslambda.Code_FromAsset(jsii.String("testdata/bundledapp/src"), &awss3assets.AssetOptions{
				Bundling: &awscdk.BundlingOptions{
					Image:   awslambda.Runtime_PYTHON_3_12().BundlingImage(),
					Command: jsii.Strings("bash", "-c", "cp -r /asset-input/. /asset-output"),
				},
			}),
		})
	}
	app.Synth(nil)
}
