package batch

import (
	"strings"
	"testing"
	"time"
)

func TestExecutionTagValue(t *testing.T) {
	plain := "arn:aws:states:us-east-1:123456789012:execution:Machine:run-2026_03"
	if got := ExecutionTagValue(plain); got != plain {
		t.Errorf("ExecutionTagValue(%q) = %q, want the ARN itself", plain, got)
	}
	longest := "arn:aws-iso-b:states:us-isob-east-1:123456789012:execution:" + strings.Repeat("m", 80) + ":" + strings.Repeat("e", 80)
	if got := ExecutionTagValue(longest); got != longest {
		t.Errorf("the longest ASCII execution ARN (%d characters) does not fit a tag value", len(longest))
	}
	seen := map[string]string{}
	for _, arn := range []string{
		"arn:aws:states:us-east-1:123456789012:execution:Machine:lauf-ü",
		"arn:aws:states:us-east-1:123456789012:execution:Machine:run(1)",
		"arn:aws:states:us-east-1:123456789012:execution:Machine:run(2)",
	} {
		got := ExecutionTagValue(arn)
		if !strings.HasPrefix(got, "sha256:") || ValidTagValue(got) != nil {
			t.Errorf("ExecutionTagValue(%q) = %q, want a valid sha256: tag value", arn, got)
		}
		if got != ExecutionTagValue(arn) {
			t.Errorf("ExecutionTagValue(%q) is not stable", arn)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share the tag value %q", arn, other, got)
		}
		seen[got] = arn
	}
}

func TestStatusSets(t *testing.T) {
	for _, s := range AllStatuses {
		if s.Active() && s.Terminal() {
			t.Errorf("%s is both active and terminal", s)
		}
	}
	if StatusStopping.Active() {
		t.Error("a stopping job would be stopped again")
	}
	for _, s := range []ExecutionStatus{ExecutionRunning, ExecutionSucceeded} {
		if s.EndedWithoutSuccess() {
			t.Errorf("%s counts as ended without success", s)
		}
	}
}

// The task outlasts the job's own timeout, so Bedrock's Expired or
// PartiallyCompleted ends it, and a lost event has two reconcile runs to be
// found. Bedrock's timeoutDurationInHours is 24 to 168 hours:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
func TestTaskHeartbeatOutlastsTheJob(t *testing.T) {
	for _, hours := range []int{MinTimeoutHours, DefaultTimeoutHours, MaxTimeoutHours} {
		for _, every := range []time.Duration{time.Minute, 10 * time.Minute, MaxReconcileInterval} {
			hb := TaskHeartbeat(hours, every)
			if hb < time.Duration(hours)*time.Hour+HeartbeatMargin+2*every {
				t.Errorf("TaskHeartbeat(%d, %v) = %v: no margin beyond the job's timeout", hours, every, hb)
			}
			if WaitBound(hours) < hb {
				t.Errorf("WaitBound(%d) = %v, shorter than a task's heartbeat %v", hours, WaitBound(hours), hb)
			}
		}
	}
	if TaskHeartbeat(0, time.Minute) != TaskHeartbeat(MaxTimeoutHours, time.Minute) {
		t.Error("a job without a timeout is not given the longest one")
	}
}
