package bedrockbatchstepfn

import (
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// BedrockBatchSfn is a Step Functions state machine fragment that runs one
// Bedrock batch inference job per input manifest and waits for each job's
// completion event.
//
// Its first states check the input's optional job options
// (model_invocation_type, job_tags) and fill in their defaults; then a
// Choice: with manifest_prefix in the input, a distributed Map over the
// objects under that prefix (then a state that counts how they ended);
// otherwise a check of the number of manifest_keys, then an inline Map
// over them. Each iteration invokes the
// create-job function with a task token and waits until the job-event
// function reports the job's end. EndStates holds the inline Map and the
// distributed path's last state. Input, output and error schema are in the
// package documentation. Each Map runs at most 20 jobs at a time
// (Extensions.MaxConcurrency), Bedrock's default per-model quota of
// concurrent batch jobs; when the service still answers ServiceQuotaExceededException or
// ThrottlingException (jobs started elsewhere share the quota), the task
// retries up to 100 times, waiting from 1 minute doubling to at most 30
// minutes (with jitter), before failing.
//
// Resources created per fragment: the Map and its task, the create-job
// function (id CreateModelInvocationJobFunction), the Bedrock service role
// (BedrockBatchRole) and, unless BedrockBatchPolicy is given, the managed
// policy BedrockBatchPolicy. Per stack, shared by all fragments in it: the
// EventBridge rule for Bedrock's "Batch Inference Job State Change" events
// and the job-event function it targets; the reconciler function and its
// schedule, which report jobs whose completion event was lost; the
// function that stops the jobs of an execution that ended without success,
// and its rule on Step Functions' execution status changes; and an
// encrypted SQS queue that keeps the events these functions failed to
// handle (their dead-letter queue).
//
// The functions run on provided.al2023 for arm64 and are compiled during
// synthesis from this module's lambda/ mains with the Go toolchain, once
// per process; the `go` command must be available.
//
// To use two fragments in one state machine, call PrefixStates on one of
// them before chaining it, so that their state names differ.
type BedrockBatchSfn interface {
	awsstepfunctions.StateMachineFragment
}

// bedrockBatchSfn subclasses StateMachineFragment: jsii calls StartState and
// EndStates on it when the fragment is chained.
type bedrockBatchSfn struct {
	awsstepfunctions.StateMachineFragment
	start     awsstepfunctions.Choice
	batchMap  awsstepfunctions.Map
	task      awsstepfunctions.IChainable
	prefix    prefixPath
	endStates []awsstepfunctions.INextable
	attach    sync.Once
}

// StartState is the fragment's first state, the check of the input's
// model_invocation_type (newJobOptions).
func (f *bedrockBatchSfn) StartState() awsstepfunctions.State {
	f.attachItemProcessor()
	return f.start
}

// EndStates holds the last state of each path: the inline Map, and the
// state that summarizes the distributed Map's run (the distributed Map
// itself when ResultPath discards the result).
func (f *bedrockBatchSfn) EndStates() *[]awsstepfunctions.INextable { return &f.endStates }

// attachItemProcessor gives the Maps their iteration states. It runs when
// the fragment is first chained rather than in the constructor because the
// CDK records the names of an item processor's states when the processor
// is attached: attaching it before PrefixStates would keep the unprefixed
// task names, and a second prefixed fragment in the same state machine
// would then collide with the first.
func (f *bedrockBatchSfn) attachItemProcessor() {
	f.attach.Do(func() {
		f.batchMap.ItemProcessor(f.task, nil)
		f.prefix.dmap.ItemProcessor(f.prefix.start, nil)
	})
}

// unchainedCheck implements constructs.IValidation: it attaches the item
// processor of a fragment that was never chained, so that it still
// synthesizes (the CDK rejects a Map without one). It is an object of its
// own because jsii calls a construct's methods on the value it was created
// from, which for a subclass (NewBedrockBatchSfn_Override) is the user's
// struct, which has no Validate method.
type unchainedCheck struct{ f *bedrockBatchSfn }

// Validate attaches the item processor if chaining has not; it reports no
// error.
func (c *unchainedCheck) Validate() *[]*string {
	c.f.attachItemProcessor()
	return &[]*string{}
}

// NewBedrockBatchSfn creates the fragment in parent. Like every CDK
// constructor it panics when the props are invalid (a missing bucket, a
// Timeout outside 24–168 hours) or when the Lambda functions cannot be
// compiled; the panic value is an error that says what to fix.
func NewBedrockBatchSfn(parent constructs.Construct, id *string, props *BedrockBatchSfnProps) BedrockBatchSfn {
	return NewBedrockBatchSfnWithExtensions(parent, id, props, nil)
}

// newFragmentOverride creates f's jsii object.
func newFragmentOverride(f *bedrockBatchSfn, parent constructs.Construct, id *string) {
	awsstepfunctions.NewStateMachineFragment_Override(f, parent, id)
}

// settings are the validated props and extensions, with the compiled
// functions.
type settings struct {
	hours, maxConcurrency, reconcileMinutes int
	dirs                                    map[string]string // function package → asset directory
}

// prepare validates props and ext and compiles the Lambda functions,
// panicking with an error that says what to fix. When the stack of parent
// needs no asset bundling (the CDK's aws:cdk:bundling-stacks context leaves
// it out, as `cdk synth --exclusively` of another stack, `cdk list` and the
// local cloud do), or the app says the functions run in-process
// (appcontract.ContextInProcessFunctions, as the local cloud says), the
// functions are not compiled and their assets hold a placeholder:
// deploying that assembly to AWS would deploy no code.
func prepare(parent constructs.Construct, props *BedrockBatchSfnProps, ext *Extensions) settings {
	if err := props.validate(); err != nil {
		panic(err)
	}
	if err := ext.validate(); err != nil {
		panic(err)
	}
	var s settings
	s.hours, _ = props.timeoutHours()
	var err error
	if s.maxConcurrency, err = ext.maxConcurrency(); err != nil {
		panic(err)
	}
	if s.reconcileMinutes, err = ext.reconcileMinutes(); err != nil {
		panic(err)
	}
	build := lambdaAssetDirs
	if !*awscdk.Stack_Of(parent).BundlingRequired() || inProcessFunctions(parent) {
		build = unbuiltAssetDirs
	}
	if s.dirs, err = build(functionPackages...); err != nil {
		panic(err)
	}
	return s
}

// build creates the fragment's resources and states in f, whose jsii object
// exists already.
func (f *bedrockBatchSfn) build(props *BedrockBatchSfnProps, ext *Extensions, s settings) {
	stack := awscdk.Stack_Of(f)
	hours, dirs := s.hours, s.dirs

	shared := stackFunctionsOf(stack, dirs, s.reconcileMinutes)
	grantListOutput(shared.jobEvent, props.BedrockBatchOutputBucket)
	grantListOutput(shared.reconcile, props.BedrockBatchOutputBucket)

	policy := props.BedrockBatchPolicy
	if policy == nil {
		policy = newDefaultPolicy(f)
	}
	role := newServiceRole(f, stack, policy, props, ext)
	createFunction := newCreateJobFunction(f, stack, dirs[createJobPackage], policy, props.BedrockBatchPolicy != nil, role, shared.ledger)

	task := newCreateJobTask(f, "CreateModelInvocationJobTask", createFunction, role, props, ext, hours)
	m := awsstepfunctions.NewMap(f, jsii.String("BatchEvaluateMap"), &awsstepfunctions.MapProps{
		InputPath: props.InputPath,
		ItemsPath: awsstepfunctions.JsonPath_StringAt(jsii.String("$." + batch.InputManifestKeys)),
		ItemSelector: &map[string]interface{}{
			"job_name":     awsstepfunctions.JsonPath_StringAt(jsii.String("$." + batch.InputJobName)),
			"model_id":     awsstepfunctions.JsonPath_StringAt(jsii.String("$." + batch.InputModelID)),
			"index":        awsstepfunctions.JsonPath_NumberAt(jsii.String("$$.Map.Item.Index")),
			"manifest_key": awsstepfunctions.JsonPath_StringAt(jsii.String("$$.Map.Item.Value")),
			// Both are present: the fragment's first states fill them in.
			batch.InputModelInvocationType: awsstepfunctions.JsonPath_StringAt(jsii.String("$." + batch.InputModelInvocationType)),
			batch.InputJobTags:             awsstepfunctions.JsonPath_ObjectAt(jsii.String("$." + batch.InputJobTags)),
			// The execution that starts the jobs, read here rather than in
			// the task so that it names the parent when iterations run as
			// child executions.
			batch.ItemExecutionArnKey: awsstepfunctions.JsonPath_StringAt(jsii.String("$$.Execution.Id")),
		},
		ResultPath:     props.ResultPath,
		MaxConcurrency: jsii.Number(s.maxConcurrency),
	})

	guard, _ := newInlineGuard(f, props, ext.maxInlineManifests())
	guard.Otherwise(m)
	f.prefix = newPrefixPath(f, createFunction, role, props, ext, hours, s.maxConcurrency)
	choose := awsstepfunctions.NewChoice(f, jsii.String("ChooseManifestSource"), &awsstepfunctions.ChoiceProps{
		Comment: jsii.String("manifest_prefix runs every .jsonl object under the prefix through a distributed Map; " +
			"manifest_keys runs the listed manifests through an inline Map"),
	})
	choose.When(awsstepfunctions.Condition_IsPresent(jsii.String(statePath(props.InputPath, batch.InputManifestPrefix))), f.prefix.dmap, nil)
	choose.Otherwise(guard)
	f.start = newJobOptions(f, props, choose)

	f.batchMap, f.task = m, task
	f.endStates = append(*m.EndStates(), f.prefix.end()...)
	f.Node().AddValidation(&unchainedCheck{f})
}

// BedrockBatchSfn_IsConstruct reports whether x is a construct.
func BedrockBatchSfn_IsConstruct(x interface{}) *bool {
	return constructs.Construct_IsConstruct(x)
}

// newDefaultPolicy is the policy used when BedrockBatchSfnProps has none,
// attached to the Bedrock service role only: running batch inference with
// any foundation model or inference profile, as AWS documents it for a
// batch service role (InvokeModel on the profile and on the foundation
// models in every region it routes to,
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html),
// and reading the profiles (bedrock:GetInferenceProfile, which AWS lists
// among the permissions for using inference profiles,
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
func newDefaultPolicy(scope constructs.Construct) awsiam.ManagedPolicy {
	stack := awscdk.Stack_Of(scope)
	policy := awsiam.NewManagedPolicy(scope, jsii.String("BedrockBatchPolicy"), &awsiam.ManagedPolicyProps{
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("Inference"),
				Actions:   jsii.Strings("bedrock:InvokeModel"),
				Resources: &[]*string{modelArns(stack)[0], modelArns(stack)[1], profileArns(stack)[0], profileArns(stack)[1]},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadInferenceProfiles"),
				Actions:   jsii.Strings("bedrock:GetInferenceProfile"),
				Resources: &[]*string{profileArns(stack)[0], profileArns(stack)[1]},
			}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(policy, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The model comes from the execution input (model_id), so the default policy allows " +
			"batch inference with any foundation model and inference profile; pass BedrockBatchPolicy to narrow it."),
		AppliesTo: &modelFindings,
	}}, jsii.Bool(false))
	return policy
}

