package bedrockbatchstepfn_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// ruleTargeting returns the one rule whose target is the function fnID.
func ruleTargeting(t *testing.T, tj map[string]any, fnID string) (string, map[string]any) {
	t.Helper()
	var id string
	var found map[string]any
	for rid, r := range templatetest.Resources(tj, "AWS::Events::Rule") {
		for _, tg := range templatetest.Props(r)["Targets"].([]any) {
			if templatetest.Flatten(tg.(map[string]any)["Arn"]) == "${"+fnID+".Arn}" {
				if found != nil {
					t.Fatalf("rules %s and %s both target %s", id, rid, fnID)
				}
				id, found = rid, r
			}
		}
	}
	if found == nil {
		t.Fatalf("no rule targets %s", fnID)
	}
	return id, found
}

func TestDeadLetterQueue(t *testing.T) {
	tj := mainTemplate()
	queues := templatetest.Resources(tj, "AWS::SQS::Queue")
	if len(queues) != 1 {
		t.Fatalf("%d queues, want one dead-letter queue per stack", len(queues))
	}
	var qID string
	for id, q := range queues {
		qID = id
		p := templatetest.Props(q)
		if p["SqsManagedSseEnabled"] != true || p["MessageRetentionPeriod"] != 14*24*3600.0 {
			t.Errorf("queue %s: encryption %v, retention %v; want SQS-managed encryption and 14 days", id, p["SqsManagedSseEnabled"], p["MessageRetentionPeriod"])
		}
	}
	var sslOnly bool
	for _, pol := range templatetest.Resources(tj, "AWS::SQS::QueuePolicy") {
		for _, s := range templatetest.Dig(templatetest.Props(pol), "PolicyDocument", "Statement").([]any) {
			s := s.(map[string]any)
			if s["Effect"] == "Deny" && reflect.DeepEqual(templatetest.Dig(s, "Condition", "Bool", "aws:SecureTransport"), "false") {
				sslOnly = true
			}
		}
	}
	if !sslOnly {
		t.Error("the queue does not refuse requests without TLS")
	}
	for _, handler := range []string{"jobevent", "reconcile", "stopjobs"} {
		fnID := functionOf(t, tj, handler)
		fn := templatetest.Resources(tj, "AWS::Lambda::Function")[fnID]
		if got := templatetest.Flatten(templatetest.Dig(templatetest.Props(fn), "DeadLetterConfig", "TargetArn")); got != "${"+qID+".Arn}" {
			t.Errorf("%s: dead-letter target %q, want the queue", handler, got)
		}
		_, rule := ruleTargeting(t, tj, fnID)
		target := templatetest.Props(rule)["Targets"].([]any)[0].(map[string]any)
		if got := templatetest.Flatten(templatetest.Dig(target, "DeadLetterConfig", "Arn")); got != "${"+qID+".Arn}" {
			t.Errorf("%s: the rule's target keeps undeliverable events in %q, want the queue", handler, got)
		}
	}
}

func TestReconcilerScheduleAndPermissions(t *testing.T) {
	tj := mainTemplate()
	fnID := functionOf(t, tj, "reconcile")
	_, rule := ruleTargeting(t, tj, fnID)
	if got := templatetest.Props(rule)["ScheduleExpression"]; got != "rate(10 minutes)" {
		t.Errorf("schedule %v, want rate(10 minutes)", got)
	}
	stmts := roleStatements(tj, roleOf(t, templatetest.Resources(tj, "AWS::Lambda::Function")[fnID]))
	if got := templatetest.Strings(findStatement(t, stmts, "bedrock:GetModelInvocationJob")["Resource"]); !reflect.DeepEqual(got, []string{jobArns}) {
		t.Errorf("reading jobs on %v, want %s", got, jobArns)
	}
	findStatement(t, stmts, "states:SendTaskSuccess", "states:SendTaskFailure")
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")
	requireListOnly(t, stmts, outID)
	for _, s := range stmts {
		for _, a := range templatetest.Strings(s["Action"]) {
			if a == "bedrock:StopModelInvocationJob" || a == "bedrock:CreateModelInvocationJob" || strings.HasPrefix(a, "s3:Put") ||
				a == "bedrock:ListModelInvocationJobs" || a == "bedrock:ListTagsForResource" || a == "states:SendTaskHeartbeat" {
				t.Errorf("the reconciler may %s", a)
			}
		}
	}
}

