package handler

import (
	"context"
	"fmt"
	"sort"
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
	_ ReconcileBedrock = (*bedrock.Client)(nil)
	_ ReconcileSFN     = (*sfn.Client)(nil)
	_ StopBedrock      = (*bedrock.Client)(nil)
)

// fakeJob is one job of a fakeAccount.
type fakeJob struct {
	status  batch.Status
	message string
	submit  time.Time
	hours   int32
	tags    map[string]string
}

// fakeAccount is the Bedrock control plane of one account: jobs by ARN,
// listed one per page so pagination is exercised.
type fakeAccount struct {
	jobs     map[string]*fakeJob
	tagsErr  map[string]error
	listIn   []*bedrock.ListModelInvocationJobsInput
	tagCalls []string
	stopped  []string
	// onList, when set, runs before each listing (a job appearing late).
	onList func(a *fakeAccount)
}

func (a *fakeAccount) sortedArns(after *time.Time) []string {
	var arns []string
	for arn, j := range a.jobs {
		if after == nil || j.submit.After(*after) {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	return arns
}

func (a *fakeAccount) ListModelInvocationJobs(_ context.Context, in *bedrock.ListModelInvocationJobsInput, _ ...func(*bedrock.Options)) (*bedrock.ListModelInvocationJobsOutput, error) {
	if in.NextToken == nil {
		a.listIn = append(a.listIn, in)
		if a.onList != nil {
			a.onList(a)
		}
	}
	arns := a.sortedArns(in.SubmitTimeAfter)
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &bedrock.ListModelInvocationJobsOutput{}
	if i < len(arns) {
		j := a.jobs[arns[i]]
		out.InvocationJobSummaries = []bedrocktypes.ModelInvocationJobSummary{{
			JobArn: aws.String(arns[i]), Status: bedrocktypes.ModelInvocationJobStatus(j.status),
			SubmitTime: aws.Time(j.submit), TimeoutDurationInHours: aws.Int32(j.hours),
		}}
	}
	if i+1 < len(arns) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func (a *fakeAccount) GetModelInvocationJob(_ context.Context, in *bedrock.GetModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error) {
	arn := aws.ToString(in.JobIdentifier)
	j, ok := a.jobs[arn]
	if !ok {
		return nil, &bedrocktypes.ResourceNotFoundException{Message: aws.String("no job " + arn)}
	}
	return jobDescription(arn, j.status, j.message), nil
}

func (a *fakeAccount) ListTagsForResource(_ context.Context, in *bedrock.ListTagsForResourceInput, _ ...func(*bedrock.Options)) (*bedrock.ListTagsForResourceOutput, error) {
	arn := aws.ToString(in.ResourceARN)
	a.tagCalls = append(a.tagCalls, arn)
	if err := a.tagsErr[arn]; err != nil {
		return nil, err
	}
	out := &bedrock.ListTagsForResourceOutput{}
	for k, v := range a.jobs[arn].tags {
		out.Tags = append(out.Tags, bedrocktypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

func (a *fakeAccount) StopModelInvocationJob(_ context.Context, in *bedrock.StopModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error) {
	arn := aws.ToString(in.JobIdentifier)
	j := a.jobs[arn]
	if j.status.Terminal() {
		return nil, &bedrocktypes.ConflictException{Message: aws.String("job has ended")}
	}
	j.status = batch.StatusStopping
	a.stopped = append(a.stopped, arn)
	return &bedrock.StopModelInvocationJobOutput{}, nil
}

// fakeTasks is Step Functions' side: which tokens still wait. Answering a
// task ends it; answering or beating an ended one fails as Step Functions
// does.
type fakeTasks struct {
	waiting   map[string]bool
	beats     []string
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

func (f *fakeTasks) SendTaskHeartbeat(_ context.Context, in *sfn.SendTaskHeartbeatInput, _ ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	token := aws.ToString(in.TaskToken)
	f.beats = append(f.beats, token)
	if !f.waiting[token] {
		return nil, &sfntypes.InvalidToken{Message: aws.String("Invalid token")}
	}
	return &sfn.SendTaskHeartbeatOutput{}, nil
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

// tokenTagMap is the tags CreateJob puts on a job for token and execution.
func tokenTagMap(token, executionArn string) map[string]string {
	m := map[string]string{batch.OriginalNameTag: "nightly-run0"}
	parts, _ := batch.TokenTags(token)
	for _, p := range parts {
		m[p.Key] = p.Value
	}
	if executionArn != "" {
		m[batch.ExecutionTag] = batch.ExecutionTagValue(executionArn)
	}
	return m
}

// Short names for the heartbeat signature in test wrappers.
type (
	sfnHeartbeatInput  = sfn.SendTaskHeartbeatInput
	sfnHeartbeatOutput = sfn.SendTaskHeartbeatOutput
	sfnOption          = func(*sfn.Options)
)
