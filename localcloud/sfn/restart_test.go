package sfn_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestRestartKeepsMachinesAndResumesTokenWait(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	first := newFixture(t, dir)
	router := first.create(t, "Router", passChoice)
	waiting := first.create(t, "Waiting", tokenTask)
	doneArn := first.start(t, router, "finished-before", `{"n": 1}`)
	first.finish(t, doneArn)
	arn := first.start(t, waiting, "across-restart", `{"job": "long"}`)
	call := first.worker.next(t)
	// The machine is updated after the execution started: the execution
	// keeps running the version it started with.
	if _, err := first.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(waiting), Definition: aws.String(passChoice)}); err != nil {
		t.Fatal(err)
	}
	// The token is saved before the worker is called, and the call is
	// marked submitted once it returned, a moment after the worker saw
	// it: stop only then, as a kill before that point makes the resumed
	// execution call the worker again with the same token.
	waitPersisted(t, filepath.Join(dir, "executions"), call.Token)
	waitPersisted(t, filepath.Join(dir, "executions"), `"submitted":true`)
	first.svc.Close()

	if _, err := os.Stat(filepath.Join(dir, "statemachines", "Waiting.json")); err != nil {
		t.Errorf("state machine file: %v", err)
	}

	second := newFixture(t, dir)
	list, err := second.client.ListStateMachines(ctx, &awssfn.ListStateMachinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StateMachines) != 2 {
		t.Fatalf("after restart %d state machines, want 2", len(list.StateMachines))
	}
	d, err := second.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(waiting)})
	if err != nil || aws.ToString(d.Definition) != passChoice {
		t.Fatalf("Waiting after restart: %v %v", d, err)
	}
	jsonEqual(t, aws.ToString(second.describe(t, doneArn).Output), `{"n": 1, "size": "small"}`)
	if st := second.describe(t, arn).Status; st != types.ExecutionStatusRunning {
		t.Fatalf("the waiting execution is %s after restart", st)
	}
	forExec, err := second.client.DescribeStateMachineForExecution(ctx, &awssfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, aws.ToString(forExec.Definition), tokenTask)

	// The token issued before the restart completes the execution at
	// once: the resumed execution registered it before New returned.
	if _, err := second.client.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String(call.Token), Output: aws.String(`{"status": "Completed"}`)}); err != nil {
		t.Fatalf("answer the token after restart: %v", err)
	}
	out := second.finish(t, arn)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s)", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	jsonEqual(t, aws.ToString(out.Output), `{"job": "long", "result": {"status": "Completed"}}`)
	select {
	case c := <-second.worker.calls:
		t.Errorf("the task was invoked again after the restart: %+v", c)
	default:
	}
	execs, err := second.client.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: aws.String(waiting)})
	if err != nil || len(execs.Executions) != 1 || execs.Executions[0].Status != types.ExecutionStatusSucceeded {
		t.Errorf("executions of Waiting after restart: %+v %v", execs, err)
	}
}

// waitPersisted waits until a file in dir mentions s.
func waitPersisted(t *testing.T, dir, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), s) {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s was not persisted in %s", s, dir)
}
