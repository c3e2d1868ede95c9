package bedrockbatchstepfn_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// mainTemplate synthesizes, once, a stack with two fragments: A with the
// default props, B with its own policy, InputPath, ResultPath, a 168-hour
// timeout, every extension and prefixed states, chained A → B in one state
// machine. The input and output buckets differ so that grants can be told
// apart; the output bucket is encrypted with a KMS key of its own.
var mainTemplate = sync.OnceValue(func() map[string]any {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Main"), nil)
	in := awss3.NewBucket(stack, jsii.String("InBucket"), nil)
	out := awss3.NewBucket(stack, jsii.String("OutBucket"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS})
	a := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("A"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  in,
		BedrockBatchOutputBucket: out,
	})
	custom := awsiam.NewManagedPolicy(stack, jsii.String("CustomPolicy"), &awsiam.ManagedPolicyProps{
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("bedrock:InvokeModel", "bedrock:CreateModelInvocationJob"),
			Resources: jsii.Strings("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"),
		})},
	})
	b := bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.String("B"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket:  in,
		BedrockBatchOutputBucket: out,
		BedrockBatchPolicy:       custom,
		InputPath:                jsii.String("$.batch"),
		ResultPath:               jsii.String("$.results"),
		Timeout:                  awscdk.Duration_Days(jsii.Number(7)),
	}, &bedrockbatchstepfn.Extensions{
		MaxInlineManifests:         jsii.Number(250),
		ToleratedFailureCount:      jsii.Number(3),
		ToleratedFailurePercentage: jsii.Number(1.5),
		OutputEncryptionKey:        awskms.NewKey(stack, jsii.String("OutputKey"), nil),
		InputEncryptionKey:         awskms.Key_FromKeyArn(stack, jsii.String("InputKey"), jsii.String(importedInputKey)),
		Vpc: &bedrockbatchstepfn.JobVpcConfig{
			SubnetIds:        jsii.Strings(testSubnets...),
			SecurityGroupIds: jsii.Strings(testSecurityGroup),
		},
		ExpectedBucketOwner: jsii.String(testBucketOwner),
		JobTags:             &map[string]*string{"cost-center": jsii.String("ml-platform")},
	})
	awsstepfunctions.NewStateMachine(stack, jsii.String("Machine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(a.Next(b.PrefixStates(jsii.String("B-")))),
	})
	tj, err := templatetest.JSON(assertions.Template_FromStack(stack, nil))
	if err != nil {
		panic(err)
	}
	return tj
})

func TestFunctionsAreGoOnGraviton(t *testing.T) {
	tj := mainTemplate()
	fns := templatetest.Resources(tj, "AWS::Lambda::Function")
	if len(fns) != 5 {
		t.Fatalf("got %d functions, want 5 (a create-job function per fragment, one job-event function, reconciler and stopper)", len(fns))
	}
	wantTimeout := map[string]float64{"createjob": 30, "jobevent": 60, "reconcile": 300, "stopjobs": 120}
	handlers := map[string]int{}
	keys := map[string]string{}
	for id, fn := range fns {
		p := templatetest.Props(fn)
		handler, _ := templatetest.Dig(fn, "Metadata", "bedrockbatch:handler").(string)
		handlers[handler]++
		if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || p["MemorySize"] != 128.0 ||
			!reflect.DeepEqual(p["Architectures"], []any{"arm64"}) {
			t.Errorf("%s: runtime %v, handler %v, memory %v, architectures %v; want provided.al2023, bootstrap, 128, [arm64]",
				id, p["Runtime"], p["Handler"], p["MemorySize"], p["Architectures"])
		}
		if p["Timeout"] != wantTimeout[handler] {
			t.Errorf("%s (%s): timeout %v, want %v", id, handler, p["Timeout"], wantTimeout[handler])
		}
		key := templatetest.Flatten(templatetest.Dig(p, "Code", "S3Key"))
		if !assetKey.MatchString(key) {
			t.Errorf("%s: code S3 key %q is not a zipped file asset", id, key)
		}
		if prev, ok := keys[handler]; ok && prev != key {
			t.Errorf("the %s functions use different code assets %s and %s; one build should serve both", handler, prev, key)
		}
		keys[handler] = key
	}
	if !reflect.DeepEqual(handlers, map[string]int{"createjob": 2, "jobevent": 1, "reconcile": 1, "stopjobs": 1}) {
		t.Errorf("handlers %v, want 2 createjob and one each of jobevent, reconcile and stopjobs", handlers)
	}
	assets := map[string]string{}
	for handler, key := range keys {
		if other, dup := assets[key]; dup {
			t.Errorf("handlers %s and %s use the same asset %s", handler, other, key)
		}
		assets[key] = handler
	}
}

