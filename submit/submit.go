// Package submit hands a run to a deployed BedrockBatchSfn workflow: it
// validates local manifests, uploads them to the workflow's input bucket
// and starts an execution of its state machine. Package watch then follows
// the execution. Both talk to the services only through the AWS SDK, so
// they work the same against AWS and against the local cloud (an SDK
// configuration with AWS_ENDPOINT_URL set).
//
// `bedrockbatch start` is this package behind flags.
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
	// Input is a .jsonl manifest or a directory of them to upload. Empty:
	// nothing is uploaded, and ExecutionInput must be given (the manifests
	// are in the bucket already).
	Input string
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
	// ExecutionInput replaces the input the execution is started with.
	ExecutionInput json.RawMessage
	// Limits the manifests are validated against; zero fields mean the
	// service's defaults.
	Limits manifest.Limits
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

// Started is an execution that Start started.
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
}

// ErrUsage wraps errors in the options themselves.
var ErrUsage = errors.New("usage")

// Start validates the manifests, finds the state machine and bucket, uploads
// the manifests and starts an execution. Each step is checked before the
// next begins: bad input is reported before anything is uploaded, and a
// missing state machine or bucket before anything is written.
func Start(ctx context.Context, c Clients, opts Options) (*Started, error) {
	p := progressOf(opts.Progress)
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
		if opts.Input == "" {
			return nil, fmt.Errorf("%w: give the manifests to upload (--input DIR|FILE), or the whole execution input", ErrUsage)
		}
	}
	prefix := cmp.Or(opts.Prefix, "input/"+name+"/")
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var ms []Manifest
	if opts.Input != "" {
		var err error
		if ms, err = LoadManifests(opts.Input, prefix, opts.Limits); err != nil {
			return nil, err
		}
	}

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

	keys := make([]string, len(ms))
	for i, m := range ms {
		keys[i] = m.Key
	}
	in := opts
	in.JobName = cmp.Or(opts.JobName, name)
	input, err := executionInput(in, prefix, keys)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if len(ms) > 0 {
		p.Uploading(ms)
		if err := Upload(ctx, c.S3, bucket, ms, p.Uploaded); err != nil {
			return nil, err
		}
		p.Step(fmt.Sprintf("uploaded %d manifests (%d records) to s3://%s/%s", len(ms), TotalRecords(ms), bucket, prefix))
	}
	out, err := c.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machineArn), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		var exists *sfntypes.ExecutionAlreadyExists
		if errors.As(err, &exists) {
			return nil, fmt.Errorf("an execution named %q exists already: choose another name (--name): %w", name, err)
		}
		return nil, fmt.Errorf("start execution %s of %s: %w", name, machineArn, err)
	}
	p.Step(fmt.Sprintf("started execution %s of %s", name, batch.ARNName(machineArn)))
	return &Started{
		ExecutionArn: aws.ToString(out.ExecutionArn), Name: name, StateMachineArn: machineArn,
		StartDate: aws.ToTime(out.StartDate), Bucket: bucket, Prefix: prefix,
		Manifests: ms, Records: TotalRecords(ms), Input: input,
	}, nil
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
