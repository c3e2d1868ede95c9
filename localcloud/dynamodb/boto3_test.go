package dynamodb_test

import (
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/boto3test"
)

// TestWithBoto3 runs testdata/boto3_fidelity.py against the local cloud:
// boto3's resource layer (Key/Attr conditions, batch_writer, Decimal
// numbers) is how most Python code drives DynamoDB. It needs a Python with
// boto3: $BOTO3_PYTHON, else python3 on the PATH.
func TestWithBoto3(t *testing.T) {
	python := boto3test.Python(t)
	f := newFixture(t)
	boto3test.Run(t, python, "testdata/boto3_fidelity.py", f.serve(t))
}
