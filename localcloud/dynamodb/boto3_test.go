package dynamodb_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestWithBoto3 runs testdata/boto3_fidelity.py against the local cloud:
// boto3's resource layer (Key/Attr conditions, batch_writer, Decimal
// numbers) is how most Python code drives DynamoDB. It needs a Python with
// boto3: $BOTO3_PYTHON, else python3 on the PATH.
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
	f := newFixture(t)
	out, err := exec.Command(python, "testdata/boto3_fidelity.py", f.serve(t)).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 checks failed: %v", err)
	}
}