func TestOneRulePerStackTargetsTheJobEventFunction(t *testing.T) {
	tj := mainTemplate()
	rules := templatetest.Resources(tj, "AWS::Events::Rule")
	if len(rules) != 3 {
		t.Fatalf("got %d rules for two fragments, want 3 (job events, reconcile schedule, execution ends)", len(rules))
	}
	eventFn := functionOf(t, tj, "jobevent")
	for id, r := range rules {
		if templatetest.Dig(r, "Properties", "EventPattern", "source") == nil || !reflect.DeepEqual(templatetest.Dig(r, "Properties", "EventPattern", "source"), []any{"aws.bedrock"}) {
			continue
		}
		p := templatetest.Props(r)
		want := map[string]any{
			"source":      []any{"aws.bedrock"},
			"detail-type": []any{"Batch Inference Job State Change"},
			"detail":      map[string]any{"status": []any{"Completed", "PartiallyCompleted", "Failed", "Expired", "Stopped"}},
		}
		if !reflect.DeepEqual(p["EventPattern"], want) {
			t.Errorf("%s: pattern %v, want %v", id, p["EventPattern"], want)
		}
		targets := p["Targets"].([]any)
		if len(targets) != 1 || templatetest.Flatten(targets[0].(map[string]any)["Arn"]) != "${"+eventFn+".Arn}" {
			t.Errorf("%s: targets %v, want only %s", id, targets, eventFn)
		}
	}
	perms := templatetest.Resources(tj, "AWS::Lambda::Permission")
	var invokable bool
	for _, p := range perms {
		if templatetest.Props(p)["Principal"] == "events.amazonaws.com" && templatetest.Flatten(templatetest.Props(p)["FunctionName"]) == "${"+eventFn+".Arn}" {
			invokable = true
		}
	}
	if !invokable {
		t.Error("EventBridge may not invoke the job-event function")
	}
}

func TestDefaultPolicyOnlyWhenNoneGiven(t *testing.T) {
	tj := mainTemplate()
	policies := templatetest.Resources(tj, "AWS::IAM::ManagedPolicy")
	if len(policies) != 2 {
		t.Fatalf("got %d managed policies, want 2 (A's default and B's own)", len(policies))
	}
	_, def := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::ManagedPolicy", "ABedrockBatchPolicy")
	stmts := templatetest.Dig(templatetest.Props(def), "PolicyDocument", "Statement").([]any)
	if len(stmts) != 2 {
		t.Fatalf("default policy has %d statements, want 2", len(stmts))
	}
	// The service role invokes the model, or the profile and the
	// foundation models in every region it routes to (a global profile's
	// have no region); CreateModelInvocationJob is the create-job
	// function's, not Bedrock's
	// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html).
	s := stmts[0].(map[string]any)
	if s["Sid"] != "Inference" || s["Effect"] != "Allow" {
		t.Errorf("statement %v, want Sid Inference, Allow", s)
	}
	if got, want := templatetest.Strings(s["Action"]), []string{"bedrock:InvokeModel"}; !reflect.DeepEqual(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if got := templatetest.Strings(s["Resource"]); !reflect.DeepEqual(got, modelResources) {
		t.Errorf("resources %v, want %v", got, modelResources)
	}
	s = stmts[1].(map[string]any)
	if got := templatetest.Strings(s["Action"]); !reflect.DeepEqual(got, []string{"bedrock:GetInferenceProfile"}) {
		t.Errorf("second statement allows %v, want bedrock:GetInferenceProfile", got)
	}
	if got := templatetest.Strings(s["Resource"]); !reflect.DeepEqual(got, modelResources[2:]) {
		t.Errorf("profiles read: %v, want %v", got, modelResources[2:])
	}
}

func TestServiceRoleTrustsOnlyThisAccountsJobs(t *testing.T) {
	tj := mainTemplate()
	for frag, policyPrefix := range map[string]string{"A": "ABedrockBatchPolicy", "B": "CustomPolicy"} {
		roleID, role := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", frag+"BedrockBatchRole")
		trust := templatetest.Dig(templatetest.Props(role), "AssumeRolePolicyDocument", "Statement").([]any)
		if len(trust) != 1 {
			t.Fatalf("%s: %d trust statements, want only the conditioned one: %v", roleID, len(trust), trust)
		}
		s := trust[0].(map[string]any)
		want := map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}},
			"ArnLike":      map[string]any{"aws:SourceArn": nil},
		}
		cond, _ := s["Condition"].(map[string]any)
		if !reflect.DeepEqual(cond["StringEquals"], want["StringEquals"]) {
			t.Errorf("%s: StringEquals %v, want %v", roleID, cond["StringEquals"], want["StringEquals"])
		}
		if got := templatetest.Flatten(templatetest.Dig(cond, "ArnLike", "aws:SourceArn")); got != "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-invocation-job/*" {
			t.Errorf("%s: aws:SourceArn %q", roleID, got)
		}
		if s["Action"] != "sts:AssumeRole" || templatetest.Flatten(templatetest.Dig(s, "Principal", "Service")) != "bedrock.amazonaws.com" {
			t.Errorf("%s: trust statement %v", roleID, s)
		}
		policyID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::ManagedPolicy", policyPrefix)
		if got := templatetest.Strings(templatetest.Props(role)["ManagedPolicyArns"]); !slices.Contains(got, "${"+policyID+"}") {
			t.Errorf("%s: managed policies %v, want %s", roleID, got, policyID)
		}

		var owner any = map[string]any{"Ref": "AWS::AccountId"}
		if frag == "B" {
			owner = testBucketOwner
		}
		requireServiceRoleS3(t, tj, roleID, owner)
	}
}

