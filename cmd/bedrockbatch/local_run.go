package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/examples/minimal/app"
	"github.com/bedrockbatch/bedrockbatch/examples/minimal/sampledata"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

type runFlags struct {
	cloud          cloudFlags
	app            string
	input          string
	modelID        string
	jobName        string
	executionInput string
	stateMachine   string
	bucket         string
	jsonOut        bool
}

func newLocalRunCmd() *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Synthesize, deploy and run the app end to end in the local cloud",
		Long: `Synthesizes a CDK app (the bundled example unless --app is given), deploys
it into a local cloud in this process, uploads the input manifests (the
bundled sample of 1,000 prompts unless --input is given), starts an
execution of its state machine, shows each batch job's progress, and prints
the execution's output with a summary of records, errors and tokens.

An execution left running by an interrupted run resumes instead of a new
one starting. The exit status is 1 when the execution fails.`,
		Example: `  bedrockbatch local run
  bedrockbatch local run --input ./manifests --model anthropic.claude-3-haiku-20240307-v1:0
  bedrockbatch local run --backend openai --openai-url http://127.0.0.1:11434/v1 --openai-model llama3.2
  bedrockbatch local run --app "go run ./my/app" --execution-input @input.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLocal(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fs := cmd.Flags()
	f.cloud.register(fs)
	fs.StringVar(&f.app, "app", "", "command that synthesizes your CDK app into $CDK_OUTDIR, as in cdk.json (default: the bundled example)")
	fs.StringVar(&f.input, "input", "", "a .jsonl manifest or a directory of them to upload under input/ (default: the bundled sample)")
	fs.StringVar(&f.modelID, "model", "", "model id of the jobs (default: the example's, "+sampledata.ModelID+")")
	fs.StringVar(&f.jobName, "job-name", "", "job name prefix (default: the example's, "+app.JobName+")")
	fs.StringVar(&f.executionInput, "execution-input", "", "execution input as JSON or @file (default: {job_name, manifest_keys, model_id} of the uploaded manifests)")
	fs.StringVar(&f.stateMachine, "state-machine", "", "name of the state machine to run when the app has several")
	fs.StringVar(&f.bucket, "bucket", "", "bucket to upload the manifests to (default: the app's only bucket or its BatchBucketName output)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the result as one JSON object")
	return cmd
}

// inputFile is one manifest to upload.
type inputFile struct {
	name string
	key  string
	data []byte
	recs int
}

// loadInputs reads and validates the manifests to upload, so a bad file is
// reported with its line before anything is deployed.
func loadInputs(path string) ([]inputFile, error) {
	var fsys fs.FS = sampledata.FS
	var names []string
	switch {
	case path == "":
		matches, _ := fs.Glob(sampledata.FS, "*.jsonl")
		names = matches
	default:
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("--input: %w", err)
		}
		if st.IsDir() {
			fsys = os.DirFS(path)
			names, _ = fs.Glob(fsys, "*.jsonl")
			if len(names) == 0 {
				return nil, fmt.Errorf("--input %s: no .jsonl files in the directory", path)
			}
		} else {
			fsys = os.DirFS(filepath.Dir(path))
			names = []string{filepath.Base(path)}
		}
	}
	sort.Strings(names)
	var files []inputFile
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read input %s: %w", n, err)
		}
		display := n
		if path != "" {
			display = filepath.Join(path, n)
			if st, _ := os.Stat(path); st != nil && !st.IsDir() {
				display = path
			}
		}
		stats, err := manifest.ValidateFile(bytes.NewReader(data), display, manifest.Limits{})
		if err != nil {
			return nil, fmt.Errorf("input manifest is not valid: %w", err)
		}
		files = append(files, inputFile{name: n, key: "input/" + n, data: data, recs: stats.Records})
	}
	return files, nil
}

func parseJSONArg(flag, v string) (json.RawMessage, error) {
	if rest, ok := strings.CutPrefix(v, "@"); ok {
		data, err := os.ReadFile(rest)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		v = string(data)
	}
	if !json.Valid([]byte(v)) {
		return nil, fmt.Errorf("%s is not valid JSON: give a JSON value or @file", flag)
	}
	return json.RawMessage(v), nil
}

// phases records the wall time of each step of a run.
type phases struct {
	Synth, Deploy, Execution, Total time.Duration
}

func runLocal(ctx context.Context, stdout, stderr io.Writer, f *runFlags) error {
	began := time.Now()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := checkModel(f.modelID, f.input); err != nil {
		return err
	}
	inputs, err := loadInputs(f.input)
	if err != nil {
		return err
	}
	var execInput json.RawMessage
	if f.executionInput != "" {
		if execInput, err = parseJSONArg("--execution-input", f.executionInput); err != nil {
			return err
		}
	}
	keys := make([]string, len(inputs))
	for i, in := range inputs {
		keys[i] = in.key
	}
	cdkContext := map[string]any{app.ContextManifestKeys: keys}
	if f.modelID != "" {
		cdkContext[app.ContextModelID] = f.modelID
	}
	if f.jobName != "" {
		cdkContext[app.ContextJobName] = f.jobName
	}
	if execInput == nil {
		execInput, _ = json.Marshal(batch.FragmentInput{
			JobName:      firstNonEmpty(f.jobName, app.JobName),
			ManifestKeys: keys,
			ModelID:      firstNonEmpty(f.modelID, sampledata.ModelID),
		})
	}

	// Settings are checked before the slow steps, so a mistake costs nothing.
	logs, logPath, closeLogs, err := f.cloud.logSink()
	if err != nil {
		return err
	}
	defer closeLogs()
	opts, err := f.cloud.options(logs)
	if err != nil {
		return err
	}
	if _, err := model.New(opts.Models); err != nil {
		return fmt.Errorf("model backends: %w", err)
	}

	var times phases
	p := newPrinter(stdout, f.jsonOut)
	assembly := f.cloud.assemblyDir()
	p.step("synthesizing %s", firstNonEmpty(f.app, "the bundled example (examples/minimal)"))
	if err := synthesize(ctx, f.app, assembly, cdkContext); err != nil {
		return err
	}
	times.Synth = time.Since(began)

	cloud, err := localcloud.New(opts)
	if err != nil {
		return err
	}
	defer cloud.Close()
	deployStart := time.Now()
	res, err := cloud.Deploy(ctx, assembly)
	if err != nil {
		return err
	}
	if err := cloud.Start(ctx); err != nil {
		return err
	}
	serveConsole(ctx, stderr, cloud)
	p.deployReport(res)
	cfg := cloud.AWSConfig()
	s3c := awss3.NewFromConfig(cfg)
	bucket, err := pickBucket(res, f.bucket)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: &bucket, Key: aws.String(in.key), Body: bytes.NewReader(in.data)}); err != nil {
			return fmt.Errorf("upload %s: %w", in.key, err)
		}
	}
	p.step("uploaded %d manifests (%d records) to s3://%s/input/", len(inputs), totalRecords(inputs), bucket)
	machine, err := pickStateMachine(res, f.stateMachine)
	if err != nil {
		return err
	}
	times.Deploy = time.Since(deployStart)

	sfc := awssfn.NewFromConfig(cfg)
	execStart := time.Now()
	execArn, startedAt, resumed, err := resumeOrStart(ctx, sfc, machine.PhysicalID, execInput)
	if err != nil {
		return err
	}
	if resumed {
		p.step("resuming execution %s, left running by an earlier run", lastSegment(execArn))
	} else {
		p.step("started execution %s of %s", lastSegment(execArn), machine.Attrs["Name"])
	}
	br := awsbedrock.NewFromConfig(cfg)
	desc, jobs, err := watch(ctx, p, sfc, br, execArn, startedAt)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: the execution and its jobs are saved in %s; run the same command again to resume", f.cloud.dataDir)
		}
		return err
	}
	times.Execution = time.Since(execStart)
	times.Total = time.Since(began)
	sum := summarize(ctx, s3c, cloud, desc, jobs)
	sum.Resumed = resumed
	sum.Deployed = map[deploy.Action]int{}
	for _, c := range res.Changes {
		sum.Deployed[c.Action]++
	}
	p.result(desc, sum, times, logPath)
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		return &exitError{code: 1, err: fmt.Errorf("execution %s %s: %s: %s", lastSegment(execArn), desc.Status,
			aws.ToString(desc.Error), aws.ToString(desc.Cause))}
	}
	return nil
}

// checkModel rejects a model id no local backend can serve, and one the
// bundled sample (written for Amazon Nova) does not fit.
func checkModel(modelID, input string) error {
	if modelID == "" {
		return nil
	}
	fam, err := model.DetectFamily(modelID)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	sample, _ := model.DetectFamily(sampledata.ModelID)
	if input == "" && fam != sample {
		return fmt.Errorf("--model %s: the bundled sample is written for %s models (%s); give --input with manifests in the %s request format",
			modelID, sample, sampledata.ModelID, fam)
	}
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func totalRecords(in []inputFile) int {
	n := 0
	for _, f := range in {
		n += f.recs
	}
	return n
}

func lastSegment(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }

func pickBucket(res *deploy.Result, want string) (string, error) {
	if want != "" {
		return want, nil
	}
	for _, outs := range res.Outputs {
		if b := outs[app.OutputBucketName]; b != "" {
			return b, nil
		}
	}
	buckets := res.Find("AWS::S3::Bucket")
	if len(buckets) == 1 {
		return buckets[0].PhysicalID, nil
	}
	var names []string
	for _, b := range buckets {
		names = append(names, b.PhysicalID+" ("+b.LogicalID+")")
	}
	if len(names) == 0 {
		return "", errors.New("the app deploys no bucket to upload the manifests to: give --bucket")
	}
	return "", fmt.Errorf("the app deploys %d buckets; choose the one for the manifests with --bucket: %s", len(names), strings.Join(names, ", "))
}

func pickStateMachine(res *deploy.Result, want string) (*deploy.Resolved, error) {
	machines := res.Find("AWS::StepFunctions::StateMachine")
	var names []string
	for _, m := range machines {
		if want != "" && (m.Attrs["Name"] == want || m.LogicalID == want || m.PhysicalID == want) {
			return m, nil
		}
		names = append(names, m.Attrs["Name"])
	}
	switch {
	case want != "":
		return nil, fmt.Errorf("--state-machine %q: the app has %s", want, strings.Join(names, ", "))
	case len(machines) == 1:
		return machines[0], nil
	case len(machines) == 0:
		return nil, errors.New("the app deploys no state machine to run")
	}
	return nil, fmt.Errorf("the app deploys %d state machines; choose one with --state-machine: %s", len(machines), strings.Join(names, ", "))
}

// resumeOrStart follows an execution an interrupted run left running, or
// starts a new one.
func resumeOrStart(ctx context.Context, sfc *awssfn.Client, machineArn string, input json.RawMessage) (string, time.Time, bool, error) {
	running, err := sfc.ListExecutions(ctx, &awssfn.ListExecutionsInput{
		StateMachineArn: aws.String(machineArn), StatusFilter: sfntypes.ExecutionStatusRunning,
	})
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("list executions: %w", err)
	}
	if len(running.Executions) > 0 {
		e := running.Executions[0]
		return aws.ToString(e.ExecutionArn), aws.ToTime(e.StartDate), true, nil
	}
	name := "run-" + time.Now().UTC().Format("20060102-150405")
	out, err := sfc.StartExecution(ctx, &awssfn.StartExecutionInput{
		StateMachineArn: aws.String(machineArn), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("start execution: %w", err)
	}
	return aws.ToString(out.ExecutionArn), aws.ToTime(out.StartDate), false, nil
}

// watch shows the jobs' progress until the execution ends and returns its
// final description and the jobs it ran.
func watch(ctx context.Context, p *printer, sfc *awssfn.Client, br *awsbedrock.Client, execArn string, since time.Time) (*awssfn.DescribeExecutionOutput, []bedrocktypes.ModelInvocationJobSummary, error) {
	prog := p.progress()
	defer prog.close()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		jobs, err := listJobs(ctx, br, since)
		if err != nil {
			return nil, nil, err
		}
		prog.update(jobs)
		desc, err := sfc.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		if err != nil {
			return nil, nil, fmt.Errorf("describe execution: %w", err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning {
			if jobs, err = listJobs(ctx, br, since); err == nil {
				prog.update(jobs)
			}
			return desc, jobs, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-tick.C:
		}
	}
}

func listJobs(ctx context.Context, br *awsbedrock.Client, since time.Time) ([]bedrocktypes.ModelInvocationJobSummary, error) {
	var jobs []bedrocktypes.ModelInvocationJobSummary
	pg := awsbedrock.NewListModelInvocationJobsPaginator(br, &awsbedrock.ListModelInvocationJobsInput{
		SubmitTimeAfter: aws.Time(since.Add(-time.Second)),
		SortBy:          bedrocktypes.SortJobsByCreationTime,
		SortOrder:       bedrocktypes.SortOrderAscending,
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list batch jobs: %w", err)
		}
		jobs = append(jobs, page.InvocationJobSummaries...)
	}
	return jobs, nil
}
