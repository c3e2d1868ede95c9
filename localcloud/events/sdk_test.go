package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

var quiet = slog.New(slog.DiscardHandler)

// env is EventBridge and Lambda behind one router, EventBridge delivering
// through the Lambda API with the SDK client.
type env struct {
	events *events.Service
	lambda *lambda.Service
	client *eventbridge.Client
}

func newEnv(t *testing.T, dir string, deliverer events.Deliverer) *env {
	t.Helper()
	srv := cloudtest.Start(t, false)
	cfg, endpoint := srv.Config()
	lsvc, err := lambda.New(lambda.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if deliverer == nil {
		deliverer = events.LambdaDeliverer{Client: awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(endpoint) })}
	}
	esvc, err := events.New(events.Options{DataDir: dir, Deliverer: deliverer, Logger: quiet,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv.Router.Register("lambda", lsvc)
	srv.Router.Register("events", esvc)
	return &env{events: esvc, lambda: lsvc, client: eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(endpoint) })}
}

func (e *env) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); e.events.Wait(); e.lambda.Wait() })
	if err := e.lambda.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.events.Start(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRulesAndTargets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, t.TempDir(), nil)
	c := e.client
	out, err := c.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String("job-events"), EventPattern: aws.String(`{"source":["aws.bedrock"]}`), Description: aws.String("d"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/job-events" {
		t.Fatalf("RuleArn %s", aws.ToString(out.RuleArn))
	}
	for _, n := range []string{"job-other", "zz"} {
		if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(n), EventPattern: aws.String(`{"source":["x"]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("job-events")})
	if err != nil || d.State != types.RuleStateEnabled || aws.ToString(d.EventPattern) != `{"source":["aws.bedrock"]}` || aws.ToString(d.Description) != "d" {
		t.Fatalf("DescribeRule: %v %+v", err, d)
	}
	if _, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("job-events")}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("job-events")})
	if d.State != types.RuleStateDisabled {
		t.Fatalf("state after DisableRule: %s", d.State)
	}

	var names []string
	var token *string
	for {
		page, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("job-"), Limit: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "job-events,job-other" {
		t.Fatalf("ListRules: %v", names)
	}

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("cron"), ScheduleExpression: aws.String("rate(5 minute)")})
	if cloudtest.APICode(err) != "ValidationException" || !strings.Contains(err.Error(), "ScheduleExpression") {
		t.Fatalf("schedule rule with a singular unit: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
	var badPattern *types.InvalidEventPatternException
	if !errors.As(err, &badPattern) {
		t.Fatalf("invalid pattern: %v", err)
	}
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing rule: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["x"]}`), EventBusName: aws.String("custom")})
	if !errors.As(err, &nf) {
		t.Fatalf("custom bus: %v", err)
	}

	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("job-events"), Targets: []types.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), InputPath: aws.String("$.detail")},
		{Id: aws.String("bad"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), Input: aws.String("{not json")},
	}})
	if err != nil || pt.FailedEntryCount != 1 || aws.ToString(pt.FailedEntries[0].TargetId) != "bad" {
		t.Fatalf("PutTargets: %v %+v", err, pt)
	}
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("job-events")})
	if err != nil || len(lt.Targets) != 1 || aws.ToString(lt.Targets[0].InputPath) != "$.detail" {
		t.Fatalf("ListTargetsByRule: %v %+v", err, lt)
	}
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("job-events")})
	if cloudtest.APICode(err) != "ValidationException" {
		t.Fatalf("DeleteRule with targets: %v", err)
	}
	rt, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("job-events"), Ids: []string{"fn", "nope"}})
	if err != nil || rt.FailedEntryCount != 1 {
		t.Fatalf("RemoveTargets: %v %+v", err, rt)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("job-events")}); err != nil {
		t.Fatal(err)
	}
	tp, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{
		EventPattern: aws.String(`{"detail":{"n":[{"numeric":[">=",10]}]}}`),
		Event:        aws.String(`{"id":"1","source":"s","detail-type":"t","account":"1","region":"r","time":"2020-01-01T00:00:00Z","resources":[],"detail":{"n":10}}`),
	})
	if err != nil || !tp.Result {
		t.Fatalf("TestEventPattern: %v %+v", err, tp)
	}
}

// recorder is a Lambda handler that keeps the payloads it receives.
type recorder struct {
	mu       sync.Mutex
	payloads []string
	got      chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 100)} }

func (r *recorder) handle(_ context.Context, p []byte) ([]byte, error) {
	r.mu.Lock()
	r.payloads = append(r.payloads, string(p))
	r.mu.Unlock()
	r.got <- struct{}{}
	return nil, nil
}

func (r *recorder) wait(t *testing.T, n int) []string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-r.got:
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d deliveries, want %d", i, n)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.payloads...)
}

