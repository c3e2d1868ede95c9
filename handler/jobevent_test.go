package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

const (
	testJobID     = "abcdef012345"
	testOutputURI = "s3://out-bucket/output/nightly-run/"
	testPrefix    = "output/nightly-run/" + testJobID + "/"
)

func stateChange(t *testing.T, arn string, status batch.Status, failure string) events.CloudWatchEvent {
	t.Helper()
	detail, err := json.Marshal(batch.JobStateChange{
		Version: "0.0", AccountID: "123456789012", BatchJobName: "nightly-run0", BatchJobArn: arn,
		BatchModelID: "amazon.nova-pro-v1:0", Status: status, FailureMessage: failure,
		CreationTime: "2025-01-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.CloudWatchEvent{
		Version: "0", ID: "event-1", Source: batch.EventSource, DetailType: batch.EventDetailType,
		AccountID: "123456789012", Region: "us-east-1", Resources: []string{arn}, Detail: detail,
	}
}

func jobDescription(arn string, status batch.Status, message string) *bedrock.GetModelInvocationJobOutput {
	return &bedrock.GetModelInvocationJobOutput{
		JobArn:  aws.String(arn),
		Status:  bedrocktypes.ModelInvocationJobStatus(status),
		Message: aws.String(message),
		OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String(testOutputURI)},
		},
	}
}

// rig is a JobEvent over fakes and a ledger holding one job of ours.
type rig struct {
	h      *JobEvent
	ledger *Ledger
	reader *fakeReader
	s3     *fakeS3
	sfn    *fakeSFN
	token  string
	arn    string
	buf    *bytes.Buffer
}

// newRig returns a rig whose job has the given ARN, status and message and
// whose output listing returns pages.
func newRig(t *testing.T, arn string, status batch.Status, message string, pages ...[]string) *rig {
	t.Helper()
	token := testToken(900)
	r := &rig{
		reader: &fakeReader{job: jobDescription(arn, status, message)},
		s3:     &fakeS3{pages: pages},
		sfn:    &fakeSFN{},
		token:  token,
		arn:    arn,
	}
	var logger *slog.Logger
	logger, r.buf = testLogger()
	r.ledger, _ = newTestLedger(t, nil)
	record(t, r.ledger, arn, token, testExecutionArn, ledgerEpoch)
	r.h = NewJobEvent(r.ledger, r.reader, r.s3, r.sfn, logger)
	return r
}

func (r *rig) lines(t *testing.T) []map[string]any { return logLines(t, r.buf) }

func (r *rig) everyLine(t *testing.T) { requireJobArnOnEveryLine(t, r.buf, r.arn) }

func decodeResult(t *testing.T, in *sfn.SendTaskSuccessInput) batch.JobResult {
	t.Helper()
	var r batch.JobResult
	if err := json.Unmarshal([]byte(aws.ToString(in.Output)), &r); err != nil {
		t.Fatalf("task output %q: %v", aws.ToString(in.Output), err)
	}
	return r
}

