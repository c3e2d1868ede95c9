package bedrockbatchstepfn

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/bedrockbatch/bedrockbatch/batch"
)

// DefaultMaxInlineManifests is how many manifest_keys the inline Map takes
// when Extensions.MaxInlineManifests is not set.
//
// The inline Map returns one {"status","bucket","keys"} object per
// manifest in one state output, which Step Functions limits to 256 KiB
// (262,144 bytes); with ResultPath the output also holds the input's
// manifest_keys. A result is about 180–200 bytes with the key lengths
// Bedrock produces (a 63-character bucket name, output/<job_name>/<job
// id>/<file>.jsonl.out), and a key in manifest_keys about 30–60: 1,000
// manifests take at most about 250 KB. The Map's history, about 8 events
// per manifest plus 3 per quota retry, stays far below the 25,000 events
// of an execution. Above this many keys the run could not report its
// results and would fail after every job had run and been billed, so the
// fragment fails before creating any job.
const DefaultMaxInlineManifests = 1000

// maxInlineManifestsLimit bounds MaxInlineManifests: at about 8 history
// events per manifest, 3,000 manifests use 24,000 of an execution's 25,000
// events even when every result fits the output limit.
const maxInlineManifestsLimit = 3000

// TooManyManifestsError is the error the fragment fails with, before any
// job is created, when manifest_keys lists more manifests than the inline
// Map can report (BedrockBatchSfnProps.MaxInlineManifests).
const TooManyManifestsError = "BedrockBatch.TooManyManifests"

// resultsPrefix is where, in the output bucket, the distributed Map writes
// the per-manifest results: <resultsPrefix>/<map run id>/manifest.json,
// SUCCEEDED_0.json and FAILED_0.json.
const resultsPrefix = "results"

// resultWriterV2Flag is the CDK feature flag that makes a DistributedMap
// render its ResultWriterV2.
const resultWriterV2Flag = "@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2"

// statePath joins a JSONPath and a field: ("$", "a") is "$.a" and
// ("$.batch", "a") is "$.batch.a".
func statePath(base *string, field string) string {
	b := "$"
	if base != nil && *base != "" {
		b = *base
	}
	return strings.TrimSuffix(b, ".") + "." + field
}

// newInlineGuard is the check before the inline Map: a Choice that sends
// an input whose manifest_keys has more than limit entries to a Fail
// state. It tests whether the key at index limit exists rather than
// counting with States.ArrayLength in a Pass, so the state input reaches
// the Map unchanged and a ResultPath result is written into exactly the
// input it is today.
func newInlineGuard(f *bedrockBatchSfn, props *BedrockBatchSfnProps, limit int) (awsstepfunctions.Choice, awsstepfunctions.Fail) {
	keys := statePath(props.InputPath, batch.InputManifestKeys)
	fail := awsstepfunctions.NewFail(f, jsii.String("TooManyManifests"), &awsstepfunctions.FailProps{
		Error: jsii.String(TooManyManifestsError),
		CausePath: awsstepfunctions.JsonPath_Format(jsii.String(
			"manifest_keys lists {} manifests; the inline Map reports at most "+strconv.Itoa(limit)+
				" (its result must fit the 256 KiB state output limit). Put the manifests under one prefix "+
				"of the input bucket and pass manifest_prefix instead of manifest_keys: every .jsonl object "+
				"under it becomes a job, with no limit on their number."),
			awsstepfunctions.JsonPath_ArrayLength(awsstepfunctions.JsonPath_ListAt(jsii.String(keys)))),
	})
	guard := awsstepfunctions.NewChoice(f, jsii.String("CheckManifestCount"), &awsstepfunctions.ChoiceProps{
		Comment: jsii.String("Fails before any job when manifest_keys has more entries than the inline Map can report"),
	})
	guard.When(awsstepfunctions.Condition_IsPresent(jsii.String(keys+"["+strconv.Itoa(limit)+"]")), fail, nil)
	return guard, fail
}

// prefixPath holds the states of the manifest_prefix path.
type prefixPath struct {
	dmap awsstepfunctions.DistributedMap
	// start is the first state of each child execution.
	start awsstepfunctions.IChainable
	// summary is nil when ResultPath discards the result.
	summary awsstepfunctionstasks.CallAwsService
}

// end is the path's last state.
func (p prefixPath) end() []awsstepfunctions.INextable {
	if p.summary == nil {
		return *p.dmap.EndStates()
	}
	return *p.summary.EndStates()
}