func TestPutEventsDeliveredToLambda(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, t.TempDir(), nil)
	whole, detail, fixed, shaped := newRecorder(), newRecorder(), newRecorder(), newRecorder()
	e.lambda.Register("whole", lambda.HandlerFunc(whole.handle))
	e.lambda.Register("detail", lambda.HandlerFunc(detail.handle))
	e.lambda.Register("fixed", lambda.HandlerFunc(fixed.handle))
	e.lambda.Register("shaped", lambda.HandlerFunc(shaped.handle))
	e.start(t)
	c := e.client
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("done"),
		EventPattern: aws.String(`{"source":["aws.bedrock"],"detail":{"status":[{"prefix":"Comp"}]}}`)}); err != nil {
		t.Fatal(err)
	}
	fn := func(n string) *string { return aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + n) }
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("done"), Targets: []types.Target{
		{Id: aws.String("whole"), Arn: fn("whole")},
		{Id: aws.String("detail"), Arn: fn("detail"), InputPath: aws.String("$.detail")},
		{Id: aws.String("fixed"), Arn: fn("fixed"), Input: aws.String(`{"constant":true}`)},
		{Id: aws.String("shaped"), Arn: fn("shaped"), InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"job": "$.detail.jobArn", "n": "$.detail.records"},
			InputTemplate: aws.String(`{"job":"<job>","records":<n>,"msg":"job <job> done"}`),
		}},
	}}); err != nil {
		t.Fatal(err)
	}
	// A disabled rule that also matches delivers nothing.
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("off"), State: types.RuleStateDisabled,
		EventPattern: aws.String(`{"source":["aws.bedrock"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("off"), Targets: []types.Target{{Id: aws.String("w"), Arn: fn("whole")}}}); err != nil {
		t.Fatal(err)
	}

	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("aws.bedrock"), DetailType: aws.String("Batch Inference Job State Change"),
			Detail: aws.String(`{"status":"Completed","jobArn":"arn:job/1","records":7}`), Resources: []string{"arn:job/1"}},
		{Source: aws.String("aws.bedrock"), DetailType: aws.String("Batch Inference Job State Change"),
			Detail: aws.String(`{"status":"InProgress","jobArn":"arn:job/2"}`)},
		{Source: aws.String("aws.bedrock"), DetailType: aws.String("x")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].EventId) == "" || aws.ToString(out.Entries[2].ErrorCode) != "InvalidArgument" {
		t.Fatalf("PutEvents: %+v", out)
	}

	var ev map[string]any
	if err := json.Unmarshal([]byte(whole.wait(t, 1)[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["id"] != aws.ToString(out.Entries[0].EventId) || ev["detail-type"] != "Batch Inference Job State Change" ||
		ev["account"] != "000000000000" || ev["detail"].(map[string]any)["jobArn"] != "arn:job/1" {
		t.Fatalf("delivered event: %v", ev)
	}
	if got := detail.wait(t, 1)[0]; got != `{"jobArn":"arn:job/1","records":7,"status":"Completed"}` {
		t.Fatalf("InputPath delivery: %s", got)
	}
	if got := fixed.wait(t, 1)[0]; got != `{"constant":true}` {
		t.Fatalf("Input delivery: %s", got)
	}
	if got := shaped.wait(t, 1)[0]; got != `{"job":"arn:job/1","records":7,"msg":"job arn:job/1 done"}` {
		t.Fatalf("InputTransformer delivery: %s", got)
	}
	// Only the matching event was delivered, once per target.
	time.Sleep(50 * time.Millisecond)
	if n := len(whole.wait(t, 0)); n != 1 {
		t.Fatalf("whole received %d events, want 1", n)
	}
}

func TestDeliveryRetriesAndGivesUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var calls atomic.Int32
	delivered := make(chan string, 10)
	flaky := events.DelivererFunc(func(_ context.Context, target events.Target, input []byte) error {
		switch target.ID {
		case "flaky":
			if calls.Add(1) < 3 {
				return errors.New("throttled")
			}
			delivered <- string(input)
			return nil
		case "gone":
			return events.Permanent(errors.New("no such function"))
		}
		return errors.New("always failing")
	})
	e := newEnv(t, dir, flaky)
	e.start(t)
	c := e.client
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("flaky"), Arn: arn},
		{Id: aws.String("gone"), Arn: arn},
		{Id: aws.String("limited"), Arn: arn, RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-delivered:
	case <-time.After(5 * time.Second):
		t.Fatal("the flaky target never got the event")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		failed, _ := os.ReadDir(filepath.Join(dir, "events", "failed"))
		pending, _ := os.ReadDir(filepath.Join(dir, "events", "pending"))
		if len(failed) == 2 && len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d failed and %d pending deliveries, want 2 and 0", len(failed), len(pending))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if calls.Load() != 3 {
		t.Fatalf("flaky target called %d times, want 3", calls.Load())
	}
}

func TestRestartKeepsRulesAndDeliversSpooledEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := newEnv(t, dir, nil) // never started: accepted events stay spooled
	c := first.client
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("t"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:sink"), InputPath: aws.String("$.detail")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"n":1}`)},
	}}); err != nil {
		t.Fatal(err)
	}

	second := newEnv(t, dir, nil)
	sink := newRecorder()
	second.lambda.Register("sink", lambda.HandlerFunc(sink.handle))
	d, err := second.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")})
	if err != nil || aws.ToString(d.EventPattern) != `{"source":["s"]}` {
		t.Fatalf("rule after restart: %v %+v", err, d)
	}
	second.start(t)
	if got := sink.wait(t, 1)[0]; got != `{"n":1}` {
		t.Fatalf("spooled event delivered as %s", got)
	}
}
