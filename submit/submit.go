// Package submit hands a run to a deployed BedrockBatchSfn workflow: it
// finds and validates manifests, uploads them to the workflow's input
// bucket and starts an execution of its state machine (or resumes one left
// running). Package watch then follows the execution. Both talk to the
// services only through the AWS SDK, so they work the same against AWS and
// against the local cloud (an SDK configuration with AWS_ENDPOINT_URL set,
// or the cloud's own in-process configuration).
//
// `bedrockbatch start` is this package behind flags; `bedrockbatch local
// run` (package localrun) deploys an app into the local cloud and then
// starts it through this package.
package submit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// Clients are the service clients a start uses. CloudFormation is needed
// only to read a stack's outputs (Options.Stack).
type Clients struct {
	S3             *s3.Client
	StepFunctions  *sfn.Client
	CloudFormation *cloudformation.Client
	// InProcessUpload, when set, tells that S3 is served in this process
	// (the local cloud): each manifest is then uploaded with one PutObject
	// carrying this option, one per CPU at a time, since there an upload is
	// bound by the CPU rather than a network. Nil: the S3 transfer manager
	// (Upload).
	InProcessUpload func(*s3.Options)
}

// NewClients makes the clients from one SDK configuration.
func NewClients(cfg aws.Config) Clients {
	return Clients{S3: s3.NewFromConfig(cfg), StepFunctions: sfn.NewFromConfig(cfg), CloudFormation: cloudformation.NewFromConfig(cfg)}
}

// Options say what to start where.
type Options struct {
	// StateMachine is the name or ARN of the workflow's state machine, and
	// Bucket its input bucket. Either may be left empty when Stack names a
	// deployed stack whose outputs (appcontract.OutputStateMachineArn,
	// appcontract.OutputBucketName) name it.
	StateMachine, Bucket, Stack string
	// Input holds the manifests to upload. Empty: nothing is uploaded, and
	// ExecutionInput must be given (the manifests are in the bucket
	// already).
	Input Source
	// Prefix is the key prefix the manifests are uploaded under. Default
	// "input/<execution name>/", so runs never overwrite each other's input.
	Prefix string
	// ModelID of the jobs: required unless ExecutionInput is given.
	ModelID string
	// JobName names the jobs (job_name). Default: the execution name.
	JobName string
	// Name of the execution. Default: NewExecutionName.
	Name string
	// ByPrefix starts the execution with {job_name, model_id,
	// manifest_prefix} rather than the list of manifest keys: the fragment
	// runs every manifest under the prefix through a distributed Map, which
	// has no ceiling on the number of manifests.
	ByPrefix bool
	// ModelInvocationType of the jobs (model_invocation_type), InvokeModel
	// or Converse. Empty: left out of the input, so the jobs run as
	// InvokeModel.
	ModelInvocationType string
	// ExecutionInput replaces the input the execution is started with.
	ExecutionInput json.RawMessage
	// Limits the manifests are validated against; zero fields mean the
	// service's defaults.
	Limits manifest.Limits
	// Resume follows an execution of the state machine that is running
	// already, if there is one, instead of uploading and starting: for a
	// state machine only this program starts, such as a local run's, where
	// a running execution is one an interrupted run left.
	Resume bool
	// Progress, if set, is told what happens.
	Progress Progress
}

// Progress is told what a start does as it does it.
type Progress interface {
	// Step reports a step done or begun, one line for people.
	Step(msg string)
	// Uploading is called once before the uploads, Uploaded after each.
	Uploading(ms []Manifest)
	Uploaded(m Manifest, done int)
}