// modelInvocationJobArns matches every batch inference job of the stack's
// account and region; job ids are assigned by Bedrock when a job is created,
// so no narrower resource can be named at deployment.
func modelInvocationJobArns(stack awscdk.Stack) *string {
	return stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("bedrock"),
		Resource:     jsii.String("model-invocation-job"),
		ResourceName: jsii.String("*"),
	})
}

// newServiceRole is the role Bedrock assumes to run the jobs. Its only trust
// statement is limited to this account's model invocation jobs, so another
// account cannot make Bedrock use it (confused deputy).
func newServiceRole(scope constructs.Construct, stack awscdk.Stack, policy awsiam.IManagedPolicy, props *BedrockBatchSfnProps, ext *Extensions) awsiam.Role {
	principal := awsiam.NewPrincipalWithConditions(
		awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), nil),
		&map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()},
			"ArnLike":      map[string]interface{}{"aws:SourceArn": modelInvocationJobArns(stack)},
		})
	role := awsiam.NewRole(scope, jsii.String("BedrockBatchRole"), &awsiam.RoleProps{
		AssumedBy:       principal,
		ManagedPolicies: &[]awsiam.IManagedPolicy{policy},
	})
	grantServiceRoleData(role, props, ext)
	suppressions := []*cdknag.NagPackSuppression{
		bucketGrantSuppression("Bedrock reads the manifests, whose keys come from the execution input, and writes " +
			"output objects whose names it chooses, so the role may read any object of the input bucket and read " +
			"and write any object of the output bucket."),
	}
	if ext != nil && ext.Vpc != nil {
		grantVpc(role, stack, ext.Vpc)
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("The network-interface permissions AWS documents for batch inference in a VPC: the " +
				"ec2:Describe* actions and the network-interface permission actions support no resource but *, and " +
				"Bedrock creates the interfaces, whose ids are not known before; the conditions limit them to " +
				"interfaces tagged for this account's model invocation jobs in the given subnets."),
			AppliesTo: &[]interface{}{"Resource::*",
				"Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*"},
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &suppressions, jsii.Bool(true))
	return role
}

