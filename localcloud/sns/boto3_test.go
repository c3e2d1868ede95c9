package sns_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestWithBoto3 runs testdata/boto3_messaging.py against SNS and SQS:
// boto3 speaks AWS JSON 1.0 to SQS and the query protocol to SNS and reads
// their errors in its own way. It needs a Python with boto3:
// $BOTO3_PYTHON, else python3 on the PATH.
func TestWithBoto3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python; skipped with -short")
	}
	python := os.Getenv("BOTO3_PYTHON")
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("no boto3 for %s (set BOTO3_PYTHON to a Python that has it): %v %s", python, err, strings.TrimSpace(string(out)))
	}
	e := newEnv(t)
	out, err := exec.Command(python, "testdata/boto3_messaging.py", e.endpoint).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 checks failed: %v", err)
	}
}