// newPrefixPath builds the path for an input with manifest_prefix: a distributed Map
// whose items are the objects listed under the prefix of the input bucket,
// each run by a STANDARD child workflow (task tokens need one) that skips
// an object whose key does not end in .jsonl and otherwise runs the same
// create-job task as the inline Map. The children's results go to the
// output bucket (ResultWriter); the Map's result says where, and a last
// state adds how many children ended in each status (DescribeMapRun).
func newPrefixPath(f *bedrockBatchSfn, fn awslambda.IFunction, role awsiam.IRole, props *BedrockBatchSfnProps, ext *Extensions, hours, maxConcurrency int) prefixPath {
	str := func(path string) *string { return awsstepfunctions.JsonPath_StringAt(jsii.String(path)) }
	task := newCreateJobTask(f, "CreatePrefixModelInvocationJobTask", fn, role, props, ext, hours)
	skip := awsstepfunctions.NewPass(f, jsii.String("SkipObject"), &awsstepfunctions.PassProps{
		Comment:    jsii.String("An object under the prefix that is not a .jsonl manifest: no job"),
		Parameters: &map[string]interface{}{"skipped": str("$.manifest_key")},
	})
	isManifest := awsstepfunctions.NewChoice(f, jsii.String("IsManifest"), nil)
	isManifest.When(awsstepfunctions.Condition_StringMatches(jsii.String("$.manifest_key"), jsii.String("*.jsonl")), task, nil)
	isManifest.Otherwise(skip)

	// The CDK renders ResultWriterV2 only under this feature flag (the
	// older ResultWriter is deprecated); the scope sets it for this Map
	// alone, whatever the app's cdk.json says.
	scope := constructs.NewConstruct(f, jsii.String("PrefixPath"))
	scope.Node().SetContext(jsii.String(resultWriterV2Flag), true)
	dmap := awsstepfunctions.NewDistributedMap(scope, jsii.String("BatchEvaluatePrefixMap"), &awsstepfunctions.DistributedMapProps{
		InputPath: props.InputPath,
		ItemReader: awsstepfunctions.NewS3ObjectsItemReader(&awsstepfunctions.S3ObjectsItemReaderProps{
			Bucket: props.BedrockBatchInputBucket,
			Prefix: str("$." + batch.InputManifestPrefix),
		}),
		ItemSelector: &map[string]interface{}{
			"job_name":                     str("$." + batch.InputJobName),
			"model_id":                     str("$." + batch.InputModelID),
			"index":                        awsstepfunctions.JsonPath_NumberAt(jsii.String("$$.Map.Item.Index")),
			"manifest_key":                 str("$$.Map.Item.Value.Key"),
			batch.InputModelInvocationType: str("$." + batch.InputModelInvocationType),
			batch.InputJobTags:             awsstepfunctions.JsonPath_ObjectAt(jsii.String("$." + batch.InputJobTags)),
			// The parent execution: child executions have ids of their
			// own, and jobs are attributed to the execution that asked
			// for them.
			batch.ItemExecutionArnKey: str("$$.Execution.Id"),
		},
		MaxConcurrency:             jsii.Number(maxConcurrency),
		MapExecutionType:           awsstepfunctions.StateMachineType_STANDARD,
		Label:                      jsii.String("BedrockBatchJobs"),
		ToleratedFailureCount:      ext.toleratedCount(),
		ToleratedFailurePercentage: ext.toleratedPercentage(),
		ResultWriterV2:             newResultWriter(props.BedrockBatchOutputBucket, ext.outputKeys(props)),
		ResultSelector: &map[string]interface{}{
			"map_run_arn": str("$.MapRunArn"),
			"results": map[string]interface{}{
				"bucket":       str("$.ResultWriterDetails.Bucket"),
				"manifest_key": str("$.ResultWriterDetails.Key"),
			},
		},
		ResultPath: props.ResultPath,
	})
	p := prefixPath{dmap: dmap, start: isManifest}
	if props.ResultPath != nil && *props.ResultPath == *awsstepfunctions.JsonPath_DISCARD() {
		return p
	}
	stack := awscdk.Stack_Of(f)
	p.summary = awsstepfunctionstasks.NewCallAwsService(f, jsii.String("SummarizeMapRun"), &awsstepfunctionstasks.CallAwsServiceProps{
		Comment:   jsii.String("Counts the manifests by how their child execution ended"),
		Service:   jsii.String("sfn"),
		Action:    jsii.String("describeMapRun"),
		IamAction: jsii.String("states:DescribeMapRun"),
		IamResources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("states"), Resource: jsii.String("mapRun"), ResourceName: jsii.String("*"),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
		Parameters: &map[string]interface{}{"MapRunArn": str(statePath(props.ResultPath, "map_run_arn"))},
		ResultSelector: &map[string]interface{}{
			"total":     awsstepfunctions.JsonPath_NumberAt(jsii.String("$.ItemCounts.Total")),
			"succeeded": awsstepfunctions.JsonPath_NumberAt(jsii.String("$.ItemCounts.Succeeded")),
			"failed":    awsstepfunctions.JsonPath_NumberAt(jsii.String("$.ItemCounts.Failed")),
			"timed_out": awsstepfunctions.JsonPath_NumberAt(jsii.String("$.ItemCounts.TimedOut")),
			"aborted":   awsstepfunctions.JsonPath_NumberAt(jsii.String("$.ItemCounts.Aborted")),
		},
		ResultPath: jsii.String(statePath(props.ResultPath, "item_counts")),
	})
	dmap.Next(p.summary)
	return p
}