// Started is an execution that Start started or resumed.
type Started struct {
	ExecutionArn    string    `json:"executionArn"`
	Name            string    `json:"name"`
	StateMachineArn string    `json:"stateMachineArn"`
	StartDate       time.Time `json:"startDate"`
	Bucket          string    `json:"bucket"`
	// Prefix and Manifests are where the manifests were uploaded.
	Prefix    string          `json:"prefix"`
	Manifests []Manifest      `json:"manifests"`
	Records   int             `json:"records"`
	Input     json.RawMessage `json:"input"`
	// Resumed tells that the execution was running already (Options.Resume):
	// nothing was uploaded, and Input is not known.
	Resumed bool `json:"resumed,omitempty"`
	// UploadTime is how long the uploads took.
	UploadTime time.Duration `json:"-"`
}

// ErrUsage wraps errors in the options themselves.
var ErrUsage = errors.New("usage")

// Plan is a start whose options and manifests are checked, made by Prepare
// without reaching any service. Its Options are complete: Name, Prefix and
// JobName hold the values the start will use. Where to start (StateMachine,
// Bucket, Stack) may still be set before Start.
type Plan struct {
	Options
	// Manifests are what Start uploads, validated, and Input the execution
	// input it starts with.
	Manifests []Manifest
	Input     json.RawMessage
}

// Keys are the object keys the manifests are uploaded to, in order.
func (p *Plan) Keys() []string { return keys(p.Manifests) }

// Start validates the manifests, finds the state machine and bucket, uploads
// the manifests and starts an execution: Prepare, then Plan.Start.
func Start(ctx context.Context, c Clients, opts Options) (*Started, error) {
	plan, err := Prepare(opts)
	if err != nil {
		return nil, err
	}
	return plan.Start(ctx, c)
}