var assetKey = regexp.MustCompile(`^[0-9a-f]{64}\.zip$`)

const jobArns = "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-invocation-job/*"

func TestCreateJobFunctionPermissions(t *testing.T) {
	tj := mainTemplate()
	for frag, policyPrefix := range map[string]string{"A": "ABedrockBatchPolicy", "B": "CustomPolicy"} {
		_, fn := templatetest.ResourceByPrefix(t, tj, "AWS::Lambda::Function", frag+"CreateModelInvocationJobFunction")
		roleID := roleOf(t, fn)
		stmts := roleStatements(tj, roleID)

		create := findStatement(t, stmts, "bedrock:CreateModelInvocationJob", "bedrock:TagResource")
		if got := templatetest.Strings(create["Resource"]); !reflect.DeepEqual(got, []string{jobArns}) {
			t.Errorf("%s: create/tag on %v, want %s", roleID, got, jobArns)
		}

		serviceRole, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", frag+"BedrockBatchRole")
		for _, s := range stmts {
			if slices.Contains(templatetest.Strings(s["Action"]), "iam:PassRole") && s["Condition"] == nil {
				t.Errorf("%s: unconditional iam:PassRole: %v", roleID, s)
			}
		}
		pass := findStatement(t, stmts, "iam:PassRole")
		if got := templatetest.Strings(pass["Resource"]); !reflect.DeepEqual(got, []string{"${" + serviceRole + ".Arn}"}) {
			t.Errorf("%s: PassRole on %v, want only %s", roleID, got, serviceRole)
		}
		wantCond := map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}}
		if !reflect.DeepEqual(pass["Condition"], wantCond) {
			t.Errorf("%s: PassRole condition %v, want %v", roleID, pass["Condition"], wantCond)
		}

		// The published API's one policy must allow InvokeModel for the
		// service role, so only a user's own policy (B) is attached here;
		// with the default (A) the function may create jobs with any model
		// and invoke none.
		_, role := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", roleID)
		policyID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::ManagedPolicy", policyPrefix)
		managed := templatetest.Strings(templatetest.Props(role)["ManagedPolicyArns"])
		if got := slices.Contains(managed, "${"+policyID+"}"); got != (frag == "B") {
			t.Errorf("%s: batch policy %s attached: %v, want %v", roleID, policyID, got, frag == "B")
		}
		if frag == "A" {
			models := findStatement(t, stmts, "bedrock:CreateModelInvocationJob")
			if got := templatetest.Strings(models["Resource"]); !reflect.DeepEqual(got, modelResources) {
				t.Errorf("%s: creating jobs with models %v, want %v", roleID, got, modelResources)
			}
			for _, st := range stmts {
				for _, a := range templatetest.Strings(st["Action"]) {
					if strings.HasPrefix(a, "bedrock:Invoke") || strings.HasPrefix(a, "s3:") {
						t.Errorf("%s: the create-job function may %s", roleID, a)
					}
				}
			}
		}
	}
}