func TestStopperRuleAndPermissions(t *testing.T) {
	tj := mainTemplate()
	fnID := functionOf(t, tj, "stopjobs")
	_, rule := ruleTargeting(t, tj, fnID)
	p := templatetest.Dig(templatetest.Props(rule), "EventPattern").(map[string]any)
	if !reflect.DeepEqual(p["source"], []any{"aws.states"}) || !reflect.DeepEqual(p["detail-type"], []any{"Step Functions Execution Status Change"}) {
		t.Errorf("pattern %v", p)
	}
	if got := templatetest.Dig(p, "detail", "status"); !reflect.DeepEqual(got, []any{"FAILED", "TIMED_OUT", "ABORTED"}) {
		t.Errorf("statuses %v, want FAILED, TIMED_OUT, ABORTED", got)
	}
	prefix := templatetest.Dig(p, "detail", "stateMachineArn").([]any)[0].(map[string]any)["prefix"]
	if got := templatetest.Flatten(prefix); got != "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:" {
		t.Errorf("state machine prefix %q, want this account's and region's", got)
	}
	stmts := roleStatements(tj, roleOf(t, templatetest.Resources(tj, "AWS::Lambda::Function")[fnID]))
	if got := templatetest.Strings(findStatement(t, stmts, "bedrock:StopModelInvocationJob")["Resource"]); !reflect.DeepEqual(got, []string{jobArns}) {
		t.Errorf("stopping jobs on %v, want %s", got, jobArns)
	}
	for _, s := range stmts {
		for _, a := range templatetest.Strings(s["Action"]) {
			if strings.HasPrefix(a, "states:") || strings.HasPrefix(a, "s3:") || strings.HasPrefix(a, "bedrock:List") {
				t.Errorf("the stopper may %s", a)
			}
		}
	}
}

func TestExtensionsValidation(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Extensions"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	p := &bedrockbatchstepfn.BedrockBatchSfnProps{BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket}
	cases := []struct {
		name string
		ext  bedrockbatchstepfn.Extensions
		want string // "" when valid
	}{
		{"zero concurrency", bedrockbatchstepfn.Extensions{MaxConcurrency: jsii.Number(0)}, "Extensions.MaxConcurrency"},
		{"fractional concurrency", bedrockbatchstepfn.Extensions{MaxConcurrency: jsii.Number(2.5)}, "Extensions.MaxConcurrency"},
		{"30 seconds", bedrockbatchstepfn.Extensions{ReconcileInterval: awscdk.Duration_Seconds(jsii.Number(30))}, "Extensions.ReconcileInterval"},
		{"two days", bedrockbatchstepfn.Extensions{ReconcileInterval: awscdk.Duration_Days(jsii.Number(2))}, "Extensions.ReconcileInterval"},
		{"concurrency 5", bedrockbatchstepfn.Extensions{MaxConcurrency: jsii.Number(5)}, ""},
		{"another interval in the same stack", bedrockbatchstepfn.Extensions{ReconcileInterval: awscdk.Duration_Minutes(jsii.Number(5))}, "same interval"},
	}
	for i, c := range cases {
		msg := recovered(func() {
			bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.Sprintf("F%d", i), p, &c.ext)
		})
		switch {
		case c.want == "" && msg != "":
			t.Errorf("%s: %s", c.name, msg)
		case c.want != "" && !strings.Contains(msg, c.want):
			t.Errorf("%s: panic %q, want one naming %s", c.name, msg, c.want)
		}
	}
}
