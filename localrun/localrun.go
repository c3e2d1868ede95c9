// Package localrun runs a CDK app that uses the BedrockBatchSfn construct
// end to end in a local cloud on this machine: it synthesizes the app (the
// bundled example by default), deploys it, uploads the input manifests,
// starts an execution of its state machine (or resumes one an interrupted
// run left), follows it to the end and sums up what the jobs produced.
//
// `bedrockbatch local run` is this package behind flags; Go programs and
// tests call Run the same way.
package localrun

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"golang.org/x/sync/errgroup"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

// Options say what to run and where.
type Options struct {
	// Cloud configures the local cloud; its DataDir also holds the
	// synthesized assembly (<DataDir>/cdk.out).
	Cloud localcloud.Options
	// App is the command that synthesizes the CDK app into $CDK_OUTDIR, as
	// in cdk.json. Empty: the bundled example, synthesized in this process
	// (once per process: the CDK allows no more).
	App string
	// Input is a .jsonl manifest or a directory of them. Empty: the bundled
	// sample.
	Input string
	// ModelID and JobName of the jobs. Empty: the app's own. A ModelID
	// that is an application inference profile ARN must be declared in
	// Cloud.Bedrock.InferenceProfiles.
	ModelID, JobName string
	// ModelInvocationType of the jobs, InvokeModel or Converse. Empty:
	// Converse when the manifests hold Converse requests, else the app's
	// own (InvokeModel unless it sets model_invocation_type).
	ModelInvocationType string
	// ExecutionInput replaces the execution input, which is otherwise
	// {job_name, manifest_keys, model_id} of the uploaded manifests.
	ExecutionInput json.RawMessage
	// Resynthesize synthesizes the app even when its inputs have not
	// changed since the assembly in the data directory was made.
	Resynthesize bool
	// StateMachine and Bucket choose among several the app deploys.
	StateMachine, Bucket string
	// Progress receives what happens; nil: nothing is reported.
	Progress Progress
	// Started, if set, is called once the app is deployed and the cloud
	// started, before the manifests are uploaded: to serve the cloud on a
	// port for its console or other clients while the run lasts (until ctx
	// ends).
	Started func(ctx context.Context, cloud *localcloud.Cloud)
}

// Progress is told what a run does as it does it.
type Progress interface {
	// Step reports a step done or begun, one line for people.
	Step(msg string)
	// Deployed reports what the deployment changed.
	Deployed(res *deploy.Result)
	// Jobs reports the batch jobs' state, after every look.
	Jobs(jobs []bedrocktypes.ModelInvocationJobSummary)
}

// Result is how a run ended.
type Result struct {
	ExecutionArn string
	Status       sfntypes.ExecutionStatus
	// Output is the execution's output (JSON), Error and Cause its error.
	Output       json.RawMessage
	Error, Cause string
	// Resumed tells that the execution was left running by an earlier run.
	Resumed bool
	// Reused tells that the assembly of an earlier run was deployed: the
	// app's inputs had not changed.
	Reused bool
	// Deployed counts the deployment's changes by action.
	Deployed map[deploy.Action]int
	watch.Summary
	Times Times
}

// Times are the wall times of a run's phases. Deploy includes Upload, the
// time the manifests took to reach S3.
type Times struct {
	Synth, Deploy, Upload, Execution, Total time.Duration
}

// ErrInterrupted wraps ctx's error when a run is interrupted; the execution
// and its jobs are kept in the data directory and a run with the same
// options resumes them.
var ErrInterrupted = fmt.Errorf("interrupted")