func TestJobEventFunctionPermissions(t *testing.T) {
	tj := mainTemplate()
	roleID := roleOf(t, templatetest.Resources(tj, "AWS::Lambda::Function")[functionOf(t, tj, "jobevent")])
	stmts := roleStatements(tj, roleID)

	read := findStatement(t, stmts, "bedrock:GetModelInvocationJob")
	if got := templatetest.Strings(read["Resource"]); !reflect.DeepEqual(got, []string{jobArns}) {
		t.Errorf("job read on %v, want %s", got, jobArns)
	}
	report := findStatement(t, stmts, "states:SendTaskSuccess", "states:SendTaskFailure")
	if got := templatetest.Strings(report["Resource"]); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("task reporting on %v, want *", got)
	}
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")
	inID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "InBucket")
	requireListOnly(t, stmts, outID)
	for _, s := range stmts {
		for _, r := range templatetest.Strings(s["Resource"]) {
			if strings.Contains(r, inID) {
				t.Errorf("the job-event function may access the input bucket: %v", s)
			}
		}
	}
}

func TestDefinition(t *testing.T) {
	tj := mainTemplate()
	asl := templatetest.Definition(t, tj, "Machine")
	inID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "InBucket")
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")

	if asl["StartAt"] != "CheckModelInvocationType" {
		t.Errorf("StartAt %v", asl["StartAt"])
	}
	states := asl["States"].(map[string]any)
	if len(states) != 22 {
		t.Fatalf("%d states %v, want 11 per fragment", len(states), states)
	}
	cases := []struct {
		frag, mapName, taskName     string
		inputPath, resultPath, next any
		hours                       float64
	}{
		{"A", "BatchEvaluateMap", "CreateModelInvocationJobTask", nil, nil, "B-CheckModelInvocationType", 48},
		{"B", "B-BatchEvaluateMap", "B-CreateModelInvocationJobTask", "$.batch", "$.results", nil, 168},
	}
	for _, c := range cases {
		m := states[c.mapName].(map[string]any)
		if m["Type"] != "Map" || m["ItemsPath"] != "$.manifest_keys" || m["MaxConcurrency"] != 20.0 {
			t.Errorf("%s: type %v, items %v, max concurrency %v", c.mapName, m["Type"], m["ItemsPath"], m["MaxConcurrency"])
		}
		if m["InputPath"] != c.inputPath || m["ResultPath"] != c.resultPath || m["Next"] != c.next {
			t.Errorf("%s: InputPath %v ResultPath %v Next %v, want %v %v %v", c.mapName,
				m["InputPath"], m["ResultPath"], m["Next"], c.inputPath, c.resultPath, c.next)
		}
		wantSel := map[string]any{
			"job_name.$": "$.job_name", "model_id.$": "$.model_id",
			"index.$": "$$.Map.Item.Index", "manifest_key.$": "$$.Map.Item.Value",
			"execution_arn.$":         "$$.Execution.Id",
			"model_invocation_type.$": "$.model_invocation_type", "job_tags.$": "$.job_tags",
		}
		if !reflect.DeepEqual(m["ItemSelector"], wantSel) {
			t.Errorf("%s: ItemSelector %v", c.mapName, m["ItemSelector"])
		}
		proc := m["ItemProcessor"].(map[string]any)
		if proc["StartAt"] != c.taskName {
			t.Fatalf("%s: processor starts at %v, want %s", c.mapName, proc["StartAt"], c.taskName)
		}
		task := templatetest.Dig(proc, "States", c.taskName).(map[string]any)
		if task["Resource"] != "arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken" {
			t.Errorf("%s: resource %v", c.taskName, task["Resource"])
		}
		if task["HeartbeatSeconds"] != heartbeatSeconds(int(c.hours)) {
			t.Errorf("%s: heartbeat %v s, want %v h and the margin", c.taskName, task["HeartbeatSeconds"], c.hours)
		}
		fnID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::Lambda::Function", c.frag+"CreateModelInvocationJobFunction")
		roleID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", c.frag+"BedrockBatchRole")
		if got := templatetest.Dig(task, "Parameters", "FunctionName"); got != "${"+fnID+".Arn}" {
			t.Errorf("%s: invokes %v, want %s", c.taskName, got, fnID)
		}
		wantPayload := map[string]any{
			"jobName.$": "States.Format('{}{}', $.job_name, $.index)",
			"roleArn":   "${" + roleID + ".Arn}",
			"modelId.$": "$.model_id",
			"inputDataConfig": map[string]any{"s3InputDataConfig": map[string]any{
				"s3Uri.$": "States.Format('s3://${" + inID + "}/{}', $.manifest_key)"}},
			"outputDataConfig": map[string]any{"s3OutputDataConfig": map[string]any{
				"s3Uri.$": "States.Format('s3://${" + outID + "}/output/{}/', $.job_name)"}},
			"timeoutDurationInHours": c.hours,
			"TaskToken.$":            "$$.Task.Token",
			"executionArn.$":         "$.execution_arn",
			"modelInvocationType.$":  "$.model_invocation_type",
			"jobTags.$":              "$.job_tags",
		}
		if c.frag == "B" {
			addSettingsToPayload(t, tj, wantPayload)
		}
		if got := templatetest.Dig(task, "Parameters", "Payload"); !reflect.DeepEqual(got, wantPayload) {
			t.Errorf("%s: payload\n got %v\nwant %v", c.taskName, got, wantPayload)
		}
		var quotaRetry bool
		for _, r := range task["Retry"].([]any) {
			r := r.(map[string]any)
			if reflect.DeepEqual(r["ErrorEquals"], []any{"ServiceQuotaExceededException", "ThrottlingException"}) {
				quotaRetry = r["BackoffRate"].(float64) > 1 && r["MaxAttempts"].(float64) > 1
			}
		}
		if !quotaRetry {
			t.Errorf("%s: no backoff retry on quota and throttling errors: %v", c.taskName, task["Retry"])
		}
	}
}

