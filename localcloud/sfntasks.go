package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// serviceTasks runs the service integrations of Task states that are not
// Lambda invocations: the Amazon S3 calls of a distributed Map, the
// Step Functions SDK integration (aws-sdk:sfn:…) that reads a Map Run,
// states:startExecution, DynamoDB's item calls, the messaging services'
// integrations and Bedrock's invokeModel.
type serviceTasks struct {
	s3        s3Tasks
	sfn       sfnTasks
	messaging messagingTasks
	bedrock   bedrockTasks
	execution executionTasks
	dynamodb  dynamodbTasks
}

func (t serviceTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	if strings.HasPrefix(call.Resource, sfnTaskPrefix) {
		return t.sfn.Invoke(ctx, call)
	}
	if t.bedrock.serves(call.Resource) {
		return t.bedrock.Invoke(ctx, call)
	}
	if t.execution.serves(call.Resource) {
		return t.execution.Invoke(ctx, call)
	}
	if t.dynamodb.serves(call.Resource) {
		return t.dynamodb.Invoke(ctx, call)
	}
	if t.messaging.serves(call.Resource) {
		return t.messaging.Invoke(ctx, call)
	}
	return t.s3.Invoke(ctx, call)
}

// sfnTasks runs arn:aws:states:::aws-sdk:sfn:describeMapRun through the
// Step Functions API, answering as the SDK integration does: the API's
// response with its members' names capitalized.
type sfnTasks struct{ client *awssfn.Client }

const sfnTaskPrefix = "arn:aws:states:::aws-sdk:sfn:"

func (t sfnTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	op := strings.TrimPrefix(call.Resource, sfnTaskPrefix)
	if op != "describeMapRun" {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
			"state %s: resource %s is not served by the local cloud (of the Step Functions SDK integration it serves describeMapRun)",
			call.StateName, call.Resource)}
	}
	var in struct{ MapRunArn string }
	if err := json.Unmarshal(call.Input, &in); err != nil || in.MapRunArn == "" {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf("state %s: sfn:describeMapRun needs Parameters with a MapRunArn", call.StateName)}
	}
	out, err := t.client.DescribeMapRun(ctx, &awssfn.DescribeMapRunInput{MapRunArn: aws.String(in.MapRunArn)})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			return nil, &asl.Error{Name: "Sfn." + api.ErrorCode(), Cause: api.ErrorMessage()}
		}
		return nil, err
	}
	counts := func(c any) map[string]any {
		switch v := c.(type) {
		case *sfntypes.MapRunItemCounts:
			return map[string]any{"Pending": v.Pending, "Running": v.Running, "Succeeded": v.Succeeded, "Failed": v.Failed,
				"TimedOut": v.TimedOut, "Aborted": v.Aborted, "Total": v.Total, "ResultsWritten": v.ResultsWritten,
				"FailuresNotRedrivable": aws.ToInt64(v.FailuresNotRedrivable), "PendingRedrive": aws.ToInt64(v.PendingRedrive)}
		case *sfntypes.MapRunExecutionCounts:
			return map[string]any{"Pending": v.Pending, "Running": v.Running, "Succeeded": v.Succeeded, "Failed": v.Failed,
				"TimedOut": v.TimedOut, "Aborted": v.Aborted, "Total": v.Total, "ResultsWritten": v.ResultsWritten,
				"FailuresNotRedrivable": aws.ToInt64(v.FailuresNotRedrivable), "PendingRedrive": aws.ToInt64(v.PendingRedrive)}
		}
		return nil
	}
	res := map[string]any{
		"MapRunArn": aws.ToString(out.MapRunArn), "ExecutionArn": aws.ToString(out.ExecutionArn), "Status": string(out.Status),
		"StartDate": aws.ToTime(out.StartDate), "MaxConcurrency": out.MaxConcurrency,
		"ToleratedFailurePercentage": out.ToleratedFailurePercentage, "ToleratedFailureCount": out.ToleratedFailureCount,
		"ItemCounts": counts(out.ItemCounts), "ExecutionCounts": counts(out.ExecutionCounts), "RedriveCount": aws.ToInt32(out.RedriveCount),
	}
	if out.StopDate != nil {
		res["StopDate"] = *out.StopDate
	}
	return json.Marshal(res)
}
