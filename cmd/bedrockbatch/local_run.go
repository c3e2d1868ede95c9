package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

type runFlags struct {
	cloud          cloudFlags
	app            string
	input          string
	modelID        string
	jobName        string
	byPrefix       bool
	executionInput string
	minRecords     int
	stateMachine   string
	bucket         string
	resynth        bool
	jsonOut        bool
	invocationType string
	profile        profileFlags
}

func newLocalRunCmd() *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Synthesize, deploy and run the app end to end in the local cloud",
		Long: `Synthesizes a CDK app (the bundled example unless --app is given), deploys
it into a local cloud in this process, then, as 'bedrockbatch start' does,
validates the input manifests (the bundled sample of 1,000 prompts unless
--input is given), uploads them under input/ and starts an execution of its
state machine; it shows each batch job's progress, and prints the
execution's output with a summary of records, errors and tokens.

An execution left running by an interrupted run resumes instead of a new
one starting. The exit status is 1 when the execution fails.`,
		Example: `  bedrockbatch local run
  bedrockbatch local run --input ./manifests --model anthropic.claude-3-haiku-20240307-v1:0
  bedrockbatch local run --backend openai --openai-url http://127.0.0.1:11434/v1 --openai-model llama3.2
  bedrockbatch local run --app "go run ./my/app" --execution-input @input.json
  bedrockbatch local run --app "go run ./examples/largerun" --input ./manifests --by-prefix --model amazon.nova-pro-v1:0
  bedrockbatch local run --model us.amazon.nova-pro-v1:0
  bedrockbatch local run --model arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/a1b2c3d4e5f6 \
    --inference-profile arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/a1b2c3d4e5f6=us.amazon.nova-pro-v1:0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLocal(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fs := cmd.Flags()
	f.cloud.register(fs)
	fs.StringVar(&f.app, "app", "", "command that synthesizes your CDK app into $CDK_OUTDIR, as in cdk.json (default: the bundled example)")
	fs.StringVar(&f.input, "input", "", "a .jsonl manifest or a directory of them to upload under input/ (default: the bundled sample)")
	fs.StringVar(&f.modelID, "model", "", "model id of the jobs (default: the example's, "+sampleapp.ModelID+")")
	fs.StringVar(&f.jobName, "job-name", "", "job name prefix (default: the example's, "+sampleapp.JobName+")")
	fs.BoolVar(&f.byPrefix, "by-prefix", false, "start with {job_name, model_id, manifest_prefix}: the workflow runs every manifest under input/ (no ceiling on their number)")
	fs.StringVar(&f.executionInput, "execution-input", "", "execution input as JSON or @file (default: {job_name, manifest_keys, model_id} of the uploaded manifests)")
	minRecordsFlag(fs, &f.minRecords)
	fs.StringVar(&f.stateMachine, "state-machine", "", "name of the state machine to run when the app has several")
	fs.StringVar(&f.bucket, "bucket", "", "bucket to upload the manifests to (default: the app's only bucket or its BatchBucketName output)")
	fs.BoolVar(&f.resynth, "resynth", false, "synthesize the app even when its inputs have not changed since the last run")
	fs.BoolVar(&f.jsonOut, "json", false, "print the result as one JSON object")
	fs.StringVar(&f.invocationType, "invocation-type", "", "model invocation type of the jobs: InvokeModel or Converse (default: Converse when the manifests hold Converse requests, as `prepare --converse` writes them)")
	f.profile.register(fs)
	return cmd
}

func runLocal(ctx context.Context, stdout, stderr io.Writer, f *runFlags) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := localrun.Options{
		App: f.app, Input: f.input, ModelID: f.modelID, JobName: f.jobName, ByPrefix: f.byPrefix,
		StateMachine: f.stateMachine, Bucket: f.bucket, Resynthesize: f.resynth,
		ModelInvocationType: f.invocationType,
	}
	opts.Limits.MinRecordsPerJob = f.minRecords
	if f.executionInput != "" {
		var err error
		if opts.ExecutionInput, err = jsonArg("--execution-input", f.executionInput); err != nil {
			return err
		}
	}
	logs, logPath, closeLogs, err := f.cloud.logSink()
	if err != nil {
		return err
	}
	defer closeLogs()
	if opts.Cloud, err = f.cloud.options(logs); err != nil {
		return err
	}
	stopProfile, err := f.profile.start()
	if err != nil {
		return err
	}
	defer func() {
		if err := stopProfile(); err != nil {
			fmt.Fprintln(stderr, "profile:", err)
		}
	}()
	p := newPrinter(stdout, f.jsonOut)
	prog := p.progress()
	opts.Progress = prog
	opts.Started = func(ctx context.Context, cloud *localcloud.Cloud) { serveConsole(ctx, stderr, cloud) }
	res, err := localrun.Run(ctx, opts)
	prog.close()
	if err != nil {
		return err
	}
	p.result(res, logPath)
	if res.Status != sfntypes.ExecutionStatusSucceeded {
		return &exitError{code: 1, err: fmt.Errorf("execution %s %s: %s: %s", batch.ARNName(res.ExecutionArn), res.Status, res.Error, res.Cause)}
	}
	return nil
}
