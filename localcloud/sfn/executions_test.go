package sfn_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

func TestPassChoiceExecution(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Router", passChoice)

	big := f.start(t, sm, "big-one", `{"n": 42}`)
	if want := "arn:aws:states:us-east-1:123456789012:execution:Router:big-one"; big != want {
		t.Errorf("execution ARN %s, want %s", big, want)
	}
	d := f.finish(t, big)
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s)", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	jsonEqual(t, aws.ToString(d.Output), `{"n": 42, "size": "big"}`)
	jsonEqual(t, aws.ToString(d.Input), `{"n": 42}`)
	if aws.ToString(d.Name) != "big-one" || aws.ToString(d.StateMachineArn) != sm {
		t.Errorf("name %q state machine %q", aws.ToString(d.Name), aws.ToString(d.StateMachineArn))
	}
	if d.StartDate == nil || d.StopDate == nil || d.StopDate.Before(*d.StartDate) || time.Since(*d.StartDate) > time.Minute {
		t.Errorf("start %v stop %v", d.StartDate, d.StopDate)
	}

	meta, err := f.client.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(big), IncludedData: types.IncludedDataMetadataOnly})
	if err != nil || meta.Input != nil || meta.Output != nil || meta.Status != types.ExecutionStatusSucceeded {
		t.Errorf("metadata only: %+v, %v", meta, err)
	}

	// Without a name the execution is named with a UUID.
	small := f.start(t, sm, "", `{"n": 3}`)
	if !regexp.MustCompile(`:Router:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(small) {
		t.Errorf("generated execution ARN %s does not end in a UUID", small)
	}
	jsonEqual(t, aws.ToString(f.finish(t, small).Output), `{"n": 3, "size": "small"}`)

	// A closed execution's name cannot be used again, even with the same input.
	_, err = f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("big-one"), Input: aws.String(`{"n": 42}`)})
	wantAPIError[*types.ExecutionAlreadyExists](t, err, big)
	_, err = f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(`{"n": `)})
	wantAPIError[*types.InvalidExecutionInput](t, err, "JSON")
	_, err = f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("a/b")})
	wantAPIError[*types.InvalidName](t, err, "a/b")

	missing := "arn:aws:states:us-east-1:123456789012:execution:Router:never"
	_, err = f.client.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(missing)})
	wantAPIError[*types.ExecutionDoesNotExist](t, err, missing)
	_, err = f.client.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:Router")})
	wantAPIError[*types.InvalidArn](t, err, "execution")
	_, err = f.client.GetExecutionHistory(ctx, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(missing)})
	wantAPIError[*types.ExecutionDoesNotExist](t, err, missing)
}

func TestStartExecutionIsIdempotentWhileRunning(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Waiting", tokenTask)
	first, err := f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once"), Input: aws.String(`{"job":"a"}`)})
	if err != nil {
		t.Fatal(err)
	}
	f.worker.next(t)
	again, err := f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once"), Input: aws.String(`{ "job" : "a" }`)})
	if err != nil {
		t.Fatalf("same name and input while running: %v", err)
	}
	if aws.ToString(again.ExecutionArn) != aws.ToString(first.ExecutionArn) || !again.StartDate.Equal(*first.StartDate) {
		t.Errorf("second start %s %v, first %s %v", aws.ToString(again.ExecutionArn), again.StartDate, aws.ToString(first.ExecutionArn), first.StartDate)
	}
	_, err = f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once"), Input: aws.String(`{"job":"b"}`)})
	wantAPIError[*types.ExecutionAlreadyExists](t, err, "different input")
}

func TestListExecutionsFiltersAndPages(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	router := f.create(t, "Router", passChoice)
	waiting := f.create(t, "Waiting", tokenTask)
	var done []string
	for i := 0; i < 5; i++ {
		arn := f.start(t, router, "", `{"n": 1}`)
		f.finish(t, arn)
		done = append(done, arn)
	}
	running := f.start(t, waiting, "pending", `{"job": "x"}`)
	f.worker.next(t)

	list := func(in *awssfn.ListExecutionsInput) ([]types.ExecutionListItem, int) {
		t.Helper()
		in.MaxResults = 2
		p := awssfn.NewListExecutionsPaginator(f.client, in)
		var all []types.ExecutionListItem
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, page.Executions...)
		}
		return all, pages
	}
	all, pages := list(&awssfn.ListExecutionsInput{StateMachineArn: aws.String(router)})
	if len(all) != 5 || pages != 3 {
		t.Fatalf("listed %d executions in %d pages, want 5 in 3", len(all), pages)
	}
	for i, x := range all {
		// Newest first: the reverse of the start order.
		if want := done[len(done)-1-i]; aws.ToString(x.ExecutionArn) != want {
			t.Errorf("item %d is %s, want %s", i, aws.ToString(x.ExecutionArn), want)
		}
		if x.Status != types.ExecutionStatusSucceeded || x.StopDate == nil || aws.ToString(x.StateMachineArn) != router {
			t.Errorf("item %+v", x)
		}
	}
	if got, _ := list(&awssfn.ListExecutionsInput{StateMachineArn: aws.String(router), StatusFilter: types.ExecutionStatusRunning}); len(got) != 0 {
		t.Errorf("%d running executions of Router, want none", len(got))
	}
	got, _ := list(&awssfn.ListExecutionsInput{StateMachineArn: aws.String(waiting), StatusFilter: types.ExecutionStatusRunning})
	if len(got) != 1 || aws.ToString(got[0].ExecutionArn) != running || got[0].StopDate != nil {
		t.Errorf("running executions of Waiting: %+v", got)
	}

	_, err := f.client.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:Nope")})
	wantAPIError[*types.StateMachineDoesNotExist](t, err, "Nope")
	first, err := f.client.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: aws.String(router), MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: aws.String(waiting), NextToken: first.NextToken})
	wantAPIError[*types.InvalidToken](t, err, "nextToken")
}

func TestStopExecution(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Waiting", tokenTask)
	arn := f.start(t, sm, "to-stop", `{"job": "x"}`)
	call := f.worker.next(t)
	out, err := f.client.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Operator.Cancel"), Cause: aws.String("no longer needed")})
	if err != nil {
		t.Fatal(err)
	}
	d := f.describe(t, arn)
	if d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Operator.Cancel" || aws.ToString(d.Cause) != "no longer needed" {
		t.Errorf("after stop: %s %q %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if out.StopDate == nil || d.StopDate == nil || !out.StopDate.Equal(*d.StopDate) {
		t.Errorf("stop date %v, described %v", out.StopDate, d.StopDate)
	}
	// The stopped execution's token is no longer answered.
	_, err = f.client.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String(call.Token), Output: aws.String(`{}`)})
	wantAPIError[*types.TaskTimedOut](t, err)
	// Stopping it again reports the same end.
	again, err := f.client.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || !again.StopDate.Equal(*out.StopDate) {
		t.Errorf("second stop: %v, %v", again, err)
	}
}

func TestHistoryShape(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	sm := f.create(t, "Router", passChoice)
	arn := f.start(t, sm, "h", `{"n": 11}`)
	f.finish(t, arn)

	full, err := f.client.GetExecutionHistory(ctx, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i, ev := range full.Events {
		kinds = append(kinds, string(ev.Type))
		if ev.Id != int64(i+1) || ev.PreviousEventId != int64(i) {
			t.Errorf("event %d: id %d previous %d", i, ev.Id, ev.PreviousEventId)
		}
		if ev.Timestamp == nil || time.Since(*ev.Timestamp) > time.Minute || time.Since(*ev.Timestamp) < 0 {
			t.Errorf("event %d timestamp %v", i, ev.Timestamp)
		}
	}
	want := "ExecutionStarted ChoiceStateEntered ChoiceStateExited PassStateEntered PassStateExited ExecutionSucceeded"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("history %v, want %s", kinds, want)
	}
	if d := full.Events[0].ExecutionStartedEventDetails; d == nil || aws.ToString(d.RoleArn) != role {
		t.Errorf("started details %+v", d)
	} else {
		jsonEqual(t, aws.ToString(d.Input), `{"n": 11}`)
	}
	if d := full.Events[3].StateEnteredEventDetails; d == nil || aws.ToString(d.Name) != "Big" {
		t.Errorf("entered details %+v", d)
	}
	if d := full.Events[5].ExecutionSucceededEventDetails; d == nil {
		t.Error("no succeeded details")
	} else {
		jsonEqual(t, aws.ToString(d.Output), `{"n": 11, "size": "big"}`)
	}

	// Pages of two in reverse order give the same events backwards.
	p := awssfn.NewGetExecutionHistoryPaginator(f.client, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 2})
	var ids []int64
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			ids = append(ids, ev.Id)
		}
	}
	if len(ids) != 6 || ids[0] != 6 || ids[5] != 1 {
		t.Errorf("reverse ids %v", ids)
	}

	lean, err := f.client.GetExecutionHistory(ctx, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if d := lean.Events[3].StateEnteredEventDetails; d == nil || d.Input != nil || aws.ToString(d.Name) != "Big" {
		t.Errorf("without execution data, entered details %+v", d)
	}
	if d := lean.Events[5].ExecutionSucceededEventDetails; d == nil || d.Output != nil {
		t.Errorf("without execution data, succeeded details %+v", d)
	}
}

func TestUnknownOperation(t *testing.T) {
	f := newFixture(t, "")
	_, err := f.client.CreateActivity(context.Background(), &awssfn.CreateActivityInput{Name: aws.String("a")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" || !strings.Contains(apiErr.ErrorMessage(), "CreateActivity") {
		t.Errorf("CreateActivity: %v", err)
	}
}