func TestJobEventSuccessListsEveryPage(t *testing.T) {
	pages := [][]string{
		{testPrefix + "c.jsonl.out", testPrefix + "manifest.json.out"},
		{testPrefix + "a.jsonl.out", testPrefix + "notes.txt", testPrefix + "b.jsonl"},
		{testPrefix + "sub/d.jsonl.out", testPrefix + "b.jsonl.out"},
	}
	r := newRig(t, testJobArn, batch.StatusCompleted, "", pages...)
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.successes) != 1 || len(r.sfn.failures) != 0 {
		t.Fatalf("%d successes, %d failures; want 1, 0", len(r.sfn.successes), len(r.sfn.failures))
	}
	if got := aws.ToString(r.sfn.successes[0].TaskToken); got != r.token {
		t.Errorf("task token = %q, want the one in the tags", got)
	}
	got := decodeResult(t, r.sfn.successes[0])
	want := batch.JobResult{Status: batch.StatusCompleted, Bucket: "out-bucket", Keys: []string{
		testPrefix + "a.jsonl.out", testPrefix + "b.jsonl.out", testPrefix + "c.jsonl.out", testPrefix + "sub/d.jsonl.out",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result = %+v, want %+v", got, want)
	}
	if len(r.s3.calls) != len(pages) {
		t.Errorf("ListObjectsV2 called %d times, want %d", len(r.s3.calls), len(pages))
	}
	for i, c := range r.s3.calls {
		if aws.ToString(c.Bucket) != "out-bucket" || aws.ToString(c.Prefix) != testPrefix {
			t.Errorf("call %d lists s3://%s/%s, want s3://out-bucket/%s", i, aws.ToString(c.Bucket), aws.ToString(c.Prefix), testPrefix)
		}
	}
	if len(r.reader.getCalls) != 1 || r.reader.getCalls[0] != testJobArn {
		t.Errorf("read jobs %v; want %s once", r.reader.getCalls, testJobArn)
	}
	r.everyLine(t)
}

func TestJobEventPartiallyCompletedWithoutOutputFiles(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusPartiallyCompleted, "some records failed",
		[]string{testPrefix + "manifest.json.out"})
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusPartiallyCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.successes) != 1 {
		t.Fatalf("%d successes, want 1", len(r.sfn.successes))
	}
	out := aws.ToString(r.sfn.successes[0].Output)
	if !strings.Contains(out, `"keys":[]`) {
		t.Errorf("output %s: keys must be an empty array, not null", out)
	}
	if res := decodeResult(t, r.sfn.successes[0]); res.Status != batch.StatusPartiallyCompleted {
		t.Errorf("status = %q", res.Status)
	}
}

func TestJobEventIgnoresNonTerminalStatuses(t *testing.T) {
	for _, status := range batch.AllStatuses {
		if status.Terminal() {
			continue
		}
		r := newRig(t, testJobArn, status, "")
		if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, status, "")); err != nil {
			t.Errorf("%s: %v", status, err)
		}
		if n := len(r.reader.getCalls) + len(r.s3.calls) + len(r.sfn.successes) + len(r.sfn.failures); n != 0 {
			t.Errorf("%s: %d calls to AWS, want none", status, n)
		}
		r.everyLine(t)
	}
}

func TestJobEventIgnoresJobsNotInTheLedger(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusCompleted, "")
	other := jobArnOf("notours00001")
	if err := r.h.Handle(context.Background(), stateChange(t, other, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.reader.getCalls)+len(r.s3.calls)+len(r.sfn.successes)+len(r.sfn.failures) != 0 {
		t.Error("a job that is not ours was read or reported on")
	}
	if n := len(r.lines(t)); n != 1 {
		t.Errorf("%d log lines, want exactly 1", n)
	}
	requireJobArnOnEveryLine(t, r.buf, other)
}

// The event closes the job's entry, and a duplicate event finds it closed
// and reports nothing, without reading the job.
func TestJobEventClosesTheEntry(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusStopped, "stopped by a user")
	for range 2 {
		if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusStopped, "")); err != nil {
			t.Fatal(err)
		}
	}
	if len(r.sfn.failures) != 1 || aws.ToString(r.sfn.failures[0].Error) != string(batch.StatusStopped) || len(r.reader.getCalls) != 1 {
		t.Errorf("failures %v, job reads %d; want one Stopped failure and one read", r.sfn.failures, len(r.reader.getCalls))
	}
	if e, _, _ := r.ledger.Get(context.Background(), testJobArn); e.State != string(batch.StatusStopped) {
		t.Errorf("entry state = %q, want %s", e.State, batch.StatusStopped)
	}
	r.everyLine(t)
}

