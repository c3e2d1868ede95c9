package sampleapp

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// TestMain keeps the CDK's Node.js support banner out of the test output.
func TestMain(m *testing.M) {
	nodeenv.Ensure()
	os.Exit(m.Run())
}

type synthesized struct {
	stack awscdk.Stack
	tpl   assertions.Template
	json  map[string]any
}

// example synthesizes the example stack once, with cdk-nag's AwsSolutions
// checks applied to the whole app.
var example = sync.OnceValue(func() synthesized {
	a := awscdk.NewApp(nil)
	stack := NewMinimalStack(a, StackName, nil)
	awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	tpl := assertions.Template_FromStack(stack, nil)
	tj, err := templatetest.JSON(tpl)
	if err != nil {
		panic(err)
	}
	return synthesized{stack, tpl, tj}
})

func TestAwsSolutionsChecksPass(t *testing.T) {
	ex := example()
	ann := assertions.Annotations_FromStack(ex.stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, m := range *ann.FindError(jsii.String("*"), nag) {
		t.Errorf("cdk-nag error: %s", describe(m))
	}
	for _, m := range *ann.FindWarning(jsii.String("*"), nag) {
		t.Errorf("cdk-nag warning: %s", describe(m))
	}
}

func TestEverySuppressionNamesRuleReasonAndFinding(t *testing.T) {
	var n int
	for id, r := range example().json["Resources"].(map[string]any) {
		rules, _ := templatetest.Dig(r, "Metadata", "cdk_nag", "rules_to_suppress").([]any)
		for _, rule := range rules {
			n++
			s := rule.(map[string]any)
			ruleID, _ := s["id"].(string)
			reason, _ := s["reason"].(string)
			applies, _ := s["applies_to"].([]any)
			// The IAM rules report each finding (an action, a resource), so
			// their suppressions must name the findings; other rules judge
			// a resource as a whole.
			granular := strings.HasPrefix(ruleID, "AwsSolutions-IAM")
			if !strings.HasPrefix(ruleID, "AwsSolutions-") || len(reason) < 40 || (granular && len(applies) == 0) {
				t.Errorf("%s: suppression %v lacks a rule id, a reason or the findings it applies to", id, s)
			}
		}
	}
	if n == 0 {
		t.Error("no suppressions found: the template metadata was not read")
	}
}

func TestFailedJobsReachFailState(t *testing.T) {
	asl := templatetest.Definition(t, example().json, "")
	states := asl["States"].(map[string]any)
	if asl["StartAt"] != "InputState" || templatetest.Dig(states, "InputState", "Next") != "CheckModelInvocationType" ||
		templatetest.Dig(states, "BatchEvaluateMap", "Next") != "OutputState" || templatetest.Dig(states, "SummarizeMapRun", "Next") != "OutputState" {
		t.Errorf("chain is not InputState → fragment (both paths) → OutputState: %v", asl)
	}
	wantCatch := []any{map[string]any{"ErrorEquals": []any{"States.ALL"}, "Next": "FailState"}}
	for _, st := range []string{"BatchEvaluateMap", "BatchEvaluatePrefixMap", "SummarizeMapRun"} {
		if got := templatetest.Dig(states, st, "Catch"); !reflect.DeepEqual(got, wantCatch) {
			t.Errorf("%s catch %v, want %v", st, got, wantCatch)
		}
	}
	wantFail := map[string]any{"Type": "Fail", "CausePath": "$.Cause", "ErrorPath": "$.Error"}
	if got := states["FailState"]; !reflect.DeepEqual(got, wantFail) {
		t.Errorf("FailState %v, want %v", got, wantFail)
	}
}

func TestInputState(t *testing.T) {
	want := map[string]any{
		"job_name.$":    "States.Format('" + JobName + "-{}', $$.Execution.Name)",
		"manifest_keys": []any{"input/manifest-1.jsonl", "input/manifest-2.jsonl"},
		"model_id":      "amazon.nova-pro-v1:0",
	}
	if got := templatetest.Dig(templatetest.Definition(t, example().json, "")["States"], "InputState", "Parameters"); !reflect.DeepEqual(got, want) {
		t.Errorf("InputState parameters %v, want %v", got, want)
	}
	if !strings.Contains(JobName, "_") {
		t.Errorf("job name %q does not exercise the name sanitizer", JobName)
	}
}

func TestContextOverridesInput(t *testing.T) {
	a := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]interface{}{
		appcontract.ContextManifestKeys: "input/a.jsonl, input/b.jsonl,input/c.jsonl",
		appcontract.ContextModelID:      "anthropic.claude-3-haiku-20240307-v1:0",
		appcontract.ContextJobName:      "reviews-2026",
	}})
	stack := NewMinimalStack(a, StackName, nil)
	tpl, err := templatetest.JSON(assertions.Template_FromStack(stack, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"job_name.$":    "States.Format('reviews-2026-{}', $$.Execution.Name)",
		"manifest_keys": []any{"input/a.jsonl", "input/b.jsonl", "input/c.jsonl"},
		"model_id":      "anthropic.claude-3-haiku-20240307-v1:0",
	}
	if got := templatetest.Dig(templatetest.Definition(t, tpl, "")["States"], "InputState", "Parameters"); !reflect.DeepEqual(got, want) {
		t.Errorf("InputState parameters %v, want %v", got, want)
	}
	var named []string
	for _, p := range templatetest.Resources(tpl, "AWS::IAM::ManagedPolicy") {
		for _, st := range templatetest.Dig(p, "Properties", "PolicyDocument", "Statement").([]any) {
			if templatetest.Dig(st, "Sid") == "Inference" {
				named = append(named, templatetest.Strings(templatetest.Dig(st, "Resource"))...)
			}
		}
	}
	if want := "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"; !reflect.DeepEqual(named, []string{want}) {
		t.Errorf("the inference policy names %v, want the model given in the context: %s", named, want)
	}
}

