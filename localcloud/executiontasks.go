package localcloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// executionTasks runs Step Functions' optimized integration with itself,
// arn:aws:states:::states:startExecution, through the Step Functions API,
// in its three patterns as the developer guide documents them
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html):
// request/response answers with the new execution's ARN and start date;
// .waitForTaskToken starts the child, which answers the token; .sync and
// .sync:2 wait for the child to finish and answer with its description,
// the child's Input and Output as strings (.sync) or as JSON (.sync:2). A
// child that does not succeed fails the task with States.TaskFailed and
// the child's description (with its Error and Cause) as the cause. A
// .waitForTaskToken call without a Name names the child after its task
// token, so the call made again after a restart does not start a second.
type executionTasks struct {
	client *awssfn.Client
	// poll is how often a .sync task asks whether the child finished.
	poll time.Duration
}

const startExecutionResource = "arn:aws:states:::states:startExecution"

func (t executionTasks) serves(resource string) bool {
	for _, suffix := range []string{"", ".sync", ".sync:2", ".waitForTaskToken"} {
		if resource == startExecutionResource+suffix {
			return true
		}
	}
	return false
}

func (t executionTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	var in struct {
		StateMachineArn, Name, TraceHeader string
		Input                              json.RawMessage
	}
	if err := json.Unmarshal(call.Input, &in); err != nil || in.StateMachineArn == "" {
		return nil, badParameters(call, "Parameters need a StateMachineArn (and may have Input, Name and TraceHeader)")
	}
	req := &awssfn.StartExecutionInput{StateMachineArn: aws.String(in.StateMachineArn)}
	// Input given as a string is the child's input as is; any other JSON
	// value is serialized, as the integration does.
	if len(in.Input) > 0 && string(in.Input) != "null" {
		var s string
		if json.Unmarshal(in.Input, &s) == nil {
			req.Input = aws.String(s)
		} else {
			req.Input = aws.String(string(in.Input))
		}
	}
	if in.Name != "" {
		req.Name = aws.String(in.Name)
	} else if call.TaskToken != "" {
		// The call is made again with the same token after a restart: a
		// name of the token's own starts the child once.
		sum := sha256.Sum256([]byte(call.TaskToken))
		req.Name = aws.String("task-" + hex.EncodeToString(sum[:16]))
	}
	if in.TraceHeader != "" {
		req.TraceHeader = aws.String(in.TraceHeader)
	}
	started, err := t.client.StartExecution(ctx, req)
	var exists *sfntypes.ExecutionAlreadyExists
	if errors.As(err, &exists) && call.Repeated {
		// Started before the restart, and finished since.
		arn := strings.Replace(in.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + aws.ToString(req.Name)
		desc, derr := t.client.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if derr == nil {
			started, err = &awssfn.StartExecutionOutput{ExecutionArn: desc.ExecutionArn, StartDate: desc.StartDate, ResultMetadata: desc.ResultMetadata}, nil
		}
	}
	if err != nil {
		return nil, taskError("StepFunctions", err)
	}
	if call.Pattern != asl.PatternSync {
		return json.Marshal(sdkMetadata(started.ResultMetadata, map[string]any{
			"ExecutionArn": aws.ToString(started.ExecutionArn), "StartDate": aws.ToTime(started.StartDate).UnixMilli()}))
	}
	desc, err := t.wait(ctx, started.ExecutionArn)
	if err != nil {
		return nil, err
	}
	asJSON := strings.HasSuffix(call.Resource, ".sync:2")
	out, err := json.Marshal(describedExecution(desc, asJSON))
	if err != nil {
		return nil, err
	}
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		return nil, &asl.Error{Name: asl.ErrTaskFailed, Cause: string(out)}
	}
	return out, nil
}

// wait polls the child execution until it ends. When the task ends first
// (the parent stopped or the task timed out) the child is stopped, as Step
// Functions stops the executions a .sync task started.
func (t executionTasks) wait(ctx context.Context, arn *string) (*awssfn.DescribeExecutionOutput, error) {
	every := t.poll
	if every <= 0 {
		every = 20 * time.Millisecond
	}
	for {
		desc, err := t.client.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: arn})
		if err != nil {
			if ctx.Err() != nil {
				return nil, t.stop(arn, ctx.Err())
			}
			return nil, taskError("StepFunctions", err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning && desc.Status != sfntypes.ExecutionStatusPendingRedrive {
			return desc, nil
		}
		select {
		case <-ctx.Done():
			return nil, t.stop(arn, ctx.Err())
		case <-time.After(every):
		}
	}
}

func (t executionTasks) stop(arn *string, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t.client.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: arn, Error: aws.String("States.Aborted"),
		Cause: aws.String("the task that started this execution ended")})
	return cause
}

// describedExecution is the .sync answer: DescribeExecution's members,
// capitalized, with dates in epoch milliseconds; with asJSON (.sync:2)
// the Input and Output are JSON values rather than strings.
func describedExecution(d *awssfn.DescribeExecutionOutput, asJSON bool) map[string]any {
	data := func(s *string) any {
		if !asJSON || s == nil {
			return aws.ToString(s)
		}
		return json.RawMessage(*s)
	}
	out := map[string]any{
		"ExecutionArn": aws.ToString(d.ExecutionArn), "StateMachineArn": aws.ToString(d.StateMachineArn),
		"Name": aws.ToString(d.Name), "Status": string(d.Status), "StartDate": aws.ToTime(d.StartDate).UnixMilli(),
		"Input": data(d.Input), "InputDetails": map[string]bool{"Included": true},
	}
	if d.StopDate != nil {
		out["StopDate"] = d.StopDate.UnixMilli()
	}
	if d.Output != nil {
		out["Output"] = data(d.Output)
		out["OutputDetails"] = map[string]bool{"Included": true}
	}
	if d.Error != nil {
		out["Error"] = *d.Error
	}
	if d.Cause != nil {
		out["Cause"] = *d.Cause
	}
	if d.TraceHeader != nil {
		out["TraceHeader"] = *d.TraceHeader
	}
	return out
}