// taskHeartbeat is how long the task waits for its job's end: beyond the
// job's timeout, so that Bedrock's Expired or PartiallyCompleted reaches
// it first (batch.TaskHeartbeat).
func taskHeartbeat(ext *Extensions, hours int) time.Duration {
	minutes, _ := ext.reconcileMinutes() // checked when the settings were read
	return batch.TaskHeartbeat(hours, time.Duration(minutes)*time.Minute)
}

// newCreateJobTask invokes the create-job function with the task token and
// waits for the job-event function to report the job's end.
func newCreateJobTask(scope constructs.Construct, id string, fn awslambda.IFunction, role awsiam.IRole, props *BedrockBatchSfnProps, ext *Extensions, hours int) awsstepfunctionstasks.LambdaInvoke {
	str := func(path string) *string { return awsstepfunctions.JsonPath_StringAt(jsii.String(path)) }
	format := awsstepfunctions.JsonPath_Format
	input := map[string]interface{}{
		batch.KeyS3URI: format(jsii.String(batch.S3URI{Bucket: *props.BedrockBatchInputBucket.BucketName(), Key: "{}"}.String()), str("$.manifest_key")),
	}
	output := map[string]interface{}{
		batch.KeyS3URI: format(jsii.String(batch.S3URI{Bucket: *props.BedrockBatchOutputBucket.BucketName(), Key: "output/{}/"}.String()), str("$.job_name")),
	}
	payload := map[string]interface{}{
		batch.KeyJobName:             format(jsii.String("{}{}"), str("$.job_name"), str("$.index")),
		batch.KeyRoleArn:             role.RoleArn(),
		batch.KeyModelID:             str("$.model_id"),
		batch.KeyInputDataConfig:     map[string]interface{}{batch.KeyS3InputDataConfig: input},
		batch.KeyOutputDataConfig:    map[string]interface{}{batch.KeyS3OutputDataConfig: output},
		batch.KeyTimeoutHours:        hours,
		batch.KeyTaskToken:           awsstepfunctions.JsonPath_TaskToken(),
		batch.PayloadExecutionArnKey: str("$." + batch.ItemExecutionArnKey),
		batch.KeyModelInvocationType: str("$." + batch.InputModelInvocationType),
		batch.KeyJobTags:             awsstepfunctions.JsonPath_ObjectAt(jsii.String("$." + batch.InputJobTags)),
	}
	addJobSettings(payload, input, output, ext)
	task := awsstepfunctionstasks.NewLambdaInvoke(scope, jsii.String(id), &awsstepfunctionstasks.LambdaInvokeProps{
		LambdaFunction:     fn,
		IntegrationPattern: awsstepfunctions.IntegrationPattern_WAIT_FOR_TASK_TOKEN,
		HeartbeatTimeout:   awsstepfunctions.Timeout_Duration(awscdk.Duration_Seconds(jsii.Number(taskHeartbeat(ext, hours).Seconds()))),
		Payload:            awsstepfunctions.TaskInput_FromObject(&payload),
	})
	task.AddRetry(&awsstepfunctions.RetryProps{
		Errors:         jsii.Strings(quotaErrors...),
		Interval:       awscdk.Duration_Minutes(jsii.Number(1)),
		BackoffRate:    jsii.Number(2),
		MaxDelay:       awscdk.Duration_Minutes(jsii.Number(30)),
		MaxAttempts:    jsii.Number(quotaRetryAttempts),
		JitterStrategy: awsstepfunctions.JitterType_FULL,
	})
	return task
}

