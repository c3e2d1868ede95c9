package sfn_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestTaskTokenSuccess(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Waiting", tokenTask)
	arn := f.start(t, sm, "job-1", `{"job": "summaries"}`)
	call := f.worker.next(t)
	if call.Job != "summaries" || call.Token == "" {
		t.Fatalf("worker got %+v", call)
	}
	if d := f.describe(t, arn); d.Status != types.ExecutionStatusRunning {
		t.Fatalf("status while waiting for the token: %s", d.Status)
	}
	if _, err := f.client.SendTaskHeartbeat(ctx, &awssfn.SendTaskHeartbeatInput{TaskToken: aws.String(call.Token)}); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	_, err := f.client.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String(call.Token), Output: aws.String(`not json`)})
	wantAPIError[*types.InvalidOutput](t, err, "JSON")
	if _, err := f.client.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String(call.Token), Output: aws.String(`{"status": "Completed", "keys": ["a.jsonl.out"]}`)}); err != nil {
		t.Fatalf("send task success: %v", err)
	}
	d := f.finish(t, arn)
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s)", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	jsonEqual(t, aws.ToString(d.Output), `{"job": "summaries", "result": {"status": "Completed", "keys": ["a.jsonl.out"]}}`)

	// The token was used: answering it again is TaskTimedOut.
	_, err = f.client.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String(call.Token), Output: aws.String(`{}`)})
	wantAPIError[*types.TaskTimedOut](t, err, "any more")
	_, err = f.client.SendTaskHeartbeat(ctx, &awssfn.SendTaskHeartbeatInput{TaskToken: aws.String(call.Token)})
	wantAPIError[*types.TaskTimedOut](t, err)
	_, err = f.client.SendTaskFailure(ctx, &awssfn.SendTaskFailureInput{TaskToken: aws.String("made-up-token")})
	wantAPIError[*types.InvalidToken](t, err, "made-up-token")

	// The history records the submission and the answer.
	h, err := f.client.GetExecutionHistory(ctx, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[types.HistoryEventType]types.HistoryEvent{}
	for _, ev := range h.Events {
		seen[ev.Type] = ev
	}
	sched, ok := seen[types.HistoryEventTypeTaskScheduled]
	if !ok || aws.ToString(sched.TaskScheduledEventDetails.ResourceType) != "lambda" || aws.ToString(sched.TaskScheduledEventDetails.Resource) != "invoke.waitForTaskToken" {
		t.Errorf("TaskScheduled %+v", sched.TaskScheduledEventDetails)
	}
	for _, typ := range []types.HistoryEventType{types.HistoryEventTypeTaskStarted, types.HistoryEventTypeTaskSubmitted, types.HistoryEventTypeTaskSucceeded} {
		if _, ok := seen[typ]; !ok {
			t.Errorf("no %s event in the history", typ)
		}
	}
	if s := seen[types.HistoryEventTypeTaskSucceeded].TaskSucceededEventDetails; s != nil {
		jsonEqual(t, aws.ToString(s.Output), `{"status": "Completed", "keys": ["a.jsonl.out"]}`)
	}
}

func TestTaskTokenFailure(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Waiting", tokenTask)
	arn := f.start(t, sm, "", `{"job": "x"}`)
	call := f.worker.next(t)
	if _, err := f.client.SendTaskFailure(ctx, &awssfn.SendTaskFailureInput{
		TaskToken: aws.String(call.Token), Error: aws.String("Job.Failed"), Cause: aws.String("the model rejected 3 records"),
	}); err != nil {
		t.Fatalf("send task failure: %v", err)
	}
	d := f.finish(t, arn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Job.Failed" || aws.ToString(d.Cause) != "the model rejected 3 records" {
		t.Errorf("after failure: %s %q %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if d.Output != nil {
		t.Errorf("a failed execution has output %q", aws.ToString(d.Output))
	}
	_, err := f.client.SendTaskFailure(ctx, &awssfn.SendTaskFailureInput{TaskToken: aws.String(call.Token)})
	wantAPIError[*types.TaskTimedOut](t, err)
}