func TestStateMachineLogsAndTraces(t *testing.T) {
	ex := example()
	ex.tpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{
		"LoggingConfiguration": map[string]any{"Level": "ALL", "IncludeExecutionData": true},
		"TracingConfiguration": map[string]any{"Enabled": true},
	})
}

func TestBucketEnforcesSSLAndLogsAccess(t *testing.T) {
	ex := example()
	ex.tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"LoggingConfiguration": map[string]any{
			"DestinationBucketName": assertions.Match_ObjectLike(&map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^AccessLogsBucket"))}),
		},
	})
	denied := map[string]bool{}
	for _, r := range ex.json["Resources"].(map[string]any) {
		if templatetest.Dig(r, "Type") != "AWS::S3::BucketPolicy" {
			continue
		}
		for _, st := range templatetest.Dig(r, "Properties", "PolicyDocument", "Statement").([]any) {
			if templatetest.Dig(st, "Effect") == "Deny" && templatetest.Dig(st, "Condition", "Bool", "aws:SecureTransport") == "false" {
				denied[templatetest.Flatten(templatetest.Dig(r, "Properties", "Bucket"))] = true
			}
		}
	}
	for id, r := range ex.json["Resources"].(map[string]any) {
		if templatetest.Dig(r, "Type") == "AWS::S3::Bucket" && !denied[templatetest.Flatten(map[string]any{"Ref": id})] {
			t.Errorf("bucket %s accepts requests without TLS", id)
		}
	}
}

func TestInferencePolicyNamesTheModel(t *testing.T) {
	ex := example()
	ex.tpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Sid":    "Inference",
			"Effect": "Allow",
			"Action": []any{"bedrock:InvokeModel", "bedrock:CreateModelInvocationJob"},
			"Resource": map[string]any{"Fn::Join": []any{"", []any{
				"arn:", map[string]any{"Ref": "AWS::Partition"}, ":bedrock:", map[string]any{"Ref": "AWS::Region"},
				"::foundation-model/" + ModelID,
			}}},
		}}},
	})
	ex.tpl.HasOutput(jsii.String(appcontract.OutputStateMachineArn), map[string]any{})
	ex.tpl.HasOutput(jsii.String(appcontract.OutputBucketName), map[string]any{})
}

// describe renders a synthesis message (construct path and text) through
// its JSON form; the Go struct's fields are marked deprecated.
func describe(m any) string {
	b, _ := json.Marshal(m)
	s := string(b)
	if i := strings.Index(s, `\n`); i >= 0 {
		return s[:i]
	}
	return s
}