func TestJobEventFailureStatuses(t *testing.T) {
	for _, status := range []batch.Status{batch.StatusFailed, batch.StatusStopped, batch.StatusExpired} {
		msg := "job " + string(status) + ": validation of record 3 failed"
		r := newRig(t, testJobArn, status, msg)
		if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, status, "event message")); err != nil {
			t.Fatalf("%s: %v", status, err)
		}
		if len(r.sfn.failures) != 1 || len(r.sfn.successes) != 0 {
			t.Fatalf("%s: %d failures, %d successes", status, len(r.sfn.failures), len(r.sfn.successes))
		}
		f := r.sfn.failures[0]
		if aws.ToString(f.Error) != string(status) || aws.ToString(f.Cause) != msg || aws.ToString(f.TaskToken) != r.token {
			t.Errorf("%s: SendTaskFailure(error=%q, cause=%q)", status, aws.ToString(f.Error), aws.ToString(f.Cause))
		}
		if len(r.s3.calls) != 0 {
			t.Errorf("%s: output listed for a failed job", status)
		}
		r.everyLine(t)
	}
}

func TestJobEventFailureMessageFallbacks(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusFailed, "")
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusFailed, "from the event")); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(r.sfn.failures[0].Cause); got != "from the event" {
		t.Errorf("cause = %q, want the event's failureMessage when the job has none", got)
	}
	r = newRig(t, testJobArn, batch.StatusExpired, "")
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusExpired, "")); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(r.sfn.failures[0].Cause); !strings.Contains(got, testJobArn) || !strings.Contains(got, "Expired") {
		t.Errorf("cause = %q, want one naming the job and its status", got)
	}
}

func TestJobEventTruncatesFailure(t *testing.T) {
	msg := strings.Repeat("record failed: ", 2667) // 40,005 characters
	r := newRig(t, testJobArn, batch.StatusFailed, msg)
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusFailed, "")); err != nil {
		t.Fatal(err)
	}
	cause := aws.ToString(r.sfn.failures[0].Cause)
	if n := utf8.RuneCountInString(cause); n != batch.MaxTaskCauseChars {
		t.Errorf("cause is %d characters, want %d", n, batch.MaxTaskCauseChars)
	}
	if !strings.HasPrefix(msg, strings.TrimSuffix(cause, "…")) || !strings.HasSuffix(cause, "…") {
		t.Error("cause is not the message's beginning with a cut mark")
	}
}

func TestTaskFailureLimits(t *testing.T) {
	longStatus := batch.Status(strings.Repeat("S", 300))
	errName, cause := taskFailure(testJobArn, longStatus, strings.Repeat("é", 40000))
	if n := utf8.RuneCountInString(errName); n != batch.MaxTaskErrorChars {
		t.Errorf("error is %d characters, want %d", n, batch.MaxTaskErrorChars)
	}
	if n := utf8.RuneCountInString(cause); n != batch.MaxTaskCauseChars {
		t.Errorf("cause is %d characters, want %d", n, batch.MaxTaskCauseChars)
	}
	errName, cause = taskFailure(testJobArn, batch.StatusFailed, "bad line 7")
	if errName != "Failed" || cause != "bad line 7" {
		t.Errorf("short values changed: %q, %q", errName, cause)
	}
}

func TestJobEventOutputTooLarge(t *testing.T) {
	var keys []string
	for i := 0; len(keys)*len(testPrefix+"part-00000.jsonl.out") < batch.MaxTaskOutputChars+1000; i++ {
		keys = append(keys, fmt.Sprintf("%spart-%05d.jsonl.out", testPrefix, i))
	}
	r := newRig(t, testJobArn, batch.StatusCompleted, "", keys[:len(keys)/2], keys[len(keys)/2:])
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.successes) != 0 || len(r.sfn.failures) != 1 {
		t.Fatalf("%d successes, %d failures; want 0, 1", len(r.sfn.successes), len(r.sfn.failures))
	}
	f := r.sfn.failures[0]
	if aws.ToString(f.Error) != ErrorOutputTooLarge {
		t.Errorf("error = %q, want %q", aws.ToString(f.Error), ErrorOutputTooLarge)
	}
	cause := aws.ToString(f.Cause)
	for _, want := range []string{fmt.Sprint(len(keys), " output files"), "262144", "s3://out-bucket/" + testPrefix} {
		if !strings.Contains(cause, want) {
			t.Errorf("cause %q does not mention %q", cause, want)
		}
	}
	r.everyLine(t)
}

