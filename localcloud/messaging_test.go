package localcloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// receiveOne long-polls a queue for one message with every attribute, for
// up to a minute of real time (the cloud's clock may run fast).
func receiveOne(t *testing.T, c *awssqs.Client, url string) sqstypes.Message {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		out, err := c.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			if _, err := c.DeleteMessage(context.Background(), &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
			return out.Messages[0]
		}
	}
	t.Fatalf("no message in %s", url)
	return sqstypes.Message{}
}

// A template's queues, topics and subscriptions are created as
// CloudFormation creates them — Ref of a queue is its URL, of a topic its
// ARN, GetAtt Arn/QueueName and TopicName as documented
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html#aws-resource-sqs-queue-return-values,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html#aws-resource-sns-topic-return-values)
// — and messages flow through them; the dead-letter queue the template
// gives a function and a rule target receives what failed for good.
func TestDeployedQueuesTopicsAndDeadLetters(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	// Lambda waits a minute, then two, before retrying an asynchronous
	// invocation; a fast clock keeps the test short.
	c, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: quiet, RequestLogger: quiet, Clock: clock.NewScaled(600)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); c.Wait(); c.Close() })
	c.RegisterFunction("Worker", lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) {
		return nil, errors.New("worker cannot process this order")
	}))
	res, err := c.Deploy(ctx, "testdata/messaging")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	out := res.Outputs["MessagingApp"]
	inboxName := out["InboxName"]
	if !strings.HasPrefix(inboxName, "MessagingApp-Inbox-") || !strings.HasSuffix(out["InboxUrl"], "/000000000000/"+inboxName) {
		t.Errorf("Inbox: name %q, URL %q", inboxName, out["InboxUrl"])
	}
	if out["TopicArn"] != "arn:aws:sns:us-east-1:000000000000:"+out["TopicName"] || out["DeadLetterArn"] != "arn:aws:sqs:us-east-1:000000000000:app-dead-letters" {
		t.Errorf("outputs %v", out)
	}
	for _, ch := range res.Changes {
		want := deploy.Created
		if ch.Type == "AWS::SQS::QueuePolicy" {
			want = deploy.Recorded
		}
		if strings.HasPrefix(ch.Type, "AWS::S") && ch.Action != want {
			t.Errorf("%s (%s): %s, want %s", ch.LogicalID, ch.Type, ch.Action, want)
		}
	}
	cfg := c.AWSConfig()
	sqsc, snsc := awssqs.NewFromConfig(cfg), awssns.NewFromConfig(cfg)
	dlq, err := sqsc.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("app-dead-letters")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sqsc.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(out["InboxUrl"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "60" ||
		attrs.Attributes["RedrivePolicy"] != `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:app-dead-letters","maxReceiveCount":3}` {
		t.Errorf("Inbox attributes %v %v", attrs, err)
	}

	// The topic's inline subscription gets the envelope; the filtered raw
	// subscription only the failed status.
	for _, status := range []string{"Completed", "Failed"} {
		if _, err := snsc.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(out["TopicArn"]), Message: aws.String("job " + status),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"status": {DataType: aws.String("String"), StringValue: aws.String(status)}}}); err != nil {
			t.Fatal(err)
		}
	}
	var m sqstypes.Message
	for _, want := range []string{"job Completed", "job Failed"} {
		var env map[string]any
		m = receiveOne(t, sqsc, out["InboxUrl"])
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil || env["Type"] != "Notification" || env["Message"] != want {
			t.Errorf("Inbox message %s, want the envelope of %q", aws.ToString(m.Body), want)
		}
	}
	m = receiveOne(t, sqsc, aws.ToString(dlq.QueueUrl))
	if aws.ToString(m.Body) != "job Failed" {
		t.Errorf("filtered raw subscription got %q", aws.ToString(m.Body))
	}

	// A FIFO topic delivers to a FIFO queue.
	if _, err := snsc.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:orders.fifo"),
		Message: aws.String("order 1"), MessageGroupId: aws.String("customer-7")}); err != nil {
		t.Fatal(err)
	}
	var ordersURL string
	for _, r := range res.Find("AWS::SQS::Queue") {
		if r.LogicalID == "OrdersQueue" {
			ordersURL = r.PhysicalID
		}
	}
	if !strings.HasSuffix(ordersURL, ".fifo") {
		t.Fatalf("generated FIFO queue name %q has no .fifo suffix", ordersURL)
	}
	m = receiveOne(t, sqsc, ordersURL)
	if m.Attributes["MessageGroupId"] != "customer-7" || !strings.Contains(aws.ToString(m.Body), "order 1") {
		t.Errorf("FIFO queue message %+v", m)
	}

	// A failed asynchronous invocation lands in the function's
	// dead-letter queue after its retries: the event as the body,
	// RequestID, ErrorCode and ErrorMessage as attributes
	// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
	lc := awslambda.NewFromConfig(cfg)
	worker := res.Find("AWS::Lambda::Function")[0]
	if _, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(worker.PhysicalID), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"order":42}`)}); err != nil {
		t.Fatal(err)
	}
	m = receiveOne(t, sqsc, aws.ToString(dlq.QueueUrl))
	if aws.ToString(m.Body) != `{"order":42}` || aws.ToString(m.MessageAttributes["ErrorCode"].StringValue) != "200" ||
		aws.ToString(m.MessageAttributes["ErrorCode"].DataType) != "Number" || aws.ToString(m.MessageAttributes["RequestID"].StringValue) == "" ||
		aws.ToString(m.MessageAttributes["ErrorMessage"].StringValue) != "worker cannot process this order" {
		t.Errorf("function dead letter: body %s attributes %+v", aws.ToString(m.Body), m.MessageAttributes)
	}

	// An event its rule's target cannot take lands in the target's
	// dead-letter queue with RULE_ARN, TARGET_ARN, ERROR_CODE and
	// ERROR_MESSAGE (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("app.test"), DetailType: aws.String("Order"), Detail: aws.String(`{"order":43}`)}}}); err != nil {
		t.Fatal(err)
	}
	m = receiveOne(t, sqsc, aws.ToString(dlq.QueueUrl))
	var event map[string]any
	_ = json.Unmarshal([]byte(aws.ToString(m.Body)), &event)
	rule := res.Resources["MessagingApp"]["Route"]
	if event["source"] != "app.test" || aws.ToString(m.MessageAttributes["ERROR_CODE"].StringValue) != "RESOURCE_NOT_FOUND" ||
		aws.ToString(m.MessageAttributes["RULE_ARN"].StringValue) != rule.Arn() ||
		aws.ToString(m.MessageAttributes["TARGET_ARN"].StringValue) != "arn:aws:lambda:us-east-1:000000000000:function:gone" ||
		aws.ToString(m.MessageAttributes["ERROR_MESSAGE"].StringValue) == "" {
		t.Errorf("event dead letter: body %s attributes %+v", aws.ToString(m.Body), m.MessageAttributes)
	}

	// An event put on the custom bus reaches the rule of that bus, whose
	// target is a queue; the default bus's rule for the same source does
	// not see it (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-event-bus.html).
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("app-bus"),
		Source: aws.String("app.test"), DetailType: aws.String("Order"), Detail: aws.String(`{"order":44}`)}}}); err != nil {
		t.Fatal(err)
	}
	m = receiveOne(t, sqsc, out["InboxUrl"])
	event = nil
	_ = json.Unmarshal([]byte(aws.ToString(m.Body)), &event)
	if detail, _ := event["detail"].(map[string]any); detail["order"] != 44.0 || event["detail-type"] != "Order" {
		t.Errorf("custom bus event in the inbox: %s", aws.ToString(m.Body))
	}
	if extra, _ := sqsc.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl}); len(extra.Messages) != 0 {
		t.Errorf("the default bus's rule got the custom bus's event: %s", aws.ToString(extra.Messages[0].Body))
	}

	// Deploying again changes nothing and keeps the messages.
	if _, err := sqsc.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(out["InboxUrl"]), MessageBody: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	again, err := c.Deploy(ctx, "testdata/messaging")
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range again.Changes {
		if ch.Action != deploy.Unchanged {
			t.Errorf("redeploy: %s %s", ch.LogicalID, ch.Action)
		}
	}
	if m := receiveOne(t, sqsc, out["InboxUrl"]); aws.ToString(m.Body) != "kept" {
		t.Errorf("after redeploy the inbox holds %q", aws.ToString(m.Body))
	}
}
