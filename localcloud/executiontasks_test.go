package localcloud_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// A state machine starts others through arn:aws:states:::states:startExecution
// in each pattern the developer guide documents
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html):
// request/response answers with the child's ExecutionArn and StartDate;
// .sync with the child's description, its Output a string; .sync:2 with
// the Output as JSON; a child that fails fails the task with
// States.TaskFailed, the child's description (its Error and Cause) as the
// cause; .waitForTaskToken ends when the token the child was given is
// answered.
func TestStepFunctionsStartExecutionIntegration(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	sf := sfn.NewFromConfig(c.AWSConfig())
	create := func(name, def string) string {
		sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(sm.StateMachineArn)
	}
	child := create("child", `{"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"twice.$":"States.MathAdd($.n, $.n)"},"End":true}}}`)
	broken := create("broken", `{"StartAt":"Fail","States":{"Fail":{"Type":"Fail","Error":"ChildBroke","Cause":"on purpose"}}}`)
	waiting := create("waiting", `{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":3600,"End":true}}}`)

	def := `{"StartAt":"Fire","States":{
	  "Fire":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution",
	    "Parameters":{"StateMachineArn":"` + child + `","Input":{"n":1}},"ResultPath":"$.fire","Next":"Sync"},
	  "Sync":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
	    "Parameters":{"StateMachineArn":"` + child + `","Input":{"n":2},"Name":"sync-child"},"ResultPath":"$.sync","Next":"Sync2"},
	  "Sync2":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
	    "Parameters":{"StateMachineArn":"` + child + `","Input":"{\"n\":3}"},"ResultPath":"$.sync2","Next":"Broken"},
	  "Broken":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
	    "Parameters":{"StateMachineArn":"` + broken + `"},
	    "Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.broken","Next":"Token"}],"End":true},
	  "Token":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.waitForTaskToken",
	    "Parameters":{"StateMachineArn":"` + waiting + `","Input":{"token.$":"$$.Task.Token"}},"ResultPath":"$.token","End":true}}}`
	parent := create("parent", def)
	start, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(parent), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	// The waiting child carries the token; answer it as a worker would.
	answered := false
	var desc *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if !answered {
			list, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(waiting)})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Executions) == 1 {
				w, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: list.Executions[0].ExecutionArn})
				if err != nil {
					t.Fatal(err)
				}
				var in struct{ Token string }
				json.Unmarshal([]byte(aws.ToString(w.Input)), &in)
				if _, err := sf.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(in.Token), Output: aws.String(`{"answered":true}`)}); err != nil {
					t.Fatal(err)
				}
				answered = true
			}
		}
		desc, err = sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
	}
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("parent %s: %s: %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	var out struct {
		Fire struct {
			ExecutionArn    string
			StartDate       float64
			SdkHttpMetadata struct{ HttpStatusCode int }
		}
		Sync struct {
			ExecutionArn, StateMachineArn, Name, Status, Input, Output string
			StartDate, StopDate                                        float64
			OutputDetails                                              struct{ Included bool }
		}
		Sync2 struct {
			Status string
			Input  struct{ N int }
			Output struct{ Twice int }
		}
		Broken struct{ Error, Cause string }
		Token  struct{ Answered bool }
	}
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil {
		t.Fatalf("output %s: %v", aws.ToString(desc.Output), err)
	}
	if !strings.HasPrefix(out.Fire.ExecutionArn, "arn:aws:states:us-east-1:000000000000:execution:child:") || out.Fire.StartDate < 1e12 || out.Fire.SdkHttpMetadata.HttpStatusCode != 200 {
		t.Errorf("startExecution answered %+v", out.Fire)
	}
	s := out.Sync
	if s.Name != "sync-child" || s.StateMachineArn != child || s.Status != "SUCCEEDED" || s.Output != `{"twice":4}` ||
		s.Input != `{"n":2}` || s.StopDate < s.StartDate || !s.OutputDetails.Included {
		t.Errorf("startExecution.sync answered %+v", s)
	}
	if out.Sync2.Status != "SUCCEEDED" || out.Sync2.Input.N != 3 || out.Sync2.Output.Twice != 6 {
		t.Errorf("startExecution.sync:2 answered %+v", out.Sync2)
	}
	var cause struct{ Status, Error, Cause, StateMachineArn string }
	if err := json.Unmarshal([]byte(out.Broken.Cause), &cause); err != nil || out.Broken.Error != "States.TaskFailed" ||
		cause.Status != "FAILED" || cause.Error != "ChildBroke" || cause.Cause != "on purpose" || cause.StateMachineArn != broken {
		t.Errorf("a failed child gave %q: %s", out.Broken.Error, out.Broken.Cause)
	}
	if !out.Token.Answered {
		t.Errorf("startExecution.waitForTaskToken ended with %+v", out.Token)
	}
}
