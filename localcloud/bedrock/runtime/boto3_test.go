package runtime

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
)

// TestWithBoto3 runs testdata/boto3_runtime.py against the runtime behind
// the edge router: boto3's invoke_model and converse, errors and the
// quota. It needs a Python with boto3: $BOTO3_PYTHON, else python3 on the
// PATH.
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
	env := newTestRuntime(t, backend.SimOptions{}, Limits{RequestsPerMinute: 5})
	out, err := exec.Command(python, "testdata/boto3_runtime.py", env.url).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 checks failed: %v", err)
	}
}
