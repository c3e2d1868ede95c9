package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// Synthesize writes the cloud assembly of an app into outdir. With an empty
// command it synthesizes the bundled example (package sampleapp) in this
// process, which the CDK allows once per process; otherwise it runs command
// through the shell with CDK_OUTDIR set, as the CDK CLI runs an app. The
// command's output goes to stderr.
//
// cdkContext is passed to the app as CDK context (CDK_CONTEXT_JSON for a
// command, as the CDK CLI does).
func Synthesize(ctx context.Context, command, outdir string, cdkContext map[string]any) error {
	if err := os.MkdirAll(outdir, 0o755); err != nil {
		return fmt.Errorf("create assembly directory: %w", err)
	}
	if command == "" {
		return synthesizeSample(outdir, cdkContext)
	}
	contextJSON, err := json.Marshal(cdkContext)
	if err != nil {
		return err
	}
	contextEnv := "CDK_CONTEXT_JSON=" + string(contextJSON)
	if len(contextJSON) > maxContextEnv {
		// An environment variable holds at most 128 KiB (thousands of
		// manifest keys do not fit): like the CDK CLI, hand the context
		// over in a file the app reads.
		f, err := os.CreateTemp("", "bedrockbatch-context-*.json")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		_, werr := f.Write(contextJSON)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write the CDK context file: %w", werr)
		}
		contextEnv = "CONTEXT_OVERFLOW_LOCATION_ENV=" + f.Name()
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Env = append(nodeenv.Environ(os.Environ()), "CDK_OUTDIR="+outdir, contextEnv)
	tail := &tailBuffer{max: 64 << 10}
	cmd.Stdout = os.Stderr
	cmd.Stderr = io.MultiWriter(os.Stderr, tail)
	if err := cmd.Run(); err != nil {
		if asset, ok := dockerBundling(tail.String()); ok {
			return fmt.Errorf("app %q failed: %s is bundled with Docker, which a local run does not use: "+
				"install the bundler the construct runs on this machine instead (esbuild for NodejsFunction: `npm install --save-dev esbuild` "+
				"or `npm install -g esbuild`; a Go toolchain for GoFunction), or build the code yourself and give it with lambda.Code_FromAsset", command, asset)
		}
		return fmt.Errorf("app %q failed: %w (it must synthesize a CDK app into $CDK_OUTDIR, as `cdk synth` runs it)", command, err)
	}
	if _, err := os.Stat(filepath.Join(outdir, "manifest.json")); err != nil {
		return fmt.Errorf("app %q wrote no cloud assembly to $CDK_OUTDIR (%s): does it call app.Synth?", command, outdir)
	}
	return nil
}

// maxContextEnv is the largest CDK context passed in CDK_CONTEXT_JSON; a
// larger one goes through a file, as the CDK CLI passes it.
const maxContextEnv = 32 * 1024

func synthesizeSample(outdir string, cdkContext map[string]any) (err error) {
	// The CDK reports construction errors by panicking.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesize the bundled example: %v", r)
		}
	}()
	// One synthesis per process: stop the CDK's Node.js child afterwards.
	defer jsii.Close()
	a := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &cdkContext})
	sampleapp.NewMinimalStack(a, sampleapp.StackName, nil)
	a.Synth(nil)
	return nil
}
