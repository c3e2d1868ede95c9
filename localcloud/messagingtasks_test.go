package localcloud_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
)

// runMachine creates a state machine, runs it on input and returns the
// finished execution.
func runMachine(t *testing.T, sf *sfn.Client, name, def, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := context.Background()
	sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn")})
	if err != nil {
		t.Fatal(err)
	}
	start, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		desc, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			return desc
		}
	}
}

// A state machine publishes to SNS, sends to SQS and puts events on
// EventBridge through the optimized integrations, which answer as the
// developer guide shows
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html).
func TestStepFunctionsMessagingIntegrations(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	cfg := c.AWSConfig()
	sqsc, snsc := awssqs.NewFromConfig(cfg), awssns.NewFromConfig(cfg)
	q, err := sqsc.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("results")})
	if err != nil {
		t.Fatal(err)
	}
	topic, err := snsc.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("done")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:results"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-nowhere"), EventPattern: aws.String(`{"source":["batch.app"]}`)}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Publish","States":{
	  "Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
	    "Parameters":{"TopicArn":"` + aws.ToString(topic.TopicArn) + `","Message":{"job.$":"$.job"},"Subject":"done",
	      "MessageAttributes":{"kind":{"DataType":"String","StringValue":"batch"}}},
	    "ResultPath":"$.published","Next":"Send"},
	  "Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
	    "Parameters":{"QueueUrl":"` + aws.ToString(q.QueueUrl) + `","MessageBody.$":"$.job"},
	    "ResultPath":"$.sent","Next":"Put"},
	  "Put":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
	    "Parameters":{"Entries":[{"Source":"batch.app","DetailType":"JobDone","Detail":{"job.$":"$.job"}}]},
	    "ResultPath":"$.put","End":true}}}`
	desc := runMachine(t, sfn.NewFromConfig(cfg), "notify", def, `{"job":"j-7"}`)
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	var out struct {
		Published struct {
			MessageId           string
			SdkHttpMetadata     struct{ HttpStatusCode int }
			SdkResponseMetadata struct{ RequestId string }
		}
		Sent struct{ MessageId, MD5OfMessageBody string }
		Put  struct {
			Entries          []struct{ EventId string }
			FailedEntryCount int
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if out.Published.MessageId == "" || out.Published.SdkHttpMetadata.HttpStatusCode != 200 || out.Published.SdkResponseMetadata.RequestId == "" {
		t.Errorf("sns:publish result %+v", out.Published)
	}
	// MD5 of "j-7" (RFC 1321; md5sum gives the same).
	if out.Sent.MessageId == "" || out.Sent.MD5OfMessageBody != "7ff81e084be5502c45884e74561bf944" {
		t.Errorf("sqs:sendMessage result %+v", out.Sent)
	}
	if len(out.Put.Entries) != 1 || out.Put.Entries[0].EventId == "" || out.Put.FailedEntryCount != 0 {
		t.Errorf("events:putEvents result %+v", out.Put)
	}
	got, err := sqsc.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("queue: %+v %v", got, err)
	}
	bodies := []string{aws.ToString(got.Messages[0].Body), aws.ToString(got.Messages[1].Body)}
	// The published Message object arrives serialized.
	if bodies[0] != `{"job":"j-7"}` || bodies[1] != "j-7" || aws.ToString(got.Messages[0].MessageAttributes["kind"].StringValue) != "batch" {
		t.Errorf("queue bodies %q attributes %v", bodies, got.Messages[0].MessageAttributes)
	}

	// A service error fails the task with the service's error name.
	bad := `{"StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
	  "Parameters":{"QueueUrl":"http://localhost/000000000000/missing","MessageBody":"x"},"End":true}}}`
	desc = runMachine(t, sfn.NewFromConfig(cfg), "bad-send", bad, `{}`)
	if desc.Status != sfntypes.ExecutionStatusFailed || !strings.HasPrefix(aws.ToString(desc.Error), "SQS.") || !strings.Contains(aws.ToString(desc.Cause), "does not exist") {
		t.Errorf("send to a missing queue: %s %s: %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
}
