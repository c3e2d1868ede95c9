package sfn_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
)

// TestStateMachineForExecutionIsTheVersionItStartedWith updates a state
// machine twice while an execution runs, and across a restart: the
// execution reports the version it started with, with that version's
// update date, and a later execution the current one.
func TestStateMachineForExecutionIsTheVersionItStartedWith(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := newFixture(t, dir)
	sm := f.create(t, "Versions", tokenTask)
	before, err := f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	if err != nil {
		t.Fatal(err)
	}
	old := f.start(t, sm, "old", `{"job": "a"}`)
	f.worker.next(t)
	const otherRole = "arn:aws:iam::123456789012:role/Other"
	if _, err := f.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(passChoice)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), RoleArn: aws.String(otherRole)}); err != nil {
		t.Fatal(err)
	}
	current, err := f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	if err != nil {
		t.Fatal(err)
	}
	latest := f.start(t, sm, "latest", `{"n": 1}`)

	check := func(f *fixture, when string) {
		t.Helper()
		got, err := f.client.DescribeStateMachineForExecution(ctx, &awssfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(old)})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, aws.ToString(got.Definition), tokenTask)
		if aws.ToString(got.RoleArn) != role || !aws.ToTime(got.UpdateDate).Equal(aws.ToTime(before.CreationDate)) {
			t.Errorf("%s: the old execution's version: role %s, updated %v, want %s, %v", when, aws.ToString(got.RoleArn), aws.ToTime(got.UpdateDate), role, aws.ToTime(before.CreationDate))
		}
		now, err := f.client.DescribeStateMachineForExecution(ctx, &awssfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(latest)})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, aws.ToString(now.Definition), passChoice)
		if aws.ToString(now.RoleArn) != otherRole || aws.ToString(now.RevisionId) != aws.ToString(current.RevisionId) || aws.ToString(now.RevisionId) == "" {
			t.Errorf("%s: the latest execution's version: role %s revision %q, want %s %q", when, aws.ToString(now.RoleArn), aws.ToString(now.RevisionId), otherRole, aws.ToString(current.RevisionId))
		}
	}
	check(f, "before the restart")
	f.svc.Close()
	check(newFixture(t, dir), "after the restart")
}
