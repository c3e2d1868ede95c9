package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

var quiet = slog.New(slog.DiscardHandler)

func newLambda(t *testing.T, dir string) (*lambda.Service, *awslambda.Client) {
	t.Helper()
	svc, err := lambda.New(lambda.Options{DataDir: dir, AsyncRetryDelays: []time.Duration{time.Millisecond, 2 * time.Millisecond}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudtest.Start(t, false)
	srv.Router.Register("lambda", svc)
	cfg, endpoint := srv.Config()
	return svc, awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func echo(_ context.Context, payload []byte) ([]byte, error) {
	var in map[string]any
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, err
	}
	in["echoed"] = true
	return json.Marshal(in)
}

type quotaError struct{}

func (*quotaError) Error() string { return "quota exceeded" }

func TestInvokeRequestResponse(t *testing.T) {
	ctx := context.Background()
	svc, c := newLambda(t, t.TempDir())
	svc.Register("echo", lambda.HandlerFunc(echo))
	svc.Register("fails", lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, &quotaError{} }))

	for _, name := range []string{"echo", "echo:$LATEST", "000000000000:function:echo", "arn:aws:lambda:us-east-1:000000000000:function:echo"} {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"a":1}`)})
		if err != nil {
			t.Fatalf("invoke %s: %v", name, err)
		}
		if string(out.Payload) != `{"a":1,"echoed":true}` || out.FunctionError != nil || out.StatusCode != 200 {
			t.Fatalf("invoke %s: status %d payload %s error %v", name, out.StatusCode, out.Payload, out.FunctionError)
		}
	}

	out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("fails"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorMessage, ErrorType string }
	_ = json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "quotaError" || doc.ErrorMessage != "quota exceeded" {
		t.Fatalf("failing handler: FunctionError %v, payload %s", out.FunctionError, out.Payload)
	}

	_, err = c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("missing"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(aws.ToString(nf.Message), "Register(") {
		t.Fatalf("unknown function: %v, want ResourceNotFoundException saying how to register", err)
	}
	_, err = c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("live"), Payload: []byte(`{}`)})
	if !errors.As(err, &nf) {
		t.Fatalf("unknown alias: %v", err)
	}
	_, err = c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{nope`)})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) {
		t.Fatalf("invalid JSON payload: %v", err)
	}
	dry, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Fatalf("DryRun: %v, status %d", err, dry.StatusCode)
	}
}

func TestTimeoutAndMissingHandler(t *testing.T) {
	ctx := context.Background()
	svc, c := newLambda(t, t.TempDir())
	if _, err := svc.Deploy(lambda.Function{Name: "slow", Timeout: 50 * time.Millisecond}, lambda.HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})); err != nil {
		t.Fatal(err)
	}
	out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("slow")})
	if err != nil || !strings.Contains(string(out.Payload), "Sandbox.Timedout") {
		t.Fatalf("timeout: %v, payload %s", err, out.Payload)
	}
	if _, err := svc.Deploy(lambda.Function{Name: "nocode", Runtime: "provided.al2023", Handler: "bootstrap"}, nil); err != nil {
		t.Fatal(err)
	}
	out, err = c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("nocode")})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Runtime.HandlerNotFound") {
		t.Fatalf("function without handler: %v, payload %s", err, out.Payload)
	}
}

func TestGetAndListFunctions(t *testing.T) {
	ctx := context.Background()
	svc, c := newLambda(t, t.TempDir())
	if _, err := svc.Deploy(lambda.Function{
		Name: "create-job", Runtime: "provided.al2023", Handler: "bootstrap", Timeout: 30 * time.Second,
		Environment: map[string]string{"BUCKET": "b"},
	}, lambda.HandlerFunc(echo)); err != nil {
		t.Fatal(err)
	}
	svc.Register("job-event", lambda.HandlerFunc(echo))
	got, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:create-job")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := got.Configuration
	if aws.ToString(cfg.FunctionName) != "create-job" || aws.ToInt32(cfg.Timeout) != 30 || cfg.Runtime != types.RuntimeProvidedal2023 ||
		cfg.Environment.Variables["BUCKET"] != "b" || cfg.State != types.StateActive {
		t.Fatalf("GetFunction: %+v", cfg)
	}
	var names []string
	p := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if strings.Join(names, ",") != "create-job,job-event" {
		t.Fatalf("ListFunctions: %v", names)
	}
}

func TestEventInvocationRetriesTwice(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, c := newLambda(t, t.TempDir())
	var calls atomic.Int32
	var mu sync.Mutex
	var payloads []string
	svc.Register("flaky", lambda.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) {
		mu.Lock()
		payloads = append(payloads, string(p))
		mu.Unlock()
		if calls.Add(1) < 3 {
			return nil, errors.New("not yet")
		}
		return nil, nil
	}))
	svc.Register("broken", lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, errors.New("always") }))
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"flaky", "broken"} {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fn), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"n":1}`)})
		if err != nil || out.StatusCode != 202 {
			t.Fatalf("Event invoke %s: %v, status %d", fn, err, out.StatusCode)
		}
	}
	svc.Wait()
	if calls.Load() != 3 {
		t.Fatalf("flaky ran %d times, want 3 (1 + 2 retries)", calls.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range payloads {
		if p != `{"n":1}` {
			t.Fatalf("payload %q", p)
		}
	}
}

func TestQueuedInvocationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	// The first process never starts its queue: the invocation is accepted
	// and only spooled, as if the process died right after answering.
	first, err := lambda.New(lambda.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	first.Register("later", lambda.HandlerFunc(echo))
	srv := cloudtest.Start(t, false)
	srv.Router.Register("lambda", first)
	cfg, endpoint := srv.Config()
	client := awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(endpoint) })
	if _, err := client.Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName: aws.String("later"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"k":"v"}`),
	}); err != nil {
		t.Fatal(err)
	}

	second, err := lambda.New(lambda.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	second.Register("later", lambda.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { got <- string(p); return nil, nil }))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p != `{"k":"v"}` {
			t.Fatalf("payload %q", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the spooled invocation did not run after the restart")
	}
	second.Wait()
	cancel()
}
