package handler

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

func jobArnOf(id string) string {
	return "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + id
}

var reconcileNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// lostEventAccount holds one job of each kind the reconciler must tell
// apart, with the tokens of the tasks still waiting.
func lostEventAccount() (*fakeAccount, *fakeTasks, map[string]string) {
	recent := reconcileNow.Add(-3 * time.Hour)
	tokens := map[string]string{}
	tasks := &fakeTasks{waiting: map[string]bool{}}
	a := &fakeAccount{jobs: map[string]*fakeJob{}}
	add := func(id string, status batch.Status, submit time.Time, ours, waiting bool) {
		j := &fakeJob{status: status, submit: submit, hours: batch.DefaultTimeoutHours, message: "message of " + id}
		if ours {
			tokens[id] = testToken(300) + id
			j.tags = tokenTagMap(tokens[id], "")
			tasks.waiting[tokens[id]] = waiting
		}
		a.jobs[jobArnOf(id)] = j
	}
	add(testJobID, batch.StatusCompleted, recent, true, true) // lost event: report success
	add("failed000001", batch.StatusFailed, recent, true, true)
	add("answered0001", batch.StatusCompleted, recent, true, false)
	add("running00001", batch.StatusInProgress, recent, true, true)
	add("foreign00001", batch.StatusCompleted, recent, false, false)
	add("old000000001", batch.StatusCompleted, reconcileNow.Add(-batch.WaitBound(batch.DefaultTimeoutHours)-time.Minute), true, true)
	return a, tasks, tokens
}

func TestReconcileReportsEndedJobsWhoseTaskWaits(t *testing.T) {
	a, tasks, tokens := lostEventAccount()
	logger, buf := testLogger()
	clk := &stepClock{now: reconcileNow}
	r := NewReconcile(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, tasks, logger).WithClock(clk)
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := ReconcileCounts{Listed: 6, Ended: 5, Reported: 2, Answered: 1, Foreign: 1, TooOld: 1}
	if c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	if got := aws.ToTime(a.listIn[0].SubmitTimeAfter); !got.Equal(reconcileNow.Add(-batch.ReconcileLookback)) {
		t.Errorf("listed jobs submitted after %v, want now minus %v", got, batch.ReconcileLookback)
	}
	if len(tasks.successes) != 1 || aws.ToString(tasks.successes[0].TaskToken) != tokens[testJobID] {
		t.Fatalf("successes = %v, want one for %s", tasks.successes, testJobID)
	}
	if len(tasks.failures) != 1 || aws.ToString(tasks.failures[0].TaskToken) != tokens["failed000001"] ||
		aws.ToString(tasks.failures[0].Error) != "Failed" || aws.ToString(tasks.failures[0].Cause) != "message of failed000001" {
		t.Errorf("failures = %+v, want one Failed with the job's message", tasks.failures)
	}
	if tasks.waiting[tokens["running00001"]] != true {
		t.Error("the task of a running job was answered")
	}
	for _, arn := range a.tagCalls {
		if arn == jobArnOf("old000000001") || arn == jobArnOf("running00001") {
			t.Errorf("read the tags of %s, which cannot need reporting", arn)
		}
	}
	if !strings.Contains(buf.String(), `"msg":"reconciled"`) {
		t.Errorf("no summary line logged:\n%s", buf)
	}

	// The report is the event path's, field for field.
	viaEvent := &fakeTasks{waiting: map[string]bool{tokens[testJobID]: true}}
	ev := NewJobEvent(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, viaEvent, logger)
	if err := ev.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaEvent.successes, tasks.successes) {
		t.Errorf("the reconciler reported %+v, the event path %+v", tasks.successes[0], viaEvent.successes[0])
	}
}

func TestReconcileIsIdempotent(t *testing.T) {
	a, tasks, _ := lostEventAccount()
	logger, _ := testLogger()
	r := NewReconcile(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, tasks, logger).WithClock(&stepClock{now: reconcileNow})
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	tagCalls := len(a.tagCalls)
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Reported != 0 || c.Known != 4 || len(tasks.successes)+len(tasks.failures) != 2 {
		t.Errorf("second run: %+v, %d reports in all; want nothing reported again", c, len(tasks.successes)+len(tasks.failures))
	}
	// The second run asks nothing about the jobs the first dealt with, and
	// lists only from the oldest job still running (less the margin).
	if n := len(a.tagCalls) - tagCalls; n != 0 {
		t.Errorf("the second run read the tags of %d jobs the first had dealt with", n)
	}
	if got, want := aws.ToTime(a.listIn[len(a.listIn)-1].SubmitTimeAfter), reconcileNow.Add(-3*time.Hour-settleMargin); !got.Equal(want) {
		t.Errorf("the second run listed jobs submitted after %v, want %v (the running job's submission less the margin)", got, want)
	}

	// A new instance (a cold start) knows nothing and asks again: the
	// answered tasks are told apart by their heartbeat.
	fresh := NewReconcile(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, tasks, logger).WithClock(&stepClock{now: reconcileNow})
	c, err = fresh.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Reported != 0 || c.Answered != 3 || len(tasks.successes)+len(tasks.failures) != 2 {
		t.Errorf("a new instance's run: %+v, %d reports in all; want nothing reported again", c, len(tasks.successes)+len(tasks.failures))
	}
}

// A task answered by the event path between the reconciler's heartbeat and
// its report is acknowledged, not an error.
func TestReconcileRacingTheEventPath(t *testing.T) {
	a, tasks, tokens := lostEventAccount()
	logger, _ := testLogger()
	racing := &racingTasks{fakeTasks: tasks, token: tokens[testJobID]}
	r := NewReconcile(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, racing, logger).WithClock(&stepClock{now: reconcileNow})
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatalf("a task answered meanwhile made the run fail: %v", err)
	}
	if len(tasks.successes) != 1 {
		t.Errorf("successes = %d, want the one attempt", len(tasks.successes))
	}
}

// racingTasks answers token's task right after its heartbeat, as the event
// path would.
type racingTasks struct {
	*fakeTasks
	token string
}

func (r *racingTasks) SendTaskHeartbeat(ctx context.Context, in *sfnHeartbeatInput, opt ...sfnOption) (*sfnHeartbeatOutput, error) {
	out, err := r.fakeTasks.SendTaskHeartbeat(ctx, in, opt...)
	if aws.ToString(in.TaskToken) == r.token {
		delete(r.waiting, r.token)
	}
	return out, err
}

func TestReconcileKeepsGoingAfterAnError(t *testing.T) {
	a, tasks, _ := lostEventAccount()
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}
	a.tagsErr = map[string]error{jobArnOf("failed000001"): throttled}
	logger, _ := testLogger()
	r := NewReconcile(a, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, tasks, logger).WithClock(&stepClock{now: reconcileNow})
	err := r.Handle(context.Background(), events.CloudWatchEvent{Source: "aws.events", DetailType: "Scheduled Event"})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" || !strings.Contains(err.Error(), "failed000001") {
		t.Errorf("error = %v, want the throttling error naming the job", err)
	}
	if len(tasks.successes) != 1 {
		t.Errorf("the other job was not reported: successes = %d", len(tasks.successes))
	}
}
