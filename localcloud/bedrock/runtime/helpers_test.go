package runtime

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
)

// testRuntime is a runtime over the sim behind the local cloud's edge
// router on an httptest server, and an SDK client pointed at it.
type testRuntime struct {
	rt     *Runtime
	clock  *clock.Manual
	client *bedrockruntime.Client
	url    string
}

func newTestRuntime(t testing.TB, sim backend.SimOptions, limits Limits) *testRuntime {
	t.Helper()
	reg, err := backend.New(backend.Config{Sim: sim})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rt, err := New(Config{Backends: reg.Resolve, Limits: limits, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	router := edge.New(nil)
	router.Register(edge.Bedrock, Handler(rt, http.NotFoundHandler()))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	client := bedrockruntime.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: 1,
	}, func(o *bedrockruntime.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return &testRuntime{rt: rt, clock: clk, client: client, url: srv.URL}
}

// rawResponse is the HTTP response behind an SDK call's result.
func rawResponse(t testing.TB, md middleware.Metadata) *http.Response {
	t.Helper()
	r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw HTTP response in the result metadata")
	}
	return r.Response
}
