package bedrockbatchstepfn_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

// TestNoBundlingSkipsCompilation synthesizes a stack that the CDK's
// aws:cdk:bundling-stacks context leaves out: its functions' assets hold
// the placeholder that fails loudly, not compiled code.
func TestNoBundlingSkipsCompilation(t *testing.T) {
	assertPlaceholders(t, map[string]any{"aws:cdk:bundling-stacks": []string{}})
}

// With bundling on, the local cloud's signal that the construct's
// functions run in-process skips their compilation too, so that the app's
// own functions are bundled without cross-compiling the construct's.
func TestInProcessFunctionsSkipCompilation(t *testing.T) {
	assertPlaceholders(t, map[string]any{appcontract.ContextInProcessFunctions: true})
}

func assertPlaceholders(t *testing.T, cdkContext map[string]any) {
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(out),
		Context: &cdkContext,
	})
	stack := awscdk.NewStack(app, jsii.String("Unbundled"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  bucket,
		BedrockBatchOutputBucket: bucket,
	})
	app.Synth(nil)
	bootstraps, _ := filepath.Glob(filepath.Join(out, "asset.*", "bootstrap"))
	if len(bootstraps) == 0 {
		t.Fatal("no function asset in the assembly")
	}
	for _, b := range bootstraps {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "#!/bin/sh") || !strings.Contains(string(data), "bundling skipped") {
			t.Errorf("%s is %d bytes of something else than the placeholder: the function was compiled", b, len(data))
		}
	}
}
