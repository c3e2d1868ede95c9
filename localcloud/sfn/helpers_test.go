package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sfn"
)

const role = "arn:aws:iam::123456789012:role/StatesRole"

// passChoice routes on $.n and adds $.size.
const passChoice = `{
  "Comment": "route on n",
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}], "Default": "Small"},
    "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "End": true},
    "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": true}
  }
}`

// tokenTask hands a task token to the Lambda function "worker" and waits.
const tokenTask = `{
  "StartAt": "Submit",
  "States": {
    "Submit": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "worker", "Payload": {"token.$": "$$.Task.Token", "job.$": "$.job"}},
      "ResultPath": "$.result",
      "End": true
    }
  }
}`

// worker is a Lambda function stub: it passes every invocation's payload
// (which carries the task token) to the test.
type worker struct {
	calls chan workerCall
}

type workerCall struct {
	Token string `json:"token"`
	Job   string `json:"job"`
}

func newWorker() *worker { return &worker{calls: make(chan workerCall, 16)} }

func (w *worker) InvokeFunction(_ context.Context, req asl.LambdaRequest) (asl.LambdaResponse, error) {
	var c workerCall
	if err := json.Unmarshal(req.Payload, &c); err != nil {
		return asl.LambdaResponse{}, err
	}
	w.calls <- c
	return asl.LambdaResponse{Payload: []byte(`{"accepted":true}`)}, nil
}

// next returns the next invocation, failing the test after a while.
func (w *worker) next(t *testing.T) workerCall {
	t.Helper()
	select {
	case c := <-w.calls:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the worker function was not invoked")
		return workerCall{}
	}
}

type fixture struct {
	svc    *sfn.Service
	client *awssfn.Client
	worker *worker
}

// newFixture serves a Service over dir (empty: in memory) through the edge
// router and returns an SDK client for it. The service is closed when the
// test ends.
func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	w := newWorker()
	svc, err := sfn.New(sfn.Config{
		DataDir: dir,
		Engine:  asl.Options{Invoker: &asl.LambdaInvoker{Functions: w}},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeSvc := func() { once.Do(svc.Close) }
	t.Cleanup(closeSvc)
	srv := cloudtest.Start(t, false)
	srv.Router.Register("states", svc.Handler())
	cfg, endpoint := srv.Config()
	client := awssfn.NewFromConfig(cfg, func(o *awssfn.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return &fixture{svc: svc, client: client, worker: w}
}

func (f *fixture) create(t *testing.T, name, definition string) string {
	t.Helper()
	out, err := f.client.CreateStateMachine(context.Background(), &awssfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(role),
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

func (f *fixture) start(t *testing.T, machineArn, name, input string) string {
	t.Helper()
	in := &awssfn.StartExecutionInput{StateMachineArn: aws.String(machineArn), Input: aws.String(input)}
	if name != "" {
		in.Name = aws.String(name)
	}
	out, err := f.client.StartExecution(context.Background(), in)
	if err != nil {
		t.Fatalf("start execution of %s: %v", machineArn, err)
	}
	return aws.ToString(out.ExecutionArn)
}

// finish waits for the execution to end and describes it through the API.
func (f *fixture) finish(t *testing.T, arn string) *awssfn.DescribeExecutionOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.svc.Engine().Wait(ctx, arn); err != nil {
		t.Fatalf("wait for %s: %v", arn, err)
	}
	return f.describe(t, arn)
}

func (f *fixture) describe(t *testing.T, arn string) *awssfn.DescribeExecutionOutput {
	t.Helper()
	out, err := f.client.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("describe %s: %v", arn, err)
	}
	return out
}

// wantAPIError checks that err is the SDK's typed error T and that its
// message mentions every fragment.
func wantAPIError[T smithy.APIError](t *testing.T, err error, fragments ...string) {
	t.Helper()
	var typed T
	if !errors.As(err, &typed) {
		t.Fatalf("got error %v (%T), want %T", err, err, typed)
	}
	for _, f := range fragments {
		if !strings.Contains(typed.ErrorMessage(), f) {
			t.Errorf("%s message %q does not mention %q", typed.ErrorCode(), typed.ErrorMessage(), f)
		}
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("not JSON: %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("got %s, want %s", gb, wb)
	}
}
