package bedrockbatchstepfn_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	batchsfn "github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// The exported functions of the published Go binding's bedrockbatchstepfn
// package (generativeaicdkconstructs v0.1.314), with their types written
// out by hand: a program calling them compiles against this package.
var (
	_ func(parent constructs.Construct, id *string, props *batchsfn.BedrockBatchSfnProps) batchsfn.BedrockBatchSfn    = batchsfn.NewBedrockBatchSfn
	_ func(b batchsfn.BedrockBatchSfn, parent constructs.Construct, id *string, props *batchsfn.BedrockBatchSfnProps) = batchsfn.NewBedrockBatchSfn_Override
	_ func(x interface{}) *bool                                                                                       = batchsfn.BedrockBatchSfn_IsConstruct
)

// publishedBedrockBatchSfn is the published binding's BedrockBatchSfn
// interface, written out. Assignability both ways means the method sets are
// the same.
type publishedBedrockBatchSfn interface {
	sfn.StateMachineFragment
	EndStates() *[]sfn.INextable
	Id() *string
	Node() constructs.Node
	StartState() sfn.State
	Next(next sfn.IChainable) sfn.Chain
	PrefixStates(prefix *string) sfn.StateMachineFragment
	ToSingleState(options *sfn.SingleStateOptions) sfn.Parallel
	ToString() *string
}

var (
	_ publishedBedrockBatchSfn = batchsfn.BedrockBatchSfn(nil)
	_ batchsfn.BedrockBatchSfn = publishedBedrockBatchSfn(nil)
)

// publishedProps is the published binding's BedrockBatchSfnProps, written
// out with its field tags.
type publishedProps struct {
	BedrockBatchInputBucket  awss3.IBucket         `field:"required" json:"bedrockBatchInputBucket" yaml:"bedrockBatchInputBucket"`
	BedrockBatchOutputBucket awss3.IBucket         `field:"required" json:"bedrockBatchOutputBucket" yaml:"bedrockBatchOutputBucket"`
	BedrockBatchPolicy       awsiam.IManagedPolicy `field:"optional" json:"bedrockBatchPolicy" yaml:"bedrockBatchPolicy"`
	InputPath                *string               `field:"optional" json:"inputPath" yaml:"inputPath"`
	ResultPath               *string               `field:"optional" json:"resultPath" yaml:"resultPath"`
	Timeout                  awscdk.Duration       `field:"optional" json:"timeout" yaml:"timeout"`
}

func TestPropsAreThePublishedOnes(t *testing.T) {
	// The conversion compiles only when the field names, types and order
	// are the same; the loop also compares the tags.
	_ = batchsfn.BedrockBatchSfnProps(publishedProps{})
	want, got := reflect.TypeFor[publishedProps](), reflect.TypeFor[batchsfn.BedrockBatchSfnProps]()
	if got.NumField() != want.NumField() {
		t.Fatalf("%d fields, the published props have %d", got.NumField(), want.NumField())
	}
	for i := range want.NumField() {
		w, g := want.Field(i), got.Field(i)
		if g.Name != w.Name || g.Type != w.Type || g.Tag != w.Tag {
			t.Errorf("field %d is %s %v `%s`, published %s %v `%s`", i, g.Name, g.Type, g.Tag, w.Name, w.Type, w.Tag)
		}
	}
}

// labelledBatch subclasses the construct the way the jsii Go bindings allow;
// its StartState override counts the times jsii asks for the start state.
type labelledBatch struct {
	batchsfn.BedrockBatchSfn
	starts int
}

func (l *labelledBatch) StartState() sfn.State {
	l.starts++
	return l.BedrockBatchSfn.StartState()
}

func newLabelledBatch(scope constructs.Construct, id string, props *batchsfn.BedrockBatchSfnProps) *labelledBatch {
	b := &labelledBatch{}
	batchsfn.NewBedrockBatchSfn_Override(b, scope, jsii.String(id), props)
	return b
}

