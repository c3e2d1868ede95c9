package handler

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
)

// The SDK client satisfies the ledger's interface.
var _ LedgerDB = (*dynamodb.Client)(nil)

const testLedgerTable = "bedrockbatch-ledger"

var ledgerEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestLedger is a ledger in a local DynamoDB reached through the SDK,
// stamping closings on clk.
func newTestLedger(t *testing.T, clk clock.Clock) (*Ledger, *dynamodb.Client) {
	t.Helper()
	if clk == nil {
		clk = clock.Real{}
	}
	db := cloudtest.DynamoDB(t, clk)
	cloudtest.LedgerTable(t, db, testLedgerTable)
	return NewLedger(db, testLedgerTable).WithClock(clk), db
}

// record writes an open entry for jobArn, submitted at submit, of
// execution, waiting with token.
func record(t *testing.T, l *Ledger, jobArn, token, execution string, submit time.Time) {
	t.Helper()
	err := l.Record(context.Background(), LedgerEntry{
		JobArn: jobArn, TaskToken: token, ExecutionArn: execution, Manifest: "s3://in/manifest.jsonl",
		ModelID: "amazon.nova-pro-v1:0", JobName: "nightly-run0", SubmitTime: submit, TimeoutHours: 24,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLedgerRecordAndGet(t *testing.T) {
	l, _ := newTestLedger(t, clock.NewManual(ledgerEpoch))
	ctx := context.Background()
	if _, ok, err := l.Get(ctx, testJobArn); err != nil || ok {
		t.Fatalf("Get of an unknown job = %v, %v; want no entry", ok, err)
	}
	token := testToken(batch.MaxTaskTokenChars)
	record(t, l, testJobArn, token, testExecutionArn, ledgerEpoch)
	e, ok, err := l.Get(ctx, testJobArn)
	if err != nil || !ok {
		t.Fatalf("Get = %v, %v", ok, err)
	}
	want := LedgerEntry{JobArn: testJobArn, TaskToken: token, ExecutionArn: testExecutionArn, Manifest: "s3://in/manifest.jsonl",
		ModelID: "amazon.nova-pro-v1:0", JobName: "nightly-run0", SubmitTime: ledgerEpoch, TimeoutHours: 24, State: batch.LedgerStateOpen}
	if e != want {
		t.Errorf("entry = %+v\nwant %+v", e, want)
	}
}

func TestLedgerRecordIsIdempotent(t *testing.T) {
	l, _ := newTestLedger(t, clock.NewManual(ledgerEpoch))
	ctx := context.Background()
	record(t, l, testJobArn, "token-1", testExecutionArn, ledgerEpoch)
	// A retried create-job call records the same job again: no error, and
	// the first entry stays.
	record(t, l, testJobArn, "token-1", testExecutionArn, ledgerEpoch.Add(time.Minute))
	e, _, _ := l.Get(ctx, testJobArn)
	if !e.SubmitTime.Equal(ledgerEpoch) {
		t.Errorf("submit time = %v, want the first record's %v", e.SubmitTime, ledgerEpoch)
	}
	// A closed entry is not reopened by a late retry.
	if err := l.Close(ctx, testJobArn, batch.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	record(t, l, testJobArn, "token-1", testExecutionArn, ledgerEpoch)
	if e, _, _ := l.Get(ctx, testJobArn); e.Open() || e.State != string(batch.StatusCompleted) {
		t.Errorf("after a late record, state = %q, want it to stay %s", e.State, batch.StatusCompleted)
	}
}

func TestLedgerCloseSetsTTLAndLeavesTheOpenIndex(t *testing.T) {
	clk := clock.NewManual(ledgerEpoch)
	l, db := newTestLedger(t, clk)
	ctx := context.Background()
	for i := range 5 {
		record(t, l, jobArnOf(strconv.Itoa(i)), "token-"+strconv.Itoa(i), testExecutionArn, ledgerEpoch.Add(time.Duration(i)*time.Minute))
	}
	clk.Advance(time.Hour)
	for _, i := range []int{1, 3} {
		if err := l.Close(ctx, jobArnOf(strconv.Itoa(i)), batch.StatusFailed); err != nil {
			t.Fatal(err)
		}
	}
	var open []string
	pages, err := l.OpenJobs(ctx, func(e LedgerEntry) error {
		if e.TaskToken == "" || !e.Open() || e.TimeoutHours != 24 {
			t.Errorf("open entry %+v lacks what the index projects", e)
		}
		open = append(open, e.JobArn)
		return nil
	})
	if err != nil || pages != 1 {
		t.Fatalf("OpenJobs = %d pages, %v", pages, err)
	}
	// Oldest first: the index sorts by submit time.
	want := []string{jobArnOf("0"), jobArnOf("2"), jobArnOf("4")}
	if len(open) != len(want) || open[0] != want[0] || open[1] != want[1] || open[2] != want[2] {
		t.Errorf("open jobs = %v, want %v", open, want)
	}

	// The TTL attribute is a Number of epoch seconds, as DynamoDB's TTL
	// requires: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(testLedgerTable),
		Key: map[string]ddbtypes.AttributeValue{batch.LedgerJobArn: &ddbtypes.AttributeValueMemberS{Value: jobArnOf("1")}}})
	if err != nil {
		t.Fatal(err)
	}
	exp, ok := out.Item[batch.LedgerExpiresAt].(*ddbtypes.AttributeValueMemberN)
	if !ok || exp.Value != strconv.FormatInt(clk.Now().Add(batch.LedgerRetention).Unix(), 10) {
		t.Errorf("%s = %#v, want epoch seconds of now + %v", batch.LedgerExpiresAt, out.Item[batch.LedgerExpiresAt], batch.LedgerRetention)
	}
	if _, ok := out.Item[batch.LedgerOpen]; ok {
		t.Errorf("a closed entry keeps %s, so it stays in the open-jobs index", batch.LedgerOpen)
	}
	// Closing a job the ledger does not hold does nothing.
	if err := l.Close(ctx, jobArnOf("nope"), batch.StatusFailed); err != nil {
		t.Errorf("Close of an unknown job: %v", err)
	}
	if _, ok, _ := l.Get(ctx, jobArnOf("nope")); ok {
		t.Error("Close of an unknown job created an entry")
	}
}

func TestLedgerExecutionJobsHoldNoToken(t *testing.T) {
	l, _ := newTestLedger(t, clock.NewManual(ledgerEpoch))
	ctx := context.Background()
	other := testExecutionArn + "-other"
	record(t, l, jobArnOf("a"), "token-a", testExecutionArn, ledgerEpoch.Add(2*time.Minute))
	record(t, l, jobArnOf("b"), "token-b", other, ledgerEpoch)
	record(t, l, jobArnOf("c"), "token-c", testExecutionArn, ledgerEpoch)
	if err := l.Close(ctx, jobArnOf("c"), batch.StatusStopped); err != nil {
		t.Fatal(err)
	}
	got, err := l.ExecutionJobs(ctx, testExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].JobArn != jobArnOf("c") || got[1].JobArn != jobArnOf("a") {
		t.Fatalf("execution jobs = %+v, want c then a", got)
	}
	if got[0].State != string(batch.StatusStopped) || !got[1].Open() || got[1].Manifest == "" || got[1].ModelID == "" {
		t.Errorf("entries = %+v, want c Stopped and a open, with manifest and model", got)
	}
	for _, e := range got {
		if e.TaskToken != "" {
			t.Errorf("the execution index gives away the task token of %s", e.JobArn)
		}
	}
}