// quotaRetryAttempts bounds the retries of a job that finds the quota full.
// With waits capped at 30 minutes (15 on average with full jitter), a task
// keeps asking for about a day before it fails, so executions that together
// ask for more than the quota slow down instead of failing: measured with
// `go run ./bench/quota`, two executions of 100 manifests at MaxConcurrency
// 20 against a quota of 20 both succeed (makespan 1.12 of the optimum)
// where 10 attempts failed one of them. Each attempt adds a few events to
// the execution's history, so keep MaxConcurrency near your share of the
// quota when executions share it.
const quotaRetryAttempts = 100

// quotaErrors are the create-job function's error types for "the service is
// busy, try later": Bedrock's concurrent-job quota and request throttling.
var quotaErrors = []string{"ServiceQuotaExceededException", "ThrottlingException"}

// bucketGrantSuppression covers the object and action wildcards that S3
// bucket grants produce, whatever the bucket's logical id.
func bucketGrantSuppression(reason string) *cdknag.NagPackSuppression {
	return &cdknag.NagPackSuppression{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String(reason),
		AppliesTo: &[]interface{}{
			"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
			"Action::s3:DeleteObject*", "Action::s3:Abort*",
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<.+\.Arn>\/\*$/`)},
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:s3:::.+\/\*$/`)},
		},
	}
}