// publishedUsage is what the program below built and observed.
type publishedUsage struct {
	template                     map[string]any
	fragment, second             batchsfn.BedrockBatchSfn
	third                        *labelledBatch
	inBucket                     awss3.IBucket
	prefixedStart, secondSummary string
}

// usage synthesizes, once, the published README's usage ported to Go and
// widened to every exported member: a fragment with every prop set between
// Pass states with a catch on its end state; a second fragment with the
// default policy, prefixed and wrapped into a retried Parallel state; a
// subclass chained after a Pass state. It is written as a program against
// the published binding would be, with only the import path changed.
var usage = sync.OnceValue(func() publishedUsage {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BatchCompatStack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")},
	})

	inBucket := awss3.NewBucket(stack, jsii.String("BedrockBatchBucket"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})
	outBucket := awss3.NewBucket(stack, jsii.String("BedrockBatchOutput"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})
	batchPolicy := awsiam.NewManagedPolicy(stack, jsii.String("BatchPolicy"), &awsiam.ManagedPolicyProps{})
	batchPolicy.AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Inference"),
		Actions:   jsii.Strings("bedrock:InvokeModel", "bedrock:CreateModelInvocationJob"),
		Resources: jsii.Strings(fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/*", *stack.Region())),
	}))

	fragment := batchsfn.NewBedrockBatchSfn(stack, jsii.String("AwsBedrockBatchSfn"), &batchsfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  inBucket,
		BedrockBatchOutputBucket: outBucket,
		BedrockBatchPolicy:       batchPolicy,
		InputPath:                jsii.String("$.batch"),
		ResultPath:               jsii.String("$.results"),
		Timeout:                  awscdk.Duration_Hours(jsii.Number(48)),
	})
	inputState := sfn.NewPass(stack, jsii.String("InputState"), &sfn.PassProps{
		Parameters: &map[string]interface{}{
			"batch": map[string]interface{}{
				"job_name":      "test_job",
				"manifest_keys": []interface{}{"test_key.jsonl"},
				"model_id":      "test.model-v1",
			},
		},
	})
	outputState := sfn.NewPass(stack, jsii.String("OutputState"), nil)
	failState := sfn.NewFail(stack, jsii.String("FailState"), &sfn.FailProps{
		CausePath: sfn.JsonPath_StringAt(jsii.String("$.cause")),
		ErrorPath: sfn.JsonPath_StringAt(jsii.String("$.error")),
	})
	chain := inputState.Next(fragment).Next(outputState)
	for _, endState := range *fragment.EndStates() {
		switch s := endState.(type) {
		case sfn.TaskStateBase:
			s.AddCatch(failState, nil)
		case sfn.Map:
			s.AddCatch(failState, &sfn.CatchProps{ResultPath: jsii.String("$")})
		}
	}
	sfn.NewStateMachine(stack, jsii.String("StateMachine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(chain),
	})

	second := batchsfn.NewBedrockBatchSfn(stack, jsii.String("SecondBatch"), &batchsfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  inBucket,
		BedrockBatchOutputBucket: inBucket,
	})
	var prefixed sfn.StateMachineFragment = second.PrefixStates(jsii.String("Second-"))
	var start sfn.State = prefixed.StartState()
	startID := *start.StateId() // before ToSingleState prefixes the states again
	summary := fmt.Sprintf("%s %s %s", *second.Id(), *second.Node().Path(), *second.ToString())
	var wrapped sfn.Parallel = second.ToSingleState(&sfn.SingleStateOptions{
		ResultPath: sfn.JsonPath_DISCARD(),
		StateName:  jsii.String("SecondBatchWrapped"),
	})
	wrapped.AddRetry(&sfn.RetryProps{MaxAttempts: jsii.Number(2)})
	var next sfn.Chain = wrapped.Next(sfn.NewSucceed(stack, jsii.String("SecondDone"), nil))
	sfn.NewStateMachine(stack, jsii.String("SecondStateMachine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(next),
	})

	third := newLabelledBatch(stack, "ThirdBatch", &batchsfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  inBucket,
		BedrockBatchOutputBucket: outBucket,
		BedrockBatchPolicy:       batchPolicy,
		Timeout:                  awscdk.Duration_Days(jsii.Number(7)),
	})
	third.PrefixStates(jsii.String("Third-"))
	batchsfn.AddCatch(third, sfn.NewFail(stack, jsii.String("ThirdFailed"), nil), nil)
	sfn.NewStateMachine(stack, jsii.String("ThirdStateMachine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(
			sfn.NewPass(stack, jsii.String("ThirdInput"), nil).Next(third)),
	})

	tj, err := templatetest.JSON(assertions.Template_FromStack(stack, nil))
	if err != nil {
		panic(err)
	}
	return publishedUsage{tj, fragment, second, third, inBucket, startID, summary}
})

func TestPublishedUsageSynthesizes(t *testing.T) {
	u := usage()
	tj := u.template

	first := templatetest.Definition(t, tj, "StateMachine")
	if got := templatetest.Dig(first, "StartAt"); got != "InputState" {
		t.Errorf("StartAt %v, want InputState", got)
	}
	if got := templatetest.Dig(first, "States", "InputState", "Next"); got != "CheckModelInvocationType" {
		t.Errorf("InputState goes to %v, want the fragment's start, the check of its job options", got)
	}
	m := templatetest.Dig(first, "States", "BatchEvaluateMap").(map[string]any)
	if m["InputPath"] != "$.batch" || m["ResultPath"] != "$.results" || m["Next"] != "OutputState" {
		t.Errorf("Map InputPath %v, ResultPath %v, Next %v; want $.batch, $.results, OutputState",
			m["InputPath"], m["ResultPath"], m["Next"])
	}
	if catches, _ := m["Catch"].([]any); len(catches) != 1 || templatetest.Dig(catches[0], "Next") != "FailState" {
		t.Errorf("the catch added on the fragment's end state is %v, want one to FailState", m["Catch"])
	}
	if got := templatetest.Dig(m, "ItemProcessor", "States", "CreateModelInvocationJobTask", "HeartbeatSeconds"); got != heartbeatSeconds(48) {
		t.Errorf("heartbeat %v, want 48 h and the margin", got)
	}

	second := templatetest.Definition(t, tj, "SecondStateMachine")
	p := templatetest.Dig(second, "States", "SecondBatchWrapped").(map[string]any)
	if second["StartAt"] != "SecondBatchWrapped" || p["Type"] != "Parallel" || p["ResultPath"] != nil {
		t.Errorf("second machine starts at %v, a %v with ResultPath %v; want the discarding Parallel",
			second["StartAt"], p["Type"], p["ResultPath"])
	}
	if retries, _ := p["Retry"].([]any); len(retries) != 1 || templatetest.Dig(retries[0], "MaxAttempts") != 2.0 {
		t.Errorf("Parallel retries %v, want the one added", p["Retry"])
	}
	branch := p["Branches"].([]any)[0]
	if got := templatetest.Dig(branch, "StartAt"); got != "SecondBatch: Second-CheckModelInvocationType" {
		t.Errorf("the wrapped branch starts at %v", got)
	}
	if u.prefixedStart != "Second-CheckModelInvocationType" {
		t.Errorf("prefixed start state %q", u.prefixedStart)
	}
	if want := "SecondBatch BatchCompatStack/SecondBatch BatchCompatStack/SecondBatch"; u.secondSummary != want {
		t.Errorf("Id, path, ToString: %q, want %q", u.secondSummary, want)
	}

	third := templatetest.Definition(t, tj, "ThirdStateMachine")
	if got := templatetest.Dig(third, "States", "ThirdInput", "Next"); got != "Third-CheckModelInvocationType" {
		t.Errorf("ThirdInput goes to %v, want the subclass's prefixed start", got)
	}
	// AddCatch finds the fragment inside the subclass.
	for _, st := range []string{"Third-BatchEvaluateMap", "Third-BatchEvaluatePrefixMap", "Third-SummarizeMapRun"} {
		if catches, _ := templatetest.Dig(third, "States", st, "Catch").([]any); len(catches) != 1 || templatetest.Dig(catches[0], "Next") != "ThirdFailed" {
			t.Errorf("%s catches %v, want one to ThirdFailed", st, templatetest.Dig(third, "States", st, "Catch"))
		}
	}
	if got := templatetest.Dig(third, "States", "Third-BatchEvaluateMap", "ItemProcessor", "States",
		"Third-CreateModelInvocationJobTask", "HeartbeatSeconds"); got != heartbeatSeconds(7*24) {
		t.Errorf("subclass heartbeat %v, want 7 days and the margin", got)
	}

	// The given policy replaces the default one; the second fragment,
	// given none, has its own.
	policies := templatetest.Resources(tj, "AWS::IAM::ManagedPolicy")
	if len(policies) != 2 {
		t.Errorf("%d managed policies, want the given one and the second fragment's default", len(policies))
	}
	templatetest.ResourceByPrefix(t, tj, "AWS::IAM::ManagedPolicy", "SecondBatchBedrockBatchPolicy")
	policyID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::ManagedPolicy", "BatchPolicy")
	for _, fragment := range []string{"AwsBedrockBatchSfn", "ThirdBatch"} {
		_, role := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", fragment+"BedrockBatchRole")
		if arns := templatetest.Strings(templatetest.Props(role)["ManagedPolicyArns"]); len(arns) != 1 || arns[0] != "${"+policyID+"}" {
			t.Errorf("%s service role has managed policies %v, want only the given %s", fragment, arns, policyID)
		}
	}
	// One of each per-stack rule: job events, the reconcile schedule,
	// executions that ended without success.
	if n := len(templatetest.Resources(tj, "AWS::Events::Rule")); n != 3 {
		t.Errorf("%d rules for three fragments in one stack, want 3", n)
	}
}

func TestPublishedUsageIsConstruct(t *testing.T) {
	u := usage()
	for name, x := range map[string]any{"fragment": u.fragment, "second": u.second, "subclass": u.third} {
		if !*batchsfn.BedrockBatchSfn_IsConstruct(x) {
			t.Errorf("%s is not a construct", name)
		}
	}
	if *batchsfn.BedrockBatchSfn_IsConstruct(u.inBucket.BucketName()) {
		t.Error("a bucket name is a construct")
	}
}

func TestSubclassIsTheConstruct(t *testing.T) {
	u := usage()
	if got := *u.third.Node().Path(); got != "BatchCompatStack/ThirdBatch" {
		t.Errorf("subclass path %q", got)
	}
	if u.third.starts == 0 {
		t.Error("chaining the subclass did not call its StartState override")
	}
	if _, ok := (*u.third.EndStates())[0].(sfn.Map); !ok {
		t.Errorf("subclass end state %T, want the Map", (*u.third.EndStates())[0])
	}
}

// byValue and notEmbedding satisfy BedrockBatchSfn but cannot be created as
// one by NewBedrockBatchSfn_Override.
type byValue struct{ batchsfn.BedrockBatchSfn }

type notEmbedding struct{ sfn.StateMachineFragment }

func (n *notEmbedding) EndStates() *[]sfn.INextable { return nil }

func TestOverrideRejectsWhatItCannotCreate(t *testing.T) {
	u := usage()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Rejects"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	p := &batchsfn.BedrockBatchSfnProps{BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket}
	for _, tc := range []struct {
		name string
		b    batchsfn.BedrockBatchSfn
		want string
	}{
		{"struct value", byValue{}, "pass a non-nil pointer"},
		{"nil pointer", (*labelledBatch)(nil), "pass a non-nil pointer"},
		{"no embedded BedrockBatchSfn", &notEmbedding{}, "does not embed bedrockbatchstepfn.BedrockBatchSfn"},
		{"created already", u.third, "already set"},
	} {
		msg := recovered(func() { batchsfn.NewBedrockBatchSfn_Override(tc.b, stack, jsii.String("F"), p) })
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: panic %q, want it to say %q", tc.name, msg, tc.want)
		}
	}
	if n := len(*stack.Node().Children()); n != 1 {
		t.Errorf("the rejected calls left %d constructs in the stack, want only the bucket", n)
	}
}