// Run runs the app end to end. It returns an error when the run could not
// be completed; an execution that ends FAILED is a Result with that status,
// not an error.
func Run(ctx context.Context, opts Options) (*Result, error) {
	began := time.Now()
	p := progressOf(opts.Progress)
	source, err := modelSource(opts)
	if err != nil {
		return nil, err
	}
	if err := checkModel(source, opts.Input); err != nil {
		return nil, err
	}
	inputs, err := LoadInputs(opts.Input)
	if err != nil {
		return nil, err
	}
	given := givenJobInput(opts, inputs)
	if given.ModelInvocationType, err = invocationType(opts, inputs); err != nil {
		return nil, err
	}
	execInput := opts.ExecutionInput
	if execInput == nil {
		execInput, _ = json.Marshal(withDefaults(given))
	}
	// Settings are checked before the slow steps, so a mistake costs nothing.
	if _, err := model.New(opts.Cloud.Models); err != nil {
		return nil, fmt.Errorf("model backends: %w", err)
	}

	res := &Result{}
	assembly := AssemblyDir(opts.Cloud.DataDir)
	if res.Reused, err = synthesizeOrReuse(ctx, opts, assembly, appcontract.Context(given), p); err != nil {
		return nil, err
	}
	res.Times.Synth = time.Since(began)

	deployStart := time.Now()
	cloud, deployed, err := Open(ctx, opts.Cloud, assembly)
	if err != nil {
		return nil, err
	}
	defer cloud.Close()
	if err := cloud.Start(ctx); err != nil {
		return nil, err
	}
	if opts.Started != nil {
		opts.Started(ctx, cloud)
	}
	p.Deployed(deployed)
	res.Deployed = map[deploy.Action]int{}
	for _, c := range deployed.Changes {
		res.Deployed[c.Action]++
	}
	cfg := cloud.AWSConfig()
	s3c := awss3.NewFromConfig(cfg)
	bucket, err := PickBucket(deployed, opts.Bucket)
	if err != nil {
		return nil, err
	}
	uploadStart := time.Now()
	// Uploads run side by side, one per CPU: each is bound by hashing its
	// bytes for the ETag, not by the disk.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, in := range inputs {
		g.Go(func() error { return upload(gctx, s3c, bucket, in) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.Times.Upload = time.Since(uploadStart)
	p.Step(fmt.Sprintf("uploaded %d manifests (%d records) to s3://%s/%s", len(inputs), TotalRecords(inputs), bucket, InputPrefix))
	machine, err := PickStateMachine(deployed, opts.StateMachine)
	if err != nil {
		return nil, err
	}
	res.Times.Deploy = time.Since(deployStart)

	sfc := awssfn.NewFromConfig(cfg)
	execStart := time.Now()
	execArn, startedAt, resumed, err := resumeOrStart(ctx, sfc, machine.PhysicalID, execInput)
	if err != nil {
		return nil, err
	}
	res.ExecutionArn, res.Resumed = execArn, resumed
	if resumed {
		p.Step(fmt.Sprintf("resuming execution %s, left running by an earlier run", batch.ARNName(execArn)))
	} else {
		p.Step(fmt.Sprintf("started execution %s of %s", batch.ARNName(execArn), machine.Attrs["Name"]))
	}
	desc, jobs, err := watch.Execution(ctx, watch.Clients{StepFunctions: sfc, Bedrock: awsbedrock.NewFromConfig(cfg)},
		execArn, startedAt, watch.Options{Jobs: p.Jobs})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: the execution and its jobs are saved in %s; run the same command again to resume",
				ErrInterrupted, cloud.Options().DataDir)
		}
		return nil, err
	}
	res.Times.Execution = time.Since(execStart)
	res.Summary = watch.Summarize(ctx, s3c, desc, jobs)
	for i, f := range res.OutputFiles {
		if uri, err := batch.ParseS3URI(f.URI); err == nil {
			res.OutputFiles[i].Path = cloud.Store.ObjectPath(uri.Bucket, uri.Key)
		}
	}
	res.Status = desc.Status
	if desc.Output != nil {
		res.Output = json.RawMessage(aws.ToString(desc.Output))
	}
	res.Error, res.Cause = aws.ToString(desc.Error), aws.ToString(desc.Cause)
	res.Times.Total = time.Since(began)
	return res, nil
}

// upload puts a manifest into the bucket, streaming it from its file.
func upload(ctx context.Context, s3c *awss3.Client, bucket string, in Input) error {
	f, err := in.Open()
	if err != nil {
		return fmt.Errorf("upload %s: %w", in.Key, err)
	}
	defer f.Close()
	body, ok := f.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("upload %s: the file is not seekable", in.Key)
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: &bucket, Key: aws.String(in.Key), Body: body}, bedrock.LocalUpload); err != nil {
		return fmt.Errorf("upload %s: %w", in.Key, err)
	}
	return nil
}

// BundlingStacksContext is the CDK's context key naming the stacks whose
// assets are bundled; a local run sets it to none, since the local cloud
// runs the construct's functions in-process and needs no compiled code.
const BundlingStacksContext = "aws:cdk:bundling-stacks"

