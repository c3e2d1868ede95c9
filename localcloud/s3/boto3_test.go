package s3_test

import (
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/boto3test"
)

// TestWithBoto3 runs testdata/boto3_fidelity.py against the server: boto3
// is the client most S3 code is written for, and it reads answers in its
// own way (user metadata names, 304 bodies, url-encoded listings). It
// needs a Python with boto3: $BOTO3_PYTHON, else python3 on the PATH.
func TestWithBoto3(t *testing.T) {
	python := boto3test.Python(t)
	f := newFixture(t, true, false)
	endpoint := "http://" + f.srv.Listener.Addr().String()
	boto3test.Run(t, python, "testdata/boto3_fidelity.py", endpoint)
}