// Prepare checks the options, names the execution and validates the
// manifests, so that bad input is reported before any service is reached.
func Prepare(opts Options) (*Plan, error) {
	name := opts.Name
	if name == "" {
		name = NewExecutionName(time.Now())
	}
	if err := CheckExecutionName(name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if opts.ExecutionInput == nil {
		if opts.ModelID == "" {
			return nil, fmt.Errorf("%w: give the model of the jobs (--model), or the whole execution input", ErrUsage)
		}
		if opts.Input.empty() {
			return nil, fmt.Errorf("%w: give the manifests to upload (--input DIR|FILE), or the whole execution input", ErrUsage)
		}
	}
	if err := batch.ValidModelInvocationType(opts.ModelInvocationType); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	opts.Name = name
	opts.JobName = cmp.Or(opts.JobName, name)
	opts.Prefix = cmp.Or(opts.Prefix, "input/"+name+"/")
	if !strings.HasSuffix(opts.Prefix, "/") {
		opts.Prefix += "/"
	}
	plan := &Plan{Options: opts}
	if !opts.Input.empty() {
		var err error
		if plan.Manifests, err = LoadManifests(opts.Input, opts.Prefix, opts.Limits); err != nil {
			return nil, err
		}
	}
	input, err := executionInput(opts, plan.Keys())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	plan.Input = input
	return plan, nil
}

// Start finds the state machine and bucket, uploads the manifests and
// starts the execution, or, with Resume, follows one running already. Each
// step is checked before the next begins: a missing state machine or
// bucket is reported before anything is written.
func (plan *Plan) Start(ctx context.Context, c Clients) (*Started, error) {
	opts, ms := plan.Options, plan.Manifests
	p := progressOf(opts.Progress)
	machine, bucket := opts.StateMachine, opts.Bucket
	if opts.Stack != "" && (machine == "" || bucket == "") {
		stackBucket, stackMachine, err := StackOutputs(ctx, c.CloudFormation, opts.Stack)
		if err != nil {
			return nil, err
		}
		machine, bucket = cmp.Or(machine, stackMachine), cmp.Or(bucket, stackBucket)
		if machine == "" {
			return nil, fmt.Errorf("%w: stack %q has no %s output: give --state-machine", ErrUsage, opts.Stack, appcontract.OutputStateMachineArn)
		}
		if bucket == "" && len(ms) > 0 {
			return nil, fmt.Errorf("%w: stack %q has no %s output: give --bucket", ErrUsage, opts.Stack, appcontract.OutputBucketName)
		}
	}
	if machine == "" {
		return nil, fmt.Errorf("%w: give the workflow's state machine (--state-machine NAME|ARN) or its stack (--stack NAME)", ErrUsage)
	}
	machineArn, err := ResolveStateMachine(ctx, c.StepFunctions, machine)
	if err != nil {
		return nil, err
	}
	if len(ms) > 0 {
		if bucket == "" {
			return nil, fmt.Errorf("%w: give the workflow's input bucket (--bucket NAME) or its stack (--stack NAME)", ErrUsage)
		}
		if err := CheckBucket(ctx, c.S3, bucket); err != nil {
			return nil, err
		}
	}
	if opts.Resume {
		running, err := runningExecution(ctx, c.StepFunctions, machineArn)
		if err != nil {
			return nil, err
		}
		if running != nil {
			name := aws.ToString(running.Name)
			p.Step(fmt.Sprintf("resuming execution %s, left running by an earlier run", name))
			return &Started{
				ExecutionArn: aws.ToString(running.ExecutionArn), Name: name, StateMachineArn: machineArn,
				StartDate: aws.ToTime(running.StartDate), Bucket: bucket, Prefix: opts.Prefix, Resumed: true,
			}, nil
		}
	}

	var uploadTime time.Duration
	if len(ms) > 0 {
		began := time.Now()
		p.Uploading(ms)
		if err := c.upload(ctx, bucket, ms, p.Uploaded); err != nil {
			return nil, err
		}
		uploadTime = time.Since(began)
		p.Step(fmt.Sprintf("uploaded %d manifests (%d records) to s3://%s/%s", len(ms), TotalRecords(ms), bucket, opts.Prefix))
	}
	out, err := c.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machineArn), Name: aws.String(opts.Name), Input: aws.String(string(plan.Input)),
	})
	if err != nil {
		var exists *sfntypes.ExecutionAlreadyExists
		if errors.As(err, &exists) {
			return nil, fmt.Errorf("an execution named %q exists already: choose another name (--name): %w", opts.Name, err)
		}
		return nil, fmt.Errorf("start execution %s of %s: %w", opts.Name, machineArn, err)
	}
	p.Step(fmt.Sprintf("started execution %s of %s", opts.Name, batch.ARNName(machineArn)))
	return &Started{
		ExecutionArn: aws.ToString(out.ExecutionArn), Name: opts.Name, StateMachineArn: machineArn,
		StartDate: aws.ToTime(out.StartDate), Bucket: bucket, Prefix: opts.Prefix,
		Manifests: ms, Records: TotalRecords(ms), Input: plan.Input, UploadTime: uploadTime,
	}, nil
}

// upload puts the manifests into bucket the way c says.
func (c Clients) upload(ctx context.Context, bucket string, ms []Manifest, uploaded func(Manifest, int)) error {
	if c.InProcessUpload != nil {
		return uploadInProcess(ctx, c.S3, c.InProcessUpload, bucket, ms, uploaded)
	}
	return Upload(ctx, c.S3, bucket, ms, uploaded)
}

// runningExecution is an execution of the state machine that is running,
// or nil.
func runningExecution(ctx context.Context, sfc *sfn.Client, machineArn string) (*sfntypes.ExecutionListItem, error) {
	out, err := sfc.ListExecutions(ctx, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(machineArn), StatusFilter: sfntypes.ExecutionStatusRunning,
	})
	if err != nil {
		return nil, fmt.Errorf("list the running executions of %s: %w", machineArn, err)
	}
	if len(out.Executions) == 0 {
		return nil, nil
	}
	return &out.Executions[0], nil
}

// progressOf is p, or a Progress that reports nothing.
func progressOf(p Progress) Progress {
	if p == nil {
		return silent{}
	}
	return p
}

type silent struct{}

func (silent) Step(string)            {}
func (silent) Uploading([]Manifest)   {}
func (silent) Uploaded(Manifest, int) {}