func TestJobEventOutputJustUnderLimitSucceeds(t *testing.T) {
	// One key long enough to bring the output close to, but under, the limit.
	overhead := len(`{"status":"Completed","bucket":"out-bucket","keys":[""]}`)
	key := testPrefix + strings.Repeat("k", batch.MaxTaskOutputChars-overhead-len(testPrefix)-len(batch.OutputFileSuffix)) + batch.OutputFileSuffix
	r := newRig(t, testJobArn, batch.StatusCompleted, "", []string{key})
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.successes) != 1 {
		t.Fatalf("an output of exactly %d characters was not sent", batch.MaxTaskOutputChars)
	}
	if n := len(aws.ToString(r.sfn.successes[0].Output)); n != batch.MaxTaskOutputChars {
		t.Errorf("output is %d characters, want %d", n, batch.MaxTaskOutputChars)
	}
}

func TestJobEventWithoutOutputLocation(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusCompleted, "")
	r.reader.job.OutputDataConfig = nil
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.failures) != 1 || aws.ToString(r.sfn.failures[0].Error) != ErrorNoOutputLocation {
		t.Errorf("failures = %v, want one %s", r.sfn.failures, ErrorNoOutputLocation)
	}
}

func TestJobEventAcknowledgesEndedTasks(t *testing.T) {
	ended := map[string]error{
		"TaskTimedOut":     &sfntypes.TaskTimedOut{Message: aws.String("task timed out")},
		"InvalidToken":     &sfntypes.InvalidToken{Message: aws.String("invalid token")},
		"TaskDoesNotExist": &sfntypes.TaskDoesNotExist{Message: aws.String("no such task")},
	}
	for name, sfnErr := range ended {
		for _, status := range []batch.Status{batch.StatusCompleted, batch.StatusFailed} {
			r := newRig(t, testJobArn, status, "", []string{testPrefix + "a.jsonl.out"})
			r.sfn.err = &smithy.OperationError{ServiceID: "SFN", OperationName: "SendTask", Err: sfnErr}
			if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, status, "")); err != nil {
				t.Errorf("%s after %s: error %v, want the event acknowledged", name, status, err)
			}
			var warned bool
			for _, l := range r.lines(t) {
				if l["level"] == "WARN" && strings.Contains(fmt.Sprint(l["error"]), name) {
					warned = true
				}
			}
			if !warned {
				t.Errorf("%s after %s: not logged", name, status)
			}
			r.everyLine(t)
		}
	}
}

func TestJobEventReturnsOtherErrors(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "rate exceeded"}
	tests := []struct {
		name  string
		setup func(*fakeReader, *fakeS3, *fakeSFN)
		want  string
	}{
		{"SendTaskSuccess", func(_ *fakeReader, _ *fakeS3, s *fakeSFN) { s.err = throttled }, "SendTaskSuccess"},
		{"GetModelInvocationJob", func(r *fakeReader, _ *fakeS3, _ *fakeSFN) { r.getErr = throttled }, "read job"},
		{"ListObjectsV2", func(_ *fakeReader, l *fakeS3, _ *fakeSFN) { l.err = throttled }, "list output"},
	}
	for _, tt := range tests {
		r := newRig(t, testJobArn, batch.StatusCompleted, "", []string{testPrefix + "a.jsonl.out"})
		tt.setup(r.reader, r.s3, r.sfn)
		err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, ""))
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s fails: Handle error = %v, want the throttling error, in context %q", tt.name, err, tt.want)
		}
		r.everyLine(t)
	}
	r := newRig(t, testJobArn, batch.StatusFailed, "x")
	r.sfn.err = errors.New("connection reset")
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusFailed, "")); err == nil || !strings.Contains(err.Error(), "SendTaskFailure") {
		t.Errorf("SendTaskFailure fails: Handle error = %v", err)
	}
}