// twoStacks synthesizes an app with a fragment in each of two stacks; the
// second stack also holds a fragment that is never chained.
type twoStackApp struct {
	templates [2]map[string]any
	outdir    string
}

var twoStacks = sync.OnceValue(func() twoStackApp {
	outdir, err := os.MkdirTemp("", "bedrockbatchstepfn-test-")
	if err != nil {
		panic(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	var out [2]map[string]any
	var stacks []awscdk.Stack
	for _, name := range []string{"First", "Second"} {
		stack := awscdk.NewStack(app, jsii.String(name), nil)
		bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
		p := &bedrockbatchstepfn.BedrockBatchSfnProps{BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket}
		f := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Batch"), p)
		awsstepfunctions.NewStateMachine(stack, jsii.String("Machine"), &awsstepfunctions.StateMachineProps{
			DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(f),
		})
		if name == "Second" {
			bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Unchained"), p)
		}
		stacks = append(stacks, stack)
	}
	app.Synth(nil)
	for i, s := range stacks {
		tj, err := templatetest.JSON(assertions.Template_FromStack(s, nil))
		if err != nil {
			panic(err)
		}
		out[i] = tj
	}
	return twoStackApp{out, outdir}
})

func TestFragmentsInTwoStacksSynthesize(t *testing.T) {
	synthesized := twoStacks()
	t.Cleanup(func() { os.RemoveAll(synthesized.outdir) })
	tpls := synthesized.templates
	var keys []string
	for i, tj := range tpls {
		if n := len(templatetest.Resources(tj, "AWS::Events::Rule")); n != 3 {
			t.Errorf("stack %d: %d rules, want 3", i, n)
		}
		_, fn := templatetest.ResourceByPrefix(t, tj, "AWS::Lambda::Function", "BatchCreateModelInvocationJobFunction")
		keys = append(keys, templatetest.Flatten(templatetest.Dig(templatetest.Props(fn), "Code", "S3Key")))
	}
	if keys[0] != keys[1] {
		t.Errorf("the same create-job code has asset keys %s and %s in two stacks", keys[0], keys[1])
	}
	// The unchained fragment still gets its function and its iteration task.
	templatetest.ResourceByPrefix(t, tpls[1], "AWS::Lambda::Function", "UnchainedCreateModelInvocationJobFunction")
	if n := len(templatetest.Resources(tpls[1], "AWS::Lambda::Function")); n != 5 {
		t.Errorf("second stack: %d functions, want 5", n)
	}

	// Each function asset in the assembly is a directory holding only
	// bootstrap, named after the hash the template refers to.
	for _, stack := range []string{"First", "Second"} {
		raw, err := os.ReadFile(filepath.Join(synthesized.outdir, stack+".assets.json"))
		if err != nil {
			t.Fatal(err)
		}
		var manifest struct {
			Files map[string]struct {
				Source struct{ Path, Packaging string }
			}
		}
		if err := json.Unmarshal(raw, &manifest); err != nil {
			t.Fatal(err)
		}
		zips := 0
		for hash, f := range manifest.Files {
			if f.Source.Packaging != "zip" {
				continue
			}
			zips++
			dir := filepath.Join(synthesized.outdir, f.Source.Path)
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) != 1 || entries[0].Name() != "bootstrap" {
				t.Errorf("%s: asset %s holds %v (%v), want only bootstrap", stack, f.Source.Path, entries, err)
			}
			if fp := *awscdk.FileSystem_Fingerprint(jsii.String(dir), nil); fp != hash {
				t.Errorf("%s: asset hash %s, but its content's fingerprint is %s", stack, hash, fp)
			}
		}
		if zips != 4 {
			t.Errorf("%s: %d zipped assets, want 4 (one per handler)", stack, zips)
		}
	}
}

func TestTimeoutValidation(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Validation"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	cases := []struct {
		name    string
		timeout awscdk.Duration
		ok      bool
	}{
		{"23h", awscdk.Duration_Hours(jsii.Number(23)), false},
		{"24h", awscdk.Duration_Hours(jsii.Number(24)), true},
		{"2d", awscdk.Duration_Days(jsii.Number(2)), true},
		{"168h", awscdk.Duration_Hours(jsii.Number(168)), true},
		{"169h", awscdk.Duration_Hours(jsii.Number(169)), false},
		{"24.5h", awscdk.Duration_Minutes(jsii.Number(24*60 + 30)), false},
		{"default", nil, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := recovered(func() {
				bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.Sprintf("F%d", i), &bedrockbatchstepfn.BedrockBatchSfnProps{
					BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket, Timeout: c.timeout,
				})
			})
			if c.ok && err != "" {
				t.Fatalf("rejected: %s", err)
			}
			if !c.ok {
				for _, want := range []string{"BedrockBatchSfnProps.Timeout", "24", "168"} {
					if !strings.Contains(err, want) {
						t.Fatalf("error %q does not mention %q", err, want)
					}
				}
			}
		})
	}
}

