package handler

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

func jobArnOf(id string) string {
	return "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + id
}

var reconcileNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// lostEvents is an account and a ledger holding one job of each kind the
// reconciler must tell apart, with the tokens of their tasks.
type lostEvents struct {
	account *fakeAccount
	tasks   *fakeTasks
	ledger  *Ledger
	tokens  map[string]string
}

func newLostEvents(t *testing.T) *lostEvents {
	t.Helper()
	l, _ := newTestLedger(t, clock.NewManual(reconcileNow))
	f := &lostEvents{account: newFakeAccount(), tasks: &fakeTasks{waiting: map[string]bool{}}, ledger: l, tokens: map[string]string{}}
	recent := reconcileNow.Add(-3 * time.Hour)
	add := func(id string, status batch.Status, submit time.Time, waiting bool) {
		f.tokens[id] = testToken(300) + id
		f.tasks.waiting[f.tokens[id]] = waiting
		f.account.add(t, l, id, status, f.tokens[id], testExecutionArn, submit)
		f.account.jobs[jobArnOf(id)].message = "message of " + id
	}
	add(testJobID, batch.StatusCompleted, recent, true) // lost event: report success
	add("failed000001", batch.StatusFailed, recent, true)
	add("stopped00001", batch.StatusStopped, recent, true) // stopped by hand, its event lost
	add("answered0001", batch.StatusCompleted, recent, false)
	add("running00001", batch.StatusInProgress, recent, true)
	add("stale0000001", batch.StatusInProgress, reconcileNow.Add(-batch.WaitBound(24)-time.Minute), false)
	// Ended and already closed: history the reconciler must not touch.
	for _, id := range []string{"closed000001", "closed000002"} {
		f.account.add(t, l, id, batch.StatusCompleted, "t-"+id, testExecutionArn, recent)
		if err := l.Close(context.Background(), jobArnOf(id), batch.StatusCompleted); err != nil {
			t.Fatal(err)
		}
	}
	// A job of someone else's: not in the ledger.
	f.account.add(t, l, "foreign00001", batch.StatusCompleted, "", "-", recent)
	f.account.getCalls = nil
	return f
}

func (f *lostEvents) reconciler(t *testing.T) *Reconcile {
	logger, _ := testLogger()
	return NewReconcile(f.ledger, f.account, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, f.tasks, logger).WithClock(&stepClock{now: reconcileNow})
}

func TestReconcileReportsOpenJobsThatEnded(t *testing.T) {
	f := newLostEvents(t)
	logger, buf := testLogger()
	r := NewReconcile(f.ledger, f.account, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, f.tasks, logger).WithClock(&stepClock{now: reconcileNow})
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := ReconcileCounts{Pages: 1, Open: 6, Running: 1, Reported: 4, TooOld: 1}
	if c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	// One GetModelInvocationJob per open job, none for closed or foreign
	// ones: the run's cost follows the open jobs, not the history.
	if len(f.account.getCalls) != c.Open {
		t.Errorf("%d job reads for %d open jobs: %v", len(f.account.getCalls), c.Open, f.account.getCalls)
	}
	for _, arn := range f.account.getCalls {
		if strings.Contains(arn, "closed") || strings.Contains(arn, "foreign") {
			t.Errorf("read %s, which the ledger holds closed or not at all", arn)
		}
	}
	if len(f.tasks.successes) != 2 || aws.ToString(f.tasks.successes[0].TaskToken) != f.tokens[testJobID] {
		t.Fatalf("successes = %v, want the lost one and the answered one's attempt", f.tasks.successes)
	}
	var failures []string
	for _, in := range f.tasks.failures {
		failures = append(failures, aws.ToString(in.Error)+": "+aws.ToString(in.Cause))
	}
	slices.Sort(failures)
	if want := []string{"Failed: message of failed000001", "Stopped: message of stopped00001"}; !slices.Equal(failures, want) {
		t.Errorf("failures = %q, want %q", failures, want)
	}
	if !f.tasks.waiting[f.tokens["running00001"]] {
		t.Error("the task of a running job was answered")
	}
	// Every ended job is closed now; the running one stays open.
	var open []string
	if _, err := f.ledger.OpenJobs(context.Background(), func(e LedgerEntry) error {
		open = append(open, e.JobArn)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(open, []string{jobArnOf("running00001")}) {
		t.Errorf("open after the run: %v, want only the running job", open)
	}
	if e, _, _ := f.ledger.Get(context.Background(), jobArnOf("stopped00001")); e.State != string(batch.StatusStopped) {
		t.Errorf("stopped job's entry: state %q, want %s", e.State, batch.StatusStopped)
	}
	if !strings.Contains(buf.String(), `"msg":"reconciled"`) {
		t.Errorf("no summary line logged:\n%s", buf)
	}

	// The report is the event path's, field for field.
	g := newLostEvents(t)
	ev := NewJobEvent(g.ledger, g.account, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, g.tasks, logger)
	if err := ev.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.tasks.successes[0], f.tasks.successes[0]) {
		t.Errorf("the reconciler reported %+v, the event path %+v", f.tasks.successes[0], g.tasks.successes[0])
	}
}

func TestReconcileIsIdempotent(t *testing.T) {
	f := newLostEvents(t)
	r := f.reconciler(t)
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	answers := len(f.tasks.successes) + len(f.tasks.failures)
	f.account.getCalls = nil
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Reported != 0 || c.Open != 1 || len(f.tasks.successes)+len(f.tasks.failures) != answers || len(f.account.getCalls) != 1 {
		t.Errorf("second run: %+v, %d job reads, %d answers (was %d); want only the running job read", c, len(f.account.getCalls),
			len(f.tasks.successes)+len(f.tasks.failures), answers)
	}
}

// A job Bedrock no longer knows is closed, not retried forever.
func TestReconcileClosesMissingJobs(t *testing.T) {
	f := newLostEvents(t)
	delete(f.account.jobs, jobArnOf("running00001"))
	c, err := f.reconciler(t).Run(context.Background())
	if err != nil || c.Missing != 1 {
		t.Fatalf("counts %+v, %v; want one missing", c, err)
	}
	if e, _, _ := f.ledger.Get(context.Background(), jobArnOf("running00001")); e.State != batch.LedgerStateMissing {
		t.Errorf("state = %q, want %s", e.State, batch.LedgerStateMissing)
	}
}

func TestReconcileKeepsGoingAfterAnError(t *testing.T) {
	f := newLostEvents(t)
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}
	f.account.getErr = map[string]error{jobArnOf("failed000001"): throttled}
	err := f.reconciler(t).Handle(context.Background(), events.CloudWatchEvent{Source: "aws.events", DetailType: "Scheduled Event"})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" || !strings.Contains(err.Error(), "failed000001") {
		t.Errorf("error = %v, want the throttling error naming the job", err)
	}
	if len(f.tasks.successes) != 2 {
		t.Errorf("the other jobs were not reported: successes = %d", len(f.tasks.successes))
	}
	if e, _, _ := f.ledger.Get(context.Background(), jobArnOf("failed000001")); !e.Open() {
		t.Error("the job that could not be read was closed; the next run must retry it")
	}
}