func TestJobEventPartitions(t *testing.T) {
	for _, arn := range []string{
		"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + testJobID,
		"arn:aws-cn:bedrock:cn-north-1:123456789012:model-invocation-job/" + testJobID,
		"arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:model-invocation-job/" + testJobID,
	} {
		r := newRig(t, arn, batch.StatusCompleted, "", []string{testPrefix + "a.jsonl.out"})
		if err := r.h.Handle(context.Background(), stateChange(t, arn, batch.StatusCompleted, "")); err != nil {
			t.Errorf("%s: %v", arn, err)
			continue
		}
		if len(r.sfn.successes) != 1 || r.reader.getCalls[0] != arn || aws.ToString(r.s3.calls[0].Prefix) != testPrefix {
			t.Errorf("%s: successes %d, read %v, listed %v", arn, len(r.sfn.successes), r.reader.getCalls, r.s3.calls)
		}
		r.everyLine(t)
	}
}

func TestJobEventRejectsMalformedEvents(t *testing.T) {
	bad := stateChange(t, "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/short", batch.StatusCompleted, "")
	r := newRig(t, testJobArn, batch.StatusCompleted, "")
	if err := r.h.Handle(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "model invocation job ARN") {
		t.Errorf("bad ARN: error = %v", err)
	}
	garbled := stateChange(t, testJobArn, batch.StatusCompleted, "")
	garbled.Detail = json.RawMessage(`{"status": 7}`)
	if err := r.h.Handle(context.Background(), garbled); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Errorf("bad detail: error = %v", err)
	}
	if len(r.reader.getCalls) != 0 {
		t.Error("a malformed event reached Bedrock")
	}
}

func TestJobEventIgnoresOtherEvents(t *testing.T) {
	r := newRig(t, testJobArn, batch.StatusCompleted, "")
	ev := stateChange(t, testJobArn, batch.StatusCompleted, "")
	ev.DetailType = "Model Customization Job State Change"
	if err := r.h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if len(r.reader.getCalls)+len(r.sfn.successes)+len(r.sfn.failures) != 0 {
		t.Error("an event of another type was acted on")
	}
}

func TestJobEventStatusDisagreement(t *testing.T) {
	// The job still looks active: retry rather than report.
	r := newRig(t, testJobArn, batch.StatusInProgress, "")
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err == nil {
		t.Error("a job still InProgress was acknowledged")
	}
	if len(r.sfn.successes)+len(r.sfn.failures) != 0 {
		t.Error("reported a job that has not ended")
	}
	// Both terminal: the job's own status wins.
	r = newRig(t, testJobArn, batch.StatusStopped, "stopped by user")
	if err := r.h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(r.sfn.failures) != 1 || aws.ToString(r.sfn.failures[0].Error) != "Stopped" {
		t.Errorf("failures = %v, want Stopped", r.sfn.failures)
	}
}

func TestLongestTokenRoundTrip(t *testing.T) {
	token := testToken(batch.MaxTaskTokenChars)
	p := validPayload()
	p.TaskToken = token
	l := ledgerOnly(t)
	logger, _ := testLogger()
	if _, err := NewCreateJob(l, &fakeCreator{arn: testJobArn}, logger).Handle(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	reader := &fakeReader{job: jobDescription(testJobArn, batch.StatusCompleted, "")}
	reporter := &fakeSFN{}
	h := NewJobEvent(l, reader, &fakeS3{pages: [][]string{{testPrefix + "a.jsonl.out"}}}, reporter, logger)
	if err := h.Handle(context.Background(), stateChange(t, testJobArn, batch.StatusCompleted, "")); err != nil {
		t.Fatal(err)
	}
	if len(reporter.successes) != 1 || aws.ToString(reporter.successes[0].TaskToken) != token {
		t.Fatal("the 2,048-character token did not survive the trip through the ledger")
	}
}
