// Package jobtest holds the fixtures that the batch engine's tests (package
// bedrock) and its HTTP API's tests (package httpapi) share: the model and
// service role of their jobs, input files of numbered records, and the
// rule by which a model id has no backend. It imports neither package, so
// the tests inside both can use it; each package keeps the environment that
// reaches the engine its own way (Go calls or the SDK).
package jobtest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// Model and Role are the model id and service role of the test jobs.
const (
	Model = "anthropic.claude-3-haiku-20240307-v1:0"
	Role  = "arn:aws:iam::123456789012:role/batch"
)

// Records makes an input file of n records {"n": i} with ids r<i>.
func Records(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"n":%d}}`+"\n", i, i)
	}
	return b.String()
}

// Backends resolves every model id to the backend current returns at the
// time of the call (so a test can swap it), except ids starting
// "unknown.", which have none.
func Backends(current func() backend.Backend) func(id model.ID) (backend.Backend, error) {
	return func(id model.ID) (backend.Backend, error) {
		if strings.HasPrefix(id.String(), "unknown.") {
			return nil, errors.New("no backend is configured for this model")
		}
		return current(), nil
	}
}
