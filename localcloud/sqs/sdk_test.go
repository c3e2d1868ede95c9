package sqs_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sqs"
)

var quiet = slog.New(slog.DiscardHandler)

// serve runs a local SQS over dir behind a router and returns an SDK
// client of it and the server's base URL.
func serve(t testing.TB, dir string) (*awssqs.Client, string) {
	t.Helper()
	svc, err := sqs.New(sqs.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudtest.Start(t, false)
	srv.Router.Register(edge.SQS, svc)
	cfg, endpoint := srv.Config()
	return awssqs.NewFromConfig(cfg, func(o *awssqs.Options) { o.BaseEndpoint = aws.String(endpoint) }), endpoint
}

func mustQueue(t *testing.T, c *awssqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// The SDK checks MD5OfMessageBody and MD5OfMessageAttributes of SendMessage
// and ReceiveMessage against its own computation, so these calls succeed
// only when the service computes them as documented:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
func TestSendReceiveDeleteWithAttributes(t *testing.T) {
	ctx := context.Background()
	c, _ := serve(t, t.TempDir())
	url := mustQueue(t, c, "jobs", nil)
	sent, err := c.SendMessage(ctx, &awssqs.SendMessageInput{
		QueueUrl: aws.String(url), MessageBody: aws.String(`{"job":"j-1"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("batch")},
			"count": {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UnixMilli()
	got, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 30,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(got.Messages))
	}
	m := got.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != `{"job":"j-1"}` {
		t.Errorf("message %s %q", aws.ToString(m.MessageId), aws.ToString(m.Body))
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("ApproximateReceiveCount %q, want 1", m.Attributes["ApproximateReceiveCount"])
	}
	if ts, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err != nil || ts > before || ts < before-60_000 {
		t.Errorf("SentTimestamp %q is not the send time in epoch milliseconds", m.Attributes["SentTimestamp"])
	}
	if string(m.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02\xff" || aws.ToString(m.MessageAttributes["count"].DataType) != "Number" {
		t.Errorf("message attributes %+v", m.MessageAttributes)
	}
	// In flight: not received again until its visibility timeout ends.
	again, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("received an in-flight message: %v %v", again, err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" ||
		attrs.Attributes["VisibilityTimeout"] != "30" || attrs.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:jobs" {
		t.Errorf("queue attributes %v", attrs.Attributes)
	}
	// Visibility 0 makes it receivable at once; the receive count grows.
	if _, err := c.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	again, err = c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(again.Messages) != 1 || again.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive: %+v %v", again, err)
	}
	if _, err := c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: again.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	attrs, _ = c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after delete: %v", attrs.Attributes)
	}
}

func TestBatchesAndLongPolling(t *testing.T) {
	ctx := context.Background()
	c, _ := serve(t, t.TempDir())
	url := mustQueue(t, c, "batch", nil)
	// A long poll started on an empty queue returns the message sent
	// while it waits (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
	polled := make(chan *awssqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20, MaxNumberOfMessages: 10})
		if err != nil {
			t.Error(err)
		}
		polled <- out
	}()
	time.Sleep(50 * time.Millisecond)
	res, err := c.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two"), DelaySeconds: 900},
		{Id: aws.String("c"), MessageBody: aws.String("three"), DelaySeconds: 901},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Successful) != 2 || len(res.Failed) != 1 || aws.ToString(res.Failed[0].Id) != "c" || aws.ToString(res.Failed[0].Code) != "InvalidParameterValue" || !res.Failed[0].SenderFault {
		t.Fatalf("batch result: %+v", res)
	}
	out := <-polled
	if out == nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "one" {
		t.Fatalf("long poll got %+v, want the message sent while waiting (the delayed one stays hidden)", out)
	}
	del, err := c.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: out.Messages[0].ReceiptHandle},
		{Id: aws.String("y"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 1 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch: %+v", del)
	}
	attrs, _ := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("after the batch: %v", attrs.Attributes)
	}
	// Ten entries at most per batch.
	var many []types.SendMessageBatchRequestEntry
	for i := range 11 {
		many = append(many, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("m")})
	}
	_, err = c.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: many})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Errorf("11 entries: %v, want TooManyEntriesInBatchRequest", err)
	}
}

// Errors carry the codes of the API reference; the JSON protocol names
// the shape and, for query-compatible clients, the legacy code
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html).
func TestErrors(t *testing.T) {
	ctx := context.Background()
	c, _ := serve(t, t.TempDir())
	_, err := c.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var nx *types.QueueDoesNotExist
	if !errors.As(err, &nx) || cloudtest.APICode(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("GetQueueUrl of a missing queue: %v (code %q)", err, cloudtest.APICode(err))
	}
	url := mustQueue(t, c, "q", nil)
	_, err = c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	if cloudtest.APICode(err) != "InvalidParameterValue" {
		t.Errorf("MaxNumberOfMessages 11: %v", err)
	}
	_, err = c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"VisibilityTimeout": "5"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Errorf("re-creating with other attributes: %v, want QueueNameExists", err)
	}
	_, err = c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("bad name")})
	if cloudtest.APICode(err) != "InvalidParameterValue" {
		t.Errorf("queue name with a space: %v", err)
	}
	_, err = c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bad \x01")})
	var contents *types.InvalidMessageContents
	if !errors.As(err, &contents) {
		t.Errorf("control character in a body: %v", err)
	}
}

// A message received more than maxReceiveCount times moves to the
// dead-letter queue, and a message move task takes it back
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
func TestRedriveAndMoveBack(t *testing.T) {
	ctx := context.Background()
	c, _ := serve(t, t.TempDir())
	dlq := mustQueue(t, c, "dlq", nil)
	src := mustQueue(t, c, "work", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2}`,
	})
	if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src)})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %+v %v", i+1, out, err)
		}
		// Back at once, as when a consumer gives up on it.
		if _, err := c.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(src),
			ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src)})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("third receive from the source: %+v %v, want none", out, err)
	}
	dead, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(dlq),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameDeadLetterQueueSourceArn}})
	if err != nil || len(dead.Messages) != 1 || aws.ToString(dead.Messages[0].Body) != "poison" ||
		dead.Messages[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:work" {
		t.Fatalf("dead-letter queue: %+v %v", dead, err)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq),
		ReceiptHandle: dead.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	sources, err := c.ListDeadLetterSourceQueues(ctx, &awssqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(sources.QueueUrls) != 1 || sources.QueueUrls[0] != src {
		t.Errorf("dead-letter source queues: %v %v", sources, err)
	}
	if _, err := c.StartMessageMoveTask(ctx, &awssqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}); err != nil {
		t.Fatal(err)
	}
	tasks, err := c.ListMessageMoveTasks(ctx, &awssqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")})
	if err != nil || len(tasks.Results) != 1 || aws.ToString(tasks.Results[0].Status) != "COMPLETED" || tasks.Results[0].ApproximateNumberOfMessagesMoved != 1 {
		t.Fatalf("move tasks: %+v %v", tasks, err)
	}
	back, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(back.Messages) != 1 || aws.ToString(back.Messages[0].Body) != "poison" || back.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("moved back: %+v %v", back, err)
	}
}

