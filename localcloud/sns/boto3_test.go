package sns_test

import (
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/boto3test"
)

// TestWithBoto3 runs testdata/boto3_messaging.py against SNS and SQS:
// boto3 speaks AWS JSON 1.0 to SQS and the query protocol to SNS and reads
// their errors in its own way. It needs a Python with boto3:
// $BOTO3_PYTHON, else python3 on the PATH.
func TestWithBoto3(t *testing.T) {
	python := boto3test.Python(t)
	e := newEnv(t)
	boto3test.Run(t, python, "testdata/boto3_messaging.py", e.endpoint)
}
