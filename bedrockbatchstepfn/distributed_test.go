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

func TestManifestSourceChoice(t *testing.T) {
	states := templatetest.Definition(t, mainTemplate(), "Machine")["States"].(map[string]any)
	for _, c := range []struct{ prefix, inputPath, limit, next string }{
		{"", "$", "1000", "B-CheckModelInvocationType"},
		{"B-", "$.batch", "250", ""},
	} {
		choose := states[c.prefix+"ChooseManifestSource"].(map[string]any)
		wantRule := []any{map[string]any{"IsPresent": true, "Next": c.prefix + "BatchEvaluatePrefixMap", "Variable": c.inputPath + ".manifest_prefix"}}
		if !reflect.DeepEqual(choose["Choices"], wantRule) || choose["Default"] != c.prefix+"CheckManifestCount" || choose["InputPath"] != nil {
			t.Errorf("%sChooseManifestSource %v", c.prefix, choose)
		}
		// The count check fails before the Map when manifest_keys has an
		// entry at index limit, leaving the input as it is.
		check := states[c.prefix+"CheckManifestCount"].(map[string]any)
		wantCheck := []any{map[string]any{"IsPresent": true, "Next": c.prefix + "TooManyManifests", "Variable": c.inputPath + ".manifest_keys[" + c.limit + "]"}}
		if !reflect.DeepEqual(check["Choices"], wantCheck) || check["Default"] != c.prefix+"BatchEvaluateMap" {
			t.Errorf("%sCheckManifestCount %v", c.prefix, check)
		}
		fail := states[c.prefix+"TooManyManifests"].(map[string]any)
		cause, _ := fail["CausePath"].(string)
		if fail["Type"] != "Fail" || fail["Error"] != bedrockbatchstepfn.TooManyManifestsError ||
			!strings.Contains(cause, "at most "+c.limit) || !strings.Contains(cause, "manifest_prefix") ||
			!strings.Contains(cause, "States.ArrayLength("+c.inputPath+".manifest_keys)") {
			t.Errorf("%sTooManyManifests %v", c.prefix, fail)
		}
	}
}

func TestPrefixMap(t *testing.T) {
	tj := mainTemplate()
	states := templatetest.Definition(t, tj, "Machine")["States"].(map[string]any)
	inID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "InBucket")
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")
	for _, c := range []struct {
		prefix                   string
		inputPath, resultPath    any
		summaryArn, countsPath   string
		toleratedN, toleratedPct any
		next                     any
	}{
		{"", nil, nil, "$.map_run_arn", "$.item_counts", nil, nil, "B-CheckModelInvocationType"},
		{"B-", "$.batch", "$.results", "$.results.map_run_arn", "$.results.item_counts", 3.0, 1.5, nil},
	} {
		m := states[c.prefix+"BatchEvaluatePrefixMap"].(map[string]any)
		if m["InputPath"] != c.inputPath || m["ResultPath"] != c.resultPath || m["Next"] != c.prefix+"SummarizeMapRun" ||
			m["MaxConcurrency"] != float64(bedrockbatchstepfn.DefaultMaxConcurrency) || m["ToleratedFailureCount"] != c.toleratedN || m["ToleratedFailurePercentage"] != c.toleratedPct {
			t.Errorf("%s map: %v", c.prefix, m)
		}
		wantReader := map[string]any{
			"Resource":   "arn:${AWS::Partition}:states:::s3:listObjectsV2",
			"Parameters": map[string]any{"Bucket": "${" + inID + "}", "Prefix.$": "$.manifest_prefix"},
		}
		if !reflect.DeepEqual(m["ItemReader"], wantReader) {
			t.Errorf("%s reader %v", c.prefix, m["ItemReader"])
		}
		wantWriter := map[string]any{
			"Resource":   "arn:${AWS::Partition}:states:::s3:putObject",
			"Parameters": map[string]any{"Bucket": "${" + outID + "}", "Prefix": "results"},
		}
		if !reflect.DeepEqual(m["ResultWriter"], wantWriter) {
			t.Errorf("%s writer %v", c.prefix, m["ResultWriter"])
		}
		wantSel := map[string]any{
			"job_name.$": "$.job_name", "model_id.$": "$.model_id", "index.$": "$$.Map.Item.Index",
			"manifest_key.$": "$$.Map.Item.Value.Key", "execution_arn.$": "$$.Execution.Id",
			"model_invocation_type.$": "$.model_invocation_type", "job_tags.$": "$.job_tags",
		}
		if !reflect.DeepEqual(m["ItemSelector"], wantSel) {
			t.Errorf("%s selector %v", c.prefix, m["ItemSelector"])
		}
		proc := m["ItemProcessor"].(map[string]any)
		if !reflect.DeepEqual(proc["ProcessorConfig"], map[string]any{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}) ||
			proc["StartAt"] != c.prefix+"IsManifest" {
			t.Errorf("%s processor %v", c.prefix, proc)
		}
		isManifest := templatetest.Dig(proc, "States", c.prefix+"IsManifest").(map[string]any)
		wantRule := []any{map[string]any{"StringMatches": "*.jsonl", "Variable": "$.manifest_key", "Next": c.prefix + "CreatePrefixModelInvocationJobTask"}}
		if !reflect.DeepEqual(isManifest["Choices"], wantRule) || isManifest["Default"] != c.prefix+"SkipObject" {
			t.Errorf("%s IsManifest %v", c.prefix, isManifest)
		}
		// The child runs the same task as the inline Map's iteration.
		inline := templatetest.Dig(states, c.prefix+"BatchEvaluateMap", "ItemProcessor", "States", c.prefix+"CreateModelInvocationJobTask")
		child := templatetest.Dig(proc, "States", c.prefix+"CreatePrefixModelInvocationJobTask")
		if !reflect.DeepEqual(inline, child) {
			t.Errorf("%s: the child's task\n%v\ndiffers from the inline one\n%v", c.prefix, child, inline)
		}
		sum := states[c.prefix+"SummarizeMapRun"].(map[string]any)
		if sum["Resource"] != "arn:${AWS::Partition}:states:::aws-sdk:sfn:describeMapRun" || sum["ResultPath"] != c.countsPath ||
			!reflect.DeepEqual(sum["Parameters"], map[string]any{"MapRunArn.$": c.summaryArn}) || sum["Next"] != c.next {
			t.Errorf("%s summary %v", c.prefix, sum)
		}
	}
}