// synthesizeOrReuse synthesizes the app into assembly, unless the assembly
// there was made from the same inputs; it reports whether it reused one.
func synthesizeOrReuse(ctx context.Context, opts Options, assembly string, cdkContext map[string]any, p Progress) (bool, error) {
	cdkContext[BundlingStacksContext] = []string{}
	app := cmp.Or(opts.App, "the bundled example (examples/minimal)")
	sum, known := fingerprint(opts.App, cdkContext)
	if known && !opts.Resynthesize && reusable(assembly, sum) {
		p.Step("reusing the assembly of " + app + ": its inputs have not changed (--resynth to synthesize again)")
		return true, nil
	}
	p.Step("synthesizing " + app)
	forget(assembly)
	if err := Synthesize(ctx, opts.App, assembly, cdkContext); err != nil {
		return false, err
	}
	if known {
		if err := remember(assembly, sum); err != nil {
			return false, err
		}
	}
	return false, nil
}

// Open opens the local cloud of opts with the construct's functions
// registered and, unless assembly is empty, deploys the cloud assembly in
// that directory. The caller starts and closes the cloud.
func Open(ctx context.Context, opts localcloud.Options, assembly string) (*localcloud.Cloud, *deploy.Result, error) {
	cloud, err := localcloud.New(opts)
	if err != nil {
		return nil, nil, err
	}
	RegisterConstructFunctions(cloud, cloud.Options().Logger)
	if assembly == "" {
		return cloud, &deploy.Result{}, nil
	}
	res, err := cloud.Deploy(ctx, assembly)
	if err != nil {
		cloud.Close()
		return nil, nil, err
	}
	return cloud, res, nil
}

// AssemblyDir is where runs in a data directory synthesize apps to.
func AssemblyDir(dataDir string) string {
	return filepath.Join(cmp.Or(dataDir, ".bedrockbatch"), "cdk.out")
}

// givenJobInput is the job input the options give, from one place: it
// reaches an app as CDK context (appcontract) and, with the bundled
// example's defaults for what is not given, as the execution input.
func givenJobInput(opts Options, inputs []Input) batch.FragmentInput {
	keys := make([]string, len(inputs))
	for i, in := range inputs {
		keys[i] = in.Key
	}
	return batch.FragmentInput{JobName: opts.JobName, ManifestKeys: keys, ModelID: opts.ModelID}
}

func withDefaults(in batch.FragmentInput) batch.FragmentInput {
	in.JobName = cmp.Or(in.JobName, sampleapp.JobName)
	in.ModelID = cmp.Or(in.ModelID, sampleapp.ModelID)
	return in
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
	sample, _ := model.DetectFamily(sampleapp.ModelID)
	if input == "" && fam != sample {
		return fmt.Errorf("--model %s: the bundled sample is written for %s models (%s); give --input with manifests in the %s request format",
			modelID, sample, sampleapp.ModelID, fam)
	}
	return nil
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
	// Executions are named after the second they start; a run within the
	// same second as an earlier one takes the next free suffix.
	base := "run-" + time.Now().UTC().Format("20060102-150405")
	for attempt := 1; ; attempt++ {
		name := base
		if attempt > 1 {
			name = fmt.Sprintf("%s-%d", base, attempt)
		}
		out, err := sfc.StartExecution(ctx, &awssfn.StartExecutionInput{
			StateMachineArn: aws.String(machineArn), Name: aws.String(name), Input: aws.String(string(input)),
		})
		var exists *sfntypes.ExecutionAlreadyExists
		if errors.As(err, &exists) && attempt < 100 {
			continue
		}
		if err != nil {
			return "", time.Time{}, false, fmt.Errorf("start execution: %w", err)
		}
		return aws.ToString(out.ExecutionArn), aws.ToTime(out.StartDate), false, nil
	}
}

// progressOf is p, or a Progress that reports nothing.
func progressOf(p Progress) Progress {
	if p == nil {
		return silent{}
	}
	return p
}

type silent struct{}

func (silent) Step(string)                                   {}
func (silent) Deployed(*deploy.Result)                       {}
func (silent) Jobs([]bedrocktypes.ModelInvocationJobSummary) {}
