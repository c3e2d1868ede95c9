package runtime

import (
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/boto3test"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
)

// TestWithBoto3 runs testdata/boto3_runtime.py against the runtime behind
// the edge router: boto3's invoke_model and converse, errors and the
// quota. It needs a Python with boto3: $BOTO3_PYTHON, else python3 on the
// PATH.
func TestWithBoto3(t *testing.T) {
	python := boto3test.Python(t)
	env := newTestRuntime(t, backend.SimOptions{}, Limits{RequestsPerMinute: 5})
	boto3test.Run(t, python, "testdata/boto3_runtime.py", env.url)
}