func TestPrefixMapPermissions(t *testing.T) {
	tj := mainTemplate()
	inID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "InBucket")
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")
	machineID, machine := templatetest.ResourceByPrefix(t, tj, "AWS::StepFunctions::StateMachine", "Machine")
	roleID := templatetest.Props(machine)["RoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	stmts := roleStatements(tj, roleID)

	start := findStatement(t, stmts, "states:StartExecution")
	if got := templatetest.Strings(start["Resource"]); !reflect.DeepEqual(got, []string{"${" + machineID + "}"}) {
		t.Errorf("StartExecution on %v, want the state machine itself", got)
	}
	findStatement(t, stmts, "states:DescribeExecution", "states:StopExecution")
	list := findStatement(t, stmts, "s3:ListBucket")
	if got := templatetest.Strings(list["Resource"]); !reflect.DeepEqual(got, []string{"${" + inID + ".Arn}"}) {
		t.Errorf("ListBucket on %v, want the input bucket", got)
	}
	put := findStatement(t, stmts, "s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload")
	// Only under the results prefix: the CDK's own writer allows every
	// object of the bucket.
	if got := templatetest.Strings(put["Resource"]); !reflect.DeepEqual(got, []string{"${" + outID + ".Arn}/results/*"}) {
		t.Errorf("result writing on %v, want the output bucket's objects under results/", got)
	}
	for _, s := range stmts {
		for _, r := range templatetest.Strings(s["Resource"]) {
			if strings.HasSuffix(r, outID+"}/*") || strings.HasSuffix(r, outID+".Arn}/*") {
				t.Errorf("the state machine may use every object of the output bucket: %v", s)
			}
		}
	}
	describe := findStatement(t, stmts, "states:DescribeMapRun")
	if got := templatetest.Strings(describe["Resource"]); !reflect.DeepEqual(got, []string{"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:mapRun:*"}) {
		t.Errorf("DescribeMapRun on %v", got)
	}
}

func TestPrefixExtensionsValidation(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Extensions"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	p := &bedrockbatchstepfn.BedrockBatchSfnProps{BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket}
	for i, c := range []struct {
		ext  bedrockbatchstepfn.Extensions
		want string
	}{
		{bedrockbatchstepfn.Extensions{MaxInlineManifests: jsii.Number(0)}, "MaxInlineManifests must be a whole number from 1 to 3000"},
		{bedrockbatchstepfn.Extensions{MaxInlineManifests: jsii.Number(3001)}, "use manifest_prefix"},
		{bedrockbatchstepfn.Extensions{ToleratedFailureCount: jsii.Number(-1)}, "ToleratedFailureCount must be a whole number"},
		{bedrockbatchstepfn.Extensions{ToleratedFailurePercentage: jsii.Number(101)}, "ToleratedFailurePercentage must be from 0 to 100"},
	} {
		err := recovered(func() {
			bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.Sprintf("F%d", i), p, &c.ext)
		})
		if !strings.Contains(err, c.want) {
			t.Errorf("error %q, want it to say %q", err, c.want)
		}
	}
}
