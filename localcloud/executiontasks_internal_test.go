package localcloud

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// A .waitForTaskToken startExecution made again with the same token after
// a restart (Repeated) starts no second child, whether the first still
// runs or has ended: the engine's contract for token resources.
func TestStartExecutionWithTokenStartsOneChild(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	c, err := New(Options{DataDir: t.TempDir(), Logger: quiet, RequestLogger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); c.Wait(); c.Close() })
	if err := c.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	client := awssfn.NewFromConfig(c.AWSConfig())
	sm, err := client.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("waiting"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		Definition: aws.String(`{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":3600,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	tasks := executionTasks{client: client}
	call := asl.TaskCall{Resource: startExecutionResource + ".waitForTaskToken", Pattern: asl.PatternWaitForToken, StateName: "Child",
		TaskToken: "token-1", Input: json.RawMessage(`{"StateMachineArn":"` + aws.ToString(sm.StateMachineArn) + `","Input":{"token":"token-1"}}`)}
	arnOf := func() string {
		out, err := tasks.Invoke(ctx, call)
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ ExecutionArn string }
		json.Unmarshal(out, &res)
		return res.ExecutionArn
	}
	first := arnOf()
	call.Repeated = true
	if again := arnOf(); again != first {
		t.Errorf("the repeated call started %s besides %s", again, first)
	}
	if _, err := client.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	if again := arnOf(); again != first {
		t.Errorf("after the child ended, the repeated call started %s", again)
	}
	list, err := client.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || len(list.Executions) != 1 {
		t.Errorf("%d children, want 1 (%v)", len(list.Executions), err)
	}
}