func TestRequiredProps(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Required"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	cases := map[string]*bedrockbatchstepfn.BedrockBatchSfnProps{
		"BedrockBatchSfnProps is required":     nil,
		"BedrockBatchInputBucket is required":  {BedrockBatchOutputBucket: bucket},
		"BedrockBatchOutputBucket is required": {BedrockBatchInputBucket: bucket},
	}
	for want, p := range cases {
		err := recovered(func() { bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("F"), p) })
		if !strings.Contains(err, want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
}

func TestIsConstruct(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("IsConstruct"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	f := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("F"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket,
	})
	if !*bedrockbatchstepfn.BedrockBatchSfn_IsConstruct(f) {
		t.Error("the fragment is not a construct")
	}
	if *bedrockbatchstepfn.BedrockBatchSfn_IsConstruct(jsii.String("F")) {
		t.Error("a string is a construct")
	}
	if got := *f.Node().Path(); got != "IsConstruct/F" {
		t.Errorf("path %q", got)
	}
	if _, ok := (*f.EndStates())[0].(awsstepfunctions.Map); !ok {
		t.Errorf("end state %T is not the Map", (*f.EndStates())[0])
	}
}

// recovered runs f and returns the message of its panic, or "".
func recovered(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestToSingleStatePrefixesTheIterationTask(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Single"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	f := bedrockbatchstepfn.NewBedrockBatchSfn(stack, jsii.String("Batch"), &bedrockbatchstepfn.BedrockBatchSfnProps{
		BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket,
	})
	if *f.Id() != "Batch" || !strings.Contains(*f.ToString(), "Batch") || f.StartState() == nil {
		t.Errorf("id %q, string %q, start %v", *f.Id(), *f.ToString(), f.StartState())
	}
	awsstepfunctions.NewStateMachine(stack, jsii.String("Machine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(f.ToSingleState(nil)),
	})
	tj, err := templatetest.JSON(assertions.Template_FromStack(stack, nil))
	if err != nil {
		t.Fatal(err)
	}
	asl := templatetest.Definition(t, tj, "Machine")
	branch := templatetest.Dig(asl, "States", "Batch", "Branches").([]any)[0]
	if got := templatetest.Dig(branch, "States", "Batch: BatchEvaluateMap", "ItemProcessor", "StartAt"); got != "Batch: CreateModelInvocationJobTask" {
		t.Errorf("iteration task inside the single state is %v, want the prefixed name", got)
	}
}
