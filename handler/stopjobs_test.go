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
	"github.com/bedrockbatch/bedrockbatch/clock"
)

const (
	endedExecution = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-1"
	otherExecution = "arn:aws:states:us-east-1:123456789012:execution:Machine:run-2"
	// testExecutionArn is the execution of the ledger tests' jobs.
	testExecutionArn = endedExecution
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

// executionAccount holds jobs of two executions in the ledger, one closed,
// and one job the ledger does not hold.
func executionAccount(t *testing.T, start time.Time) (*fakeAccount, *Ledger) {
	t.Helper()
	l, _ := newTestLedger(t, clock.NewManual(start))
	a := newFakeAccount()
	add := func(id string, status batch.Status, execution string) {
		a.add(t, l, id, status, testToken(200)+id, execution, start.Add(time.Minute))
	}
	add("mine00000001", batch.StatusInProgress, endedExecution)
	add("mine00000002", batch.StatusScheduled, endedExecution)
	add("mine00000003", batch.StatusSubmitted, endedExecution)
	add("mine00000004", batch.StatusCompleted, endedExecution)
	add("mine00000005", batch.StatusStopping, endedExecution)
	add("other0000001", batch.StatusInProgress, otherExecution)
	add("untracked001", batch.StatusInProgress, "-")
	if err := l.Close(context.Background(), jobArnOf("mine00000004"), batch.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	return a, l
}

func TestStopJobsStopsOnlyTheEndedExecutionsOpenJobs(t *testing.T) {
	for _, status := range batch.UnsuccessfulEnds {
		start := reconcileNow.Add(-time.Hour)
		a, l := executionAccount(t, start)
		clk := &stepClock{now: reconcileNow}
		late := jobArnOf("late00000001")
		clk.onWait = func() { // a create-job call in flight at the end finishes during the wait
			a.add(t, l, "late00000001", batch.StatusSubmitted, testToken(200), endedExecution, clk.now)
		}
		logger, _ := testLogger()
		h := NewStopJobs(l, a, logger).WithClock(clk)
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
	}
}

func TestStopJobsIgnoresOtherEvents(t *testing.T) {
	start := reconcileNow.Add(-time.Hour)
	for _, ev := range []events.CloudWatchEvent{
		executionEvent(t, endedExecution, batch.ExecutionSucceeded, start, reconcileNow),
		executionEvent(t, endedExecution, batch.ExecutionRunning, start, reconcileNow),
		stateChange(t, testJobArn, batch.StatusCompleted, ""),
	} {
		a, l := executionAccount(t, start)
		logger, _ := testLogger()
		if err := NewStopJobs(l, a, logger).WithClock(&stepClock{now: reconcileNow}).Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if len(a.stopped) != 0 {
			t.Errorf("%s event: stopped %v", ev.DetailType, a.stopped)
		}
	}
}

// A late event (the wait already over) looks once more without waiting.
func TestStopJobsLateEventDoesNotWait(t *testing.T) {
	start := reconcileNow.Add(-2 * time.Hour)
	a, l := executionAccount(t, start)
	clk := &stepClock{now: reconcileNow}
	logger, _ := testLogger()
	if err := NewStopJobs(l, a, logger).WithClock(clk).Handle(context.Background(), executionEvent(t, endedExecution, batch.ExecutionAborted, start, reconcileNow.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 0 || len(a.stopped) != 3 {
		t.Errorf("waits %v, stopped %v; want no wait and three jobs stopped", clk.waits, a.stopped)
	}
}

func TestStopJobsMalformedEvent(t *testing.T) {
	a, l := executionAccount(t, reconcileNow)
	logger, _ := testLogger()
	ev := events.CloudWatchEvent{ID: "e1", Source: batch.ExecutionEventSource, DetailType: batch.ExecutionEventDetailType, Detail: json.RawMessage(`{"status":"ABORTED"}`)}
	if err := NewStopJobs(l, a, logger).Handle(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "executionArn") {
		t.Errorf("error = %v, want one naming executionArn", err)
	}
}
