// Package localrun runs a CDK app that uses the BedrockBatchSfn construct
// end to end in a local cloud on this machine: it synthesizes the app (the
// bundled example by default), deploys it, hands the input manifests to
// package submit against the cloud's SDK configuration (which uploads them
// and starts an execution of the state machine, or resumes one an
// interrupted run left), follows the execution with package watch and
// sums up what the jobs produced.
//
// `bedrockbatch local run` is this package behind flags; Go programs and
// tests call Run the same way.
package localrun

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localcloud/inprocess"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
	"github.com/bedrockbatch/bedrockbatch/submit"
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
	// Input is a .jsonl manifest or a directory of them, uploaded under
	// InputPrefix. Empty: the bundled sample.
	Input string
	// ModelID and JobName of the jobs. Empty: the app's own. A ModelID
	// that is an application inference profile ARN must be declared in
	// Cloud.Bedrock.InferenceProfiles.
	ModelID, JobName string
	// ByPrefix starts the execution with {job_name, model_id,
	// manifest_prefix} rather than the list of manifest keys (see
	// submit.Options).
	ByPrefix bool
	// ModelInvocationType of the jobs, InvokeModel or Converse. Empty:
	// Converse when the manifests hold Converse requests, else the app's
	// own (InvokeModel unless it sets model_invocation_type).
	ModelInvocationType string
	// ExecutionInput replaces the execution input, which is otherwise
	// {job_name, manifest_keys, model_id} of the uploaded manifests.
	ExecutionInput json.RawMessage
	// Limits the manifests are validated against, as submit.Options.Limits;
	// zero fields mean the service's defaults.
	Limits manifest.Limits
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

// InputPrefix is the key prefix under which a run uploads its manifests.
const InputPrefix = "input/"

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
	if err := checkModel(source.String(), opts.Input); err != nil {
		return nil, err
	}
	// Settings and manifests are checked before the slow steps, so a
	// mistake costs nothing.
	plan, err := submit.Prepare(submitOptions(opts, p))
	if err != nil {
		return nil, err
	}
	invType, err := invocationType(opts, source, plan.Manifests)
	if err != nil {
		return nil, err
	}
	if invType != "" {
		if err := plan.SetModelInvocationType(invType); err != nil {
			return nil, err
		}
	}
	if _, err := backend.New(opts.Cloud.Models); err != nil {
		return nil, fmt.Errorf("model backends: %w", err)
	}

	res := &Result{}
	assembly := AssemblyDir(opts.Cloud.DataDir)
	// The job input the options give reaches an app as CDK context.
	given := batch.FragmentInput{JobName: opts.JobName, ManifestKeys: plan.Keys(), ModelID: opts.ModelID, ModelInvocationType: invType}
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
	if plan.Bucket, err = PickBucket(deployed, opts.Bucket); err != nil {
		return nil, err
	}
	machine, err := PickStateMachine(deployed, opts.StateMachine)
	if err != nil {
		return nil, err
	}
	plan.StateMachine = machine.PhysicalID
	cfg := cloud.AWSConfig()
	clients := submit.NewClients(cfg)
	clients.InProcessUpload = inprocess.UnhashedUploads
	started, err := plan.Start(ctx, clients)
	if err != nil {
		return nil, err
	}
	res.ExecutionArn, res.Resumed = started.ExecutionArn, started.Resumed
	res.Times.Upload = started.UploadTime
	res.Times.Deploy = time.Since(deployStart)

	execStart := time.Now()
	wc := watch.Clients{StepFunctions: clients.StepFunctions, Bedrock: awsbedrock.NewFromConfig(cfg)}
	if table := LedgerTable(deployed); table != "" {
		wc.Ledger = handler.NewLedger(dynamodb.NewFromConfig(cfg), table)
	}
	desc, jobs, err := watch.Execution(ctx, wc,
		started.ExecutionArn, started.StartDate, watch.Options{Jobs: p.Jobs})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: the execution and its jobs are saved in %s; run the same command again to resume",
				ErrInterrupted, cloud.Options().DataDir)
		}
		return nil, err
	}
	res.Times.Execution = time.Since(execStart)
	res.Summary = watch.Summarize(ctx, clients.S3, desc, jobs)
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

// submitOptions are the options of the run's start: its manifests under
// InputPrefix, the bundled example's job name and model for those not
// given, and a running execution resumed.
func submitOptions(opts Options, p Progress) submit.Options {
	src := submit.Source{Path: opts.Input}
	if opts.Input == "" {
		src.FS = sampleData()
	}
	return submit.Options{
		Input:          src,
		Prefix:         InputPrefix,
		ModelID:        cmp.Or(opts.ModelID, sampleapp.ModelID),
		JobName:        cmp.Or(opts.JobName, sampleapp.JobName),
		ByPrefix:       opts.ByPrefix,
		ExecutionInput: opts.ExecutionInput,
		Limits:         opts.Limits,
		Resume:         true,
		Progress:       submitProgress{p},
	}
}

// sampleData is the bundled sample's manifests.
func sampleData() fs.FS {
	sub, err := fs.Sub(sampleapp.Data, sampleapp.DataDir)
	if err != nil {
		panic(err) // DataDir is a constant path of the embedded files
	}
	return sub
}

// submitProgress reports a start's steps as the run's; the uploads of a
// local run are too quick to follow one by one.
type submitProgress struct{ Progress }

func (submitProgress) Uploading([]submit.Manifest)   {}
func (submitProgress) Uploaded(submit.Manifest, int) {}

// LocalContext is the CDK context a local run synthesizes an app with: the
// construct's own functions run in-process, so the construct skips
// compiling them (appcontract.ContextInProcessFunctions); every other
// asset — the app's own functions — is bundled as a deployment bundles it.
func LocalContext() map[string]any {
	return map[string]any{appcontract.ContextInProcessFunctions: true}
}

// synthesizeOrReuse synthesizes the app into assembly, unless the assembly
// there was made from the same inputs; it reports whether it reused one.
func synthesizeOrReuse(ctx context.Context, opts Options, assembly string, cdkContext map[string]any, p Progress) (bool, error) {
	for k, v := range LocalContext() {
		cdkContext[k] = v
	}
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

// checkModel rejects a model id no local backend can serve, and one the
// bundled sample (written for Amazon Nova) does not fit.
func checkModel(modelID, input string) error {
	if modelID == "" {
		return nil
	}
	fam, err := model.ParseID(modelID).RequireFamily()
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	sample := model.ParseID(sampleapp.ModelID).Family()
	if input == "" && fam != sample {
		return fmt.Errorf("--model %s: the bundled sample is written for %s models (%s); give --input with manifests in the %s request format",
			modelID, sample, sampleapp.ModelID, fam)
	}
	return nil
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