// FIFO queues need a message group, deduplicate within five minutes and
// number messages (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html).
func TestFIFO(t *testing.T) {
	ctx := context.Background()
	c, _ := serve(t, t.TempDir())
	url := mustQueue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	_, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a")})
	if cloudtest.APICode(err) != "MissingParameter" {
		t.Errorf("FIFO send without a group: %v", err)
	}
	var seqs []string
	for _, body := range []string{"a", "a", "b"} {
		out, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body), MessageGroupId: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	if seqs[0] == "" || seqs[2] <= seqs[0] {
		t.Errorf("sequence numbers %v do not grow", seqs)
	}
	out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 2 || aws.ToString(out.Messages[0].Body) != "a" || aws.ToString(out.Messages[1].Body) != "b" {
		t.Fatalf("FIFO receive: %+v %v, want a then b once each", out, err)
	}
	// While the group has messages in flight, nothing more of it is
	// delivered.
	if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("c"), MessageGroupId: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	more, _ := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if len(more.Messages) != 0 {
		t.Errorf("received %q while its group is in flight", aws.ToString(more.Messages[0].Body))
	}
}

// A restart loses no message: a queue and its messages, in flight or not,
// are read back from the data directory.
func TestRestartKeepsMessages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, _ := serve(t, dir)
	url := mustQueue(t, c, "durable", nil)
	for _, b := range []string{"first", "second"} {
		if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 600}); err != nil {
		t.Fatal(err)
	}
	c2, _ := serve(t, dir)
	u, err := c2.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c2.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "1" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Fatalf("after restart: %v %v", attrs, err)
	}
	out, err := c2.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: u.QueueUrl})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "second" {
		t.Fatalf("after restart: %+v %v", out, err)
	}
}

// StopPolls ends a long poll at once with no messages, as a server
// shutting down needs.
func TestStopPollsEndsLongPolls(t *testing.T) {
	ctx := context.Background()
	svc, err := sqs.New(sqs.Options{DataDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudtest.Start(t, false)
	srv.Router.Register(edge.SQS, svc)
	cfg, endpoint := srv.Config()
	c := awssqs.NewFromConfig(cfg, func(o *awssqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	url := mustQueue(t, c, "idle", nil)
	done := make(chan *awssqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	time.Sleep(50 * time.Millisecond)
	svc.StopPolls()
	select {
	case out := <-done:
		if out == nil || len(out.Messages) != 0 {
			t.Errorf("stopped poll answered %+v", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not end when polls were stopped")
	}
}
