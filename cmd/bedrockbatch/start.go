package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/bedrockbatch/bedrockbatch/submit"
)

type startFlags struct {
	opts           submit.Options
	executionInput string
	minRecords     int
	noWatch        bool
	interval       time.Duration
	jsonOut        bool
}

func newStartCmd() *cobra.Command {
	f := &startFlags{}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Upload manifests to a deployed workflow and start its state machine, on AWS or the local cloud",
		Long: `Validates the manifests of --input (a bad line is reported with its file
and line before anything is uploaded), uploads them to the workflow's input
bucket under --prefix, starts an execution of its state machine with
{job_name, manifest_keys, model_id}, then follows it like
'bedrockbatch watch' until it ends and prints where the output is.

The workflow is named by --state-machine and --bucket, or by --stack, whose
outputs BatchBucketName and StateMachineArn name both (on AWS). Credentials,
region and endpoint are the AWS SDK's: AWS_PROFILE, AWS_REGION, and
AWS_ENDPOINT_URL for the local cloud ('bedrockbatch local serve').

The exit status is 1 when the execution does not succeed.`,
		Example: `  bedrockbatch start --stack BedrockBatchMinimal --input ./manifests --model amazon.nova-pro-v1:0
  bedrockbatch start --state-machine MyMachine --bucket my-batch --input big.jsonl --model anthropic.claude-3-haiku-20240307-v1:0 --no-watch
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 bedrockbatch start --state-machine MyMachine --bucket my-batch --input ./manifests --model amazon.nova-pro-v1:0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStart(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.opts.StateMachine, "state-machine", "", "name or ARN of the workflow's state machine")
	fs.StringVar(&f.opts.Bucket, "bucket", "", "the workflow's input bucket, to upload the manifests to")
	fs.StringVar(&f.opts.Stack, "stack", "", "deployed stack whose outputs name the state machine and bucket (AWS only: CloudFormation)")
	fs.StringVar(&f.opts.Input.Path, "input", "", "a .jsonl manifest or a directory of them to upload")
	fs.StringVar(&f.opts.Prefix, "prefix", "", "key prefix to upload under (default input/<execution name>/)")
	fs.StringVar(&f.opts.ModelID, "model", "", "model id of the jobs (required unless --execution-input is given)")
	fs.StringVar(&f.opts.JobName, "job-name", "", "job name prefix (default: the execution name)")
	fs.StringVar(&f.opts.Name, "name", "", "execution name (default run-<time>-<random>)")
	fs.BoolVar(&f.opts.ByPrefix, "by-prefix", false, "start with {job_name, model_id, manifest_prefix}: the workflow runs every manifest under the prefix (no ceiling on their number)")
	fs.StringVar(&f.executionInput, "execution-input", "", "execution input as JSON or @file, instead of the one made from the uploaded manifests")
	minRecordsFlag(fs, &f.minRecords)
	fs.BoolVar(&f.noWatch, "no-watch", false, "return once the execution has started, printing its ARN")
	fs.DurationVar(&f.interval, "interval", 2*time.Second, "time between two looks at the execution and its jobs")
	fs.BoolVar(&f.jsonOut, "json", false, "print the result as one JSON object")
	return cmd
}

func runStart(ctx context.Context, stdout io.Writer, f *startFlags) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := f.opts
	opts.Limits.MinRecordsPerJob = f.minRecords
	if f.executionInput != "" {
		var err error
		if opts.ExecutionInput, err = jsonArg("--execution-input", f.executionInput); err != nil {
			return err
		}
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	p := newPrinter(stdout, f.jsonOut)
	up := &uploadProgress{p: p}
	opts.Progress = up
	started, err := submit.Start(ctx, submit.NewClients(cfg), opts)
	up.close()
	if err != nil {
		return err
	}
	if f.noWatch {
		if p.json {
			p.printJSON(executionJSON{Started: started, ExecutionArn: started.ExecutionArn, Status: "RUNNING"})
			return nil
		}
		fmt.Fprintf(p.w, "follow it with: bedrockbatch watch %s\n%s\n", started.ExecutionArn, started.ExecutionArn)
		return nil
	}
	return follow(ctx, cfg, p, started.ExecutionArn, started.StartDate, started, f.interval, "")
}

// uploadProgress shows the uploads: a bar on a terminal, else a line per
// file (every tenth of them when there are many).
type uploadProgress struct {
	p     *printer
	total int
	bars  *mpb.Progress
	bar   *mpb.Bar
}

// manyFiles is the count above which uploads without a terminal report
// every tenth of the files rather than each one.
const manyFiles = 20

func (u *uploadProgress) Step(msg string) { u.close(); u.p.step("%s", msg) }

func (u *uploadProgress) Uploading(ms []submit.Manifest) {
	u.total = len(ms)
	if u.p.tty && !u.p.json {
		u.bars = mpb.New(mpb.WithOutput(u.p.w), mpb.WithWidth(32))
		u.bar = u.bars.AddBar(int64(len(ms)),
			mpb.PrependDecorators(decor.Name("uploading", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CountersNoUnit("%d / %d manifests", decor.WCSyncSpace)))
	}
}

func (u *uploadProgress) Uploaded(m submit.Manifest, done int) {
	switch {
	case u.bar != nil:
		u.bar.SetCurrent(int64(done))
	case u.total <= manyFiles || done*10/u.total != (done-1)*10/u.total:
		u.p.step("uploaded %s (%d/%d)", m.Key, done, u.total)
	}
}

// close ends the bar, if any; it is safe to call more than once.
func (u *uploadProgress) close() {
	if u.bars == nil {
		return
	}
	if !u.bar.Completed() {
		u.bar.Abort(false)
	}
	u.bars.Wait()
	u.bars, u.bar = nil, nil
}

// minRecordsFlag registers --min-records, the fewest records each manifest
// to upload must hold, for the commands that start runs (start, local run).
func minRecordsFlag(fs *pflag.FlagSet, v *int) {
	fs.IntVar(v, "min-records", 0, "fewest records per manifest (each runs as one job) the service accepts for the model (default 100)")
}
