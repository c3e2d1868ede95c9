package handler

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// The SDK clients satisfy the interfaces of the reconciler and the stopper.
var (
	_ JobReader    = (*bedrock.Client)(nil)
	_ JobStopper   = (*bedrock.Client)(nil)
	_ TaskReporter = (*sfn.Client)(nil)
)

// fakeJob is one job of a fakeAccount.
type fakeJob struct {
	status  batch.Status
	message string
}

// fakeAccount is the Bedrock control plane of one account: jobs by ARN. It
// counts the calls made of it, which is what the reconciler's cost is
// measured in.
type fakeAccount struct {
	jobs     map[string]*fakeJob
	getErr   map[string]error
	getCalls []string
	stopped  []string
}

func newFakeAccount() *fakeAccount { return &fakeAccount{jobs: map[string]*fakeJob{}} }

// add creates job id with status in the account and, unless execution is
// "-", records it open in l for execution, waiting with token.
func (a *fakeAccount) add(t *testing.T, l *Ledger, id string, status batch.Status, token, execution string, submit time.Time) string {
	t.Helper()
	arn := jobArnOf(id)
	a.jobs[arn] = &fakeJob{status: status}
	if execution != "-" {
		record(t, l, arn, token, execution, submit)
	}
	return arn
}

func (a *fakeAccount) GetModelInvocationJob(_ context.Context, in *bedrock.GetModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error) {
	arn := aws.ToString(in.JobIdentifier)
	a.getCalls = append(a.getCalls, arn)
	if err := a.getErr[arn]; err != nil {
		return nil, err
	}
	j, ok := a.jobs[arn]
	if !ok {
		return nil, &bedrocktypes.ResourceNotFoundException{Message: aws.String("no job " + arn)}
	}
	return jobDescription(arn, j.status, j.message), nil
}

func (a *fakeAccount) StopModelInvocationJob(_ context.Context, in *bedrock.StopModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error) {
	arn := aws.ToString(in.JobIdentifier)
	j, ok := a.jobs[arn]
	if !ok {
		return nil, &bedrocktypes.ResourceNotFoundException{Message: aws.String("no job " + arn)}
	}
	if j.status.Terminal() || j.status == batch.StatusStopping {
		return nil, &bedrocktypes.ConflictException{Message: aws.String("job has ended")}
	}
	j.status = batch.StatusStopping
	a.stopped = append(a.stopped, arn)
	return &bedrock.StopModelInvocationJobOutput{}, nil
}

// fakeTasks is Step Functions' side: which tokens still wait. Answering a
// task ends it; answering an ended one fails as Step Functions does.
type fakeTasks struct {
	waiting   map[string]bool
	successes []*sfn.SendTaskSuccessInput
	failures  []*sfn.SendTaskFailureInput
}

func (f *fakeTasks) end(token string) error {
	if !f.waiting[token] {
		return &sfntypes.TaskTimedOut{Message: aws.String("Task Timed Out")}
	}
	delete(f.waiting, token)
	return nil
}

func (f *fakeTasks) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.successes = append(f.successes, in)
	return &sfn.SendTaskSuccessOutput{}, f.end(aws.ToString(in.TaskToken))
}

func (f *fakeTasks) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.failures = append(f.failures, in)
	return &sfn.SendTaskFailureOutput{}, f.end(aws.ToString(in.TaskToken))
}

// stepClock is a clock whose waits end at once, moving it forward, and
// that records them.
type stepClock struct {
	now   time.Time
	waits []time.Duration
	// onWait, when set, runs when a wait starts.
	onWait func()
}

func (c *stepClock) Now() time.Time { return c.now }

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.waits = append(c.waits, d)
	if c.onWait != nil {
		c.onWait()
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}
