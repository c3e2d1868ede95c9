package handler

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

const (
	endedExecution = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-1"
	otherExecution = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-2"
)

func executionEvent(t *testing.T, arn string, status batch.ExecutionStatus, start, stop time.Time) events.CloudWatchEvent {
	t.Helper()
	stopMs := stop.UnixMilli()
	detail, err := json.Marshal(batch.ExecutionStatusChange{
		ExecutionArn: arn, StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:Machine",
		Name: arn[strings.LastIndexByte(arn, ':')+1:], Status: status, StartDate: start.UnixMilli(), StopDate: &stopMs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.CloudWatchEvent{ID: "e1", Source: batch.ExecutionEventSource, DetailType: batch.ExecutionEventDetailType, Detail: detail}
}

// executionAccount holds jobs of two executions and one job of nobody's.
func executionAccount(start time.Time) *fakeAccount {
	a := &fakeAccount{jobs: map[string]*fakeJob{}}
	add := func(id string, status batch.Status, execution string) {
		a.jobs[jobArnOf(id)] = &fakeJob{status: status, submit: start.Add(time.Minute), tags: tokenTagMap(testToken(200)+id, execution)}
	}
	add("mine00000001", batch.StatusInProgress, endedExecution)
	add("mine00000002", batch.StatusScheduled, endedExecution)
	add("mine00000003", batch.StatusSubmitted, endedExecution)
	add("mine00000004", batch.StatusCompleted, endedExecution)
	add("mine00000005", batch.StatusStopping, endedExecution)
	add("other0000001", batch.StatusInProgress, otherExecution)
	add("untagged0001", batch.StatusInProgress, "")
	return a
}

func TestStopJobsStopsOnlyTheEndedExecutionsActiveJobs(t *testing.T) {
	for _, status := range batch.UnsuccessfulEnds {
		start := reconcileNow.Add(-time.Hour)
		a := executionAccount(start)
		clk := &stepClock{now: reconcileNow}
		late := jobArnOf("late00000001")
		clk.onWait = func() { // a create-job call in flight at the end finishes during the wait
			a.jobs[late] = &fakeJob{status: batch.StatusSubmitted, submit: clk.now, tags: tokenTagMap(testToken(200), endedExecution)}
		}
		logger, _ := testLogger()
		h := NewStopJobs(a, logger).WithClock(clk)
		if err := h.Handle(context.Background(), executionEvent(t, endedExecution, status, start, reconcileNow)); err != nil {
			t.Fatal(err)
		}
		want := []string{jobArnOf("mine00000001"), jobArnOf("mine00000002"), jobArnOf("mine00000003"), late}
		got := slices.Clone(a.stopped)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: stopped %v, want %v", status, got, want)
		}
		if len(clk.waits) != 1 || clk.waits[0] != batch.CreateJobFunctionTimeout {
			t.Errorf("%s: waited %v, want the create-job timeout once", status, clk.waits)
		}
		for _, in := range a.listIn {
			if after := *in.SubmitTimeAfter; !after.Before(start) || start.Sub(after) > 10*time.Minute {
				t.Errorf("%s: listed jobs submitted after %v; the execution started %v", status, after, start)
			}
		}
	}
}

func TestStopJobsIgnoresOtherEvents(t *testing.T) {
	start := reconcileNow.Add(-time.Hour)
	for _, ev := range []events.CloudWatchEvent{
		executionEvent(t, endedExecution, batch.ExecutionSucceeded, start, reconcileNow),
		executionEvent(t, endedExecution, batch.ExecutionRunning, start, reconcileNow),
		stateChange(t, testJobArn, batch.StatusCompleted, ""),
	} {
		a := executionAccount(start)
		logger, _ := testLogger()
		if err := NewStopJobs(a, logger).WithClock(&stepClock{now: reconcileNow}).Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if len(a.stopped)+len(a.listIn) != 0 {
			t.Errorf("%s event: listed %d times, stopped %v", ev.DetailType, len(a.listIn), a.stopped)
		}
	}
}

// A late event (the wait already over) looks once more without waiting.
func TestStopJobsLateEventDoesNotWait(t *testing.T) {
	start := reconcileNow.Add(-2 * time.Hour)
	a := executionAccount(start)
	clk := &stepClock{now: reconcileNow}
	logger, _ := testLogger()
	if err := NewStopJobs(a, logger).WithClock(clk).Handle(context.Background(), executionEvent(t, endedExecution, batch.ExecutionAborted, start, reconcileNow.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 0 || len(a.stopped) != 3 {
		t.Errorf("waits %v, stopped %v; want no wait and three jobs stopped", clk.waits, a.stopped)
	}
}

func TestStopJobsMalformedEvent(t *testing.T) {
	a := executionAccount(reconcileNow)
	logger, _ := testLogger()
	ev := events.CloudWatchEvent{ID: "e1", Source: batch.ExecutionEventSource, DetailType: batch.ExecutionEventDetailType, Detail: json.RawMessage(`{"status":"ABORTED"}`)}
	if err := NewStopJobs(a, logger).Handle(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "executionArn") {
		t.Errorf("error = %v, want one naming executionArn", err)
	}
}
