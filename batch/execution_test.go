package batch

import (
	"strings"
	"testing"
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

func TestReconcileLookbackCoversTheLongestWait(t *testing.T) {
	if ReconcileLookback != WaitBound(MaxTimeoutHours) || WaitBound(0) != ReconcileLookback {
		t.Errorf("ReconcileLookback %v, WaitBound(%d) %v, WaitBound(0) %v: want all equal",
			ReconcileLookback, MaxTimeoutHours, WaitBound(MaxTimeoutHours), WaitBound(0))
	}
	if WaitBound(DefaultTimeoutHours) >= ReconcileLookback {
		t.Error("a 48-hour job is kept as long as a one-week job")
	}
}
