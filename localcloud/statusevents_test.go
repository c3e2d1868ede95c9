package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// watch routes the events matching pattern to a function and returns the
// channel their details arrive on.
func watch(t *testing.T, c *localcloud.Cloud, name, pattern string) <-chan json.RawMessage {
	t.Helper()
	ctx := context.Background()
	got := make(chan json.RawMessage, 100)
	c.Lambda.Register(name, lambda.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { got <- json.RawMessage(p); return nil, nil }))
	eb := eventbridge.NewFromConfig(c.AWSConfig())
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + name), InputPath: aws.String("$.detail")},
	}}); err != nil {
		t.Fatal(err)
	}
	return got
}

func nextStatus(t *testing.T, got <-chan json.RawMessage) batch.ExecutionStatusChange {
	t.Helper()
	select {
	case raw := <-got:
		var d batch.ExecutionStatusChange
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("detail %s: %v", raw, err)
		}
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no execution status change event arrived")
	}
	return batch.ExecutionStatusChange{}
}

// Step Functions publishes a status change event when an execution starts
// and when it ends, whatever the end.
func TestExecutionStatusChangeEvents(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	got := watch(t, c, "watch-states", `{"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"]}`)
	sf := sfn.NewFromConfig(c.AWSConfig())
	machine := func(name, def string) string {
		out, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.StateMachineArn)
	}
	cases := []struct {
		name, def  string
		stop       bool
		end        batch.ExecutionStatus
		errorName  string
		wantOutput bool
	}{
		{"ok", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"End":true}}}`, false, batch.ExecutionSucceeded, "", true},
		{"broken", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken","Cause":"on purpose"}}}`, false, batch.ExecutionFailed, "Broken", false},
		{"stopped", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, true, batch.ExecutionAborted, "Halt", false},
	}
	for _, tc := range cases {
		arn := machine(tc.name, tc.def)
		started, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"n":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		// EventBridge does not keep events in order: tell them by status.
		first := nextStatus(t, got)
		if tc.stop {
			if _, err := sf.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: started.ExecutionArn, Error: aws.String("Halt")}); err != nil {
				t.Fatal(err)
			}
		}
		second := nextStatus(t, got)
		running, end := first, second
		if first.Status != batch.ExecutionRunning {
			running, end = second, first
		}
		if running.Status != batch.ExecutionRunning || running.ExecutionArn != aws.ToString(started.ExecutionArn) ||
			running.StateMachineArn != arn || running.Input != `{"n":1}` || running.StartDate == 0 || running.StopDate != nil {
			t.Errorf("%s: first event %+v, want RUNNING of the execution with its input", tc.name, running)
		}
		if end.Status != tc.end || end.ExecutionArn != running.ExecutionArn || end.StopDate == nil || *end.StopDate < end.StartDate {
			t.Errorf("%s: end event %+v, want %s with a stop date", tc.name, end, tc.end)
		}
		if (end.Output != nil) != tc.wantOutput || (tc.errorName != "" && (end.Error == nil || *end.Error != tc.errorName)) {
			t.Errorf("%s: end event output %v, error %v", tc.name, end.Output, end.Error)
		}
	}
}

// With DropEvents 1 no job event reaches a rule; with 0 every one does.
func TestDropEvents(t *testing.T) {
	if _, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), DropEvents: 1.5}); err == nil || !strings.Contains(err.Error(), "DropEvents") {
		t.Errorf("DropEvents 1.5: %v, want an error naming it", err)
	}
	for _, rate := range []float64{0, 1} {
		quiet := slog.New(slog.DiscardHandler)
		c, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: quiet, DropEvents: rate})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		got := watch(t, c, "watch-jobs", `{"source":["aws.bedrock"]}`)
		s3c := s3.NewFromConfig(c.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
			t.Fatal(err)
		}
		var lines bytes.Buffer
		for i := range 100 {
			fmt.Fprintf(&lines, `{"recordId":"r%03d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"q%d"}]}}`+"\n", i, i)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("in/a.jsonl"), Body: bytes.NewReader(lines.Bytes())}); err != nil {
			t.Fatal(err)
		}
		br := awsbedrock.NewFromConfig(c.AWSConfig())
		job, err := br.CreateModelInvocationJob(ctx, &awsbedrock.CreateModelInvocationJobInput{
			JobName: aws.String("drop"), ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
			InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://data/in/a.jsonl")}},
			OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://data/out/")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			j, err := br.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: job.JobArn})
			if err != nil {
				t.Fatal(err)
			}
			if j.Status == bedrocktypes.ModelInvocationJobStatusCompleted {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s", j.Status)
			}
		}
		// Events are spooled when published; their delivery follows.
		if rate == 0 {
			for deadline := time.Now().Add(5 * time.Second); len(got) < 5 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
		}
		n := len(got)
		switch {
		case rate == 1 && n != 0:
			t.Errorf("DropEvents 1: %d events reached the rule", n)
		case rate == 0 && n != 5: // Submitted, Validating, Scheduled, InProgress, Completed
			t.Errorf("DropEvents 0: %d events reached the rule, want one per status change (5)", n)
		}
		cancel()
		c.Wait()
		c.Close()
	}
}
