package events_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
)

// A rate rule fires on the service's clock, with the event EventBridge
// sends for schedules, until it is disabled.
func TestScheduledRuleFiresOnTheClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	got := make(chan map[string]any, 10)
	deliver := events.DelivererFunc(func(_ context.Context, target events.Target, input []byte) error {
		var ev map[string]any
		if err := json.Unmarshal(input, &ev); err != nil {
			t.Errorf("target input is not JSON: %s", input)
		}
		got <- ev
		return nil
	})
	srv := cloudtest.Start(t, false)
	cfg, endpoint := srv.Config()
	svc, err := events.New(events.Options{DataDir: t.TempDir(), Deliverer: deliver, Clock: clk, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv.Router.Register("events", svc)
	c := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(endpoint) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}

	out, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("every-10"), ScheduleExpression: aws.String("rate(10 minutes)")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("every-10"), Targets: []types.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:reconcile")},
	}}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("every-10")})
	if err != nil || aws.ToString(desc.ScheduleExpression) != "rate(10 minutes)" {
		t.Fatalf("DescribeRule: %v, %v", desc, err)
	}

	advance := func(d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for clk.Waiters() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the scheduled rule never waited on the clock")
			}
			time.Sleep(time.Millisecond)
		}
		clk.Advance(d)
	}
	advance(9 * time.Minute)
	select {
	case ev := <-got:
		t.Fatalf("fired after 9 minutes: %v", ev)
	case <-time.After(50 * time.Millisecond):
	}
	advance(time.Minute)
	for i := 0; i < 2; i++ {
		select {
		case ev := <-got:
			if ev["source"] != "aws.events" || ev["detail-type"] != "Scheduled Event" ||
				!strings.Contains(strings.Join(toStrings(ev["resources"]), ","), aws.ToString(out.RuleArn)) {
				t.Errorf("scheduled event %v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("firing %d did not arrive", i+1)
		}
		if i == 0 {
			advance(10 * time.Minute)
		}
	}
	if _, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("every-10")}); err != nil {
		t.Fatal(err)
	}
	advance(10 * time.Minute)
	select {
	case ev := <-got:
		t.Errorf("a disabled rule fired: %v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestScheduleExpressionsRejected(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	for _, expr := range []string{
		"rate(1 minutes)", "rate(0 minutes)", "rate(5 weeks)", "every 5 minutes",
		"cron(0 12 * * * *)", "cron(0 12 L * ? *)", "cron(0 12 ? * 2 2027)", "cron(0 12 ? * 9 *)",
	} {
		_, err := e.client.PutRule(context.Background(), &eventbridge.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String(expr)})
		if cloudtest.APICode(err) != "ValidationException" || !strings.Contains(err.Error(), "ScheduleExpression") {
			t.Errorf("%s: %v, want a ValidationException about the ScheduleExpression", expr, err)
		}
	}
	for _, expr := range []string{"rate(1 minute)", "rate(2 hours)", "rate(1 day)", "cron(0/15 * * * ? *)", "cron(0 12 ? * MON-FRI *)", "cron(0 8 1 * ? *)"} {
		if _, err := e.client.PutRule(context.Background(), &eventbridge.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String(expr)}); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
	}
}
