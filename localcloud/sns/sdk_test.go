package sns_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sns"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sqs"
)

var quiet = slog.New(slog.DiscardHandler)

type env struct {
	sns    *awssns.Client
	sqs    *awssqs.Client
	lambda *lambda.Service
	svc    *sns.Service
	// endpoint is the router's base URL.
	endpoint string
}

// newEnv serves SNS, SQS and Lambda behind one router, SNS delivering
// through the SQS and Lambda SDK clients.
func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	srv := cloudtest.Start(t, false)
	cfg, endpoint := srv.Config()
	qsvc, err := sqs.New(sqs.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	lsvc, err := lambda.New(lambda.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sqsClient := awssqs.NewFromConfig(cfg, func(o *awssqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	ssvc, err := sns.New(sns.Options{DataDir: dir, Logger: quiet, SQS: sqsClient,
		Lambda: awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(endpoint) })})
	if err != nil {
		t.Fatal(err)
	}
	srv.Router.Register(edge.SQS, qsvc)
	srv.Router.Register(edge.SNS, ssvc)
	srv.Router.Register(edge.Lambda, lsvc)
	srv.Router.Mount(sns.LinksPath, ssvc.Links())
	ctx, cancel := context.WithCancel(context.Background())
	if err := lsvc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); lsvc.Wait(); ssvc.Wait() })
	return &env{sns: awssns.NewFromConfig(cfg, func(o *awssns.Options) { o.BaseEndpoint = aws.String(endpoint) }), sqs: sqsClient, lambda: lsvc, svc: ssvc, endpoint: endpoint}
}

func (e *env) topic(t testing.TB, name string) string {
	t.Helper()
	out, err := e.sns.CreateTopic(context.Background(), &awssns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func (e *env) queue(t testing.TB, name string) (url, arn string) {
	t.Helper()
	out, err := e.sqs.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), "arn:aws:sqs:us-east-1:000000000000:" + name
}

func (e *env) receive(t *testing.T, url string) []sqstypes.Message {
	t.Helper()
	out, err := e.sqs.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// A message published to a topic reaches a subscribed queue in SNS's JSON
// envelope, or as is with RawMessageDelivery, its attributes becoming the
// queue message's attributes
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html,
// https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
func TestPublishToQueues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	topic := e.topic(t, "jobs-done")
	if topic != "arn:aws:sns:us-east-1:000000000000:jobs-done" {
		t.Errorf("topic ARN %s", topic)
	}
	envURL, envArn := e.queue(t, "enveloped")
	rawURL, rawArn := e.queue(t, "raw")
	if _, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(envArn)}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(rawArn),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("job j-1 completed"), Subject: aws.String("done"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"status": {DataType: aws.String("String"), StringValue: aws.String("Completed")}}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.receive(t, envURL)
	if len(msgs) != 1 {
		t.Fatalf("enveloped queue has %d messages", len(msgs))
	}
	var n map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &n); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"Type": "Notification", "MessageId": aws.ToString(pub.MessageId), "TopicArn": topic,
		"Subject": "done", "Message": "job j-1 completed", "SignatureVersion": "1"} {
		if n[k] != want {
			t.Errorf("envelope %s = %v, want %v", k, n[k], want)
		}
	}
	for _, k := range []string{"Timestamp", "Signature", "SigningCertURL", "UnsubscribeURL"} {
		if s, _ := n[k].(string); s == "" {
			t.Errorf("envelope has no %s", k)
		}
	}
	if attr, _ := n["MessageAttributes"].(map[string]any)["status"].(map[string]any); attr["Type"] != "String" || attr["Value"] != "Completed" {
		t.Errorf("envelope attributes %v", n["MessageAttributes"])
	}
	verifySignature(t, n)
	raw := e.receive(t, rawURL)
	if len(raw) != 1 || aws.ToString(raw[0].Body) != "job j-1 completed" || aws.ToString(raw[0].MessageAttributes["status"].StringValue) != "Completed" {
		t.Fatalf("raw queue: %+v", raw)
	}
	attrs, err := e.sns.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	if err != nil || attrs.Attributes["RawMessageDelivery"] != "true" || attrs.Attributes["Protocol"] != "sqs" || attrs.Attributes["Endpoint"] != rawArn {
		t.Errorf("subscription attributes %v %v", attrs, err)
	}
	list, err := e.sns.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(list.Subscriptions) != 2 {
		t.Errorf("subscriptions by topic: %+v %v", list, err)
	}
	// Unsubscribed, the raw queue gets nothing more.
	if _, err := e.sns.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	batch, err := e.sns.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("one"), Message: aws.String("first")}, {Id: aws.String("two"), Message: aws.String("")},
	}})
	if err != nil || len(batch.Successful) != 1 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Id) != "two" {
		t.Fatalf("publish batch: %+v %v", batch, err)
	}
	if got := e.receive(t, rawURL); len(got) != 0 {
		t.Errorf("unsubscribed queue got %d messages", len(got))
	}
}

// verifySignature checks a notification's signature with the certificate
// at its SigningCertURL, as a subscriber would
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html).
func verifySignature(t *testing.T, n map[string]any) {
	t.Helper()
	res, err := http.Get(n["SigningCertURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	certPEM, _ := io.ReadAll(res.Body)
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatalf("SigningCertURL served no certificate: %s", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, k := range []string{"Message", "MessageId", "Subject", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"} {
		if v, ok := n[k].(string); ok {
			b.WriteString(k + "\n" + v + "\n")
		}
	}
	sum := sha1.Sum([]byte(b.String()))
	sig, _ := base64.StdEncoding.DecodeString(n["Signature"].(string))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA1, sum[:], sig); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
}

// A filter policy on message attributes lets through only the messages
// it matches (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html).
func TestFilterPolicy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	topic := e.topic(t, "filtered")
	url, arn := e.queue(t, "failed-only")
	if _, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(arn),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"status":["Failed"],"records":[{"numeric":[">",10]}]}`}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ status, records, body string }{{"Completed", "100", "a"}, {"Failed", "5", "b"}, {"Failed", "50", "c"}} {
		if _, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(m.body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"status":  {DataType: aws.String("String"), StringValue: aws.String(m.status)},
				"records": {DataType: aws.String("Number"), StringValue: aws.String(m.records)},
			}}); err != nil {
			t.Fatal(err)
		}
	}
	got := e.receive(t, url)
	if len(got) != 1 || aws.ToString(got[0].Body) != "c" {
		t.Fatalf("filtered queue got %+v, want only c", got)
	}
	_, err := e.sns.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String("arn:aws:sns:us-east-1:000000000000:filtered:nope"),
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("attributes of a missing subscription: %v, want NotFound", err)
	}
}

// A function subscribed to a topic is invoked asynchronously with an SNS
// event (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
func TestPublishToFunction(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	got := make(chan events.SNSEvent, 1)
	e.lambda.Register("on-done", lambda.HandlerFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.SNSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		got <- ev
		return nil, nil
	}))
	if _, err := e.lambda.Deploy(lambda.Function{Name: "on-done"}, nil); err != nil {
		t.Fatal(err)
	}
	topic := e.topic(t, "to-function")
	sub, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("lambda"),
		Endpoint: aws.String("arn:aws:lambda:us-east-1:000000000000:function:on-done")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if len(ev.Records) != 1 {
			t.Fatalf("event %+v", ev)
		}
		r := ev.Records[0]
		if r.EventSource != "aws:sns" || r.EventSubscriptionArn != aws.ToString(sub.SubscriptionArn) || r.SNS.Message != "hello" ||
			r.SNS.TopicArn != topic || r.SNS.Type != "Notification" || r.SNS.MessageAttributes["k"].(map[string]any)["Value"] != "v" || r.SNS.Timestamp.IsZero() {
			t.Errorf("SNS event record %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the function was not invoked")
	}
}

// An HTTP endpoint gets a SubscriptionConfirmation, confirms by visiting
// its SubscribeURL, then gets notifications with SNS's headers
// (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html).
func TestHTTPSubscription(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var mu sync.Mutex
	posts := make(chan http.Header, 4)
	bodies := map[string]map[string]any{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		bodies[r.Header.Get("x-amz-sns-message-type")] = m
		mu.Unlock()
		if m["Type"] == "SubscriptionConfirmation" {
			res, err := http.Get(m["SubscribeURL"].(string))
			if err == nil {
				res.Body.Close()
			}
		}
		posts <- r.Header.Clone()
	}))
	defer hook.Close()
	topic := e.topic(t, "webhook")
	sub, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(hook.URL + "/sns")})
	if err != nil || aws.ToString(sub.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("subscribe: %v %v", sub, err)
	}
	h := <-posts
	if h.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" || h.Get("x-amz-sns-topic-arn") != topic {
		t.Fatalf("first post headers %v", h)
	}
	// The endpoint confirmed before answering; publish now reaches it.
	if _, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("ping")}); err != nil {
		t.Fatal(err)
	}
	select {
	case h = <-posts:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	if h.Get("x-amz-sns-message-type") != "Notification" || h.Get("x-amz-sns-subscription-arn") == "" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("notification headers %v", h)
	}
	mu.Lock()
	n := bodies["Notification"]
	mu.Unlock()
	if n["Message"] != "ping" {
		t.Errorf("notification %v", n)
	}
	verifySignature(t, n)
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	_, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:missing"), Message: aws.String("x")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("publish to a missing topic: %v, want NotFound (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors)", err)
	}
	_, err = e.sns.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("bad name")})
	var ip *snstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("topic name with a space: %v, want InvalidParameter", err)
	}
}

// A FIFO topic needs a message group and delivers a deduplicated message
// once to its FIFO queue
// (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html).
func TestFIFOTopic(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	topic, err := e.sns.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("orders.fifo"),
		Attributes: map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.sqs.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("orders.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:orders.fifo"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("order 1")})
	var ip *snstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("publish without a group: %v, want InvalidParameter", err)
	}
	for _, m := range []string{"order 1", "order 1", "order 2"} {
		out, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(m), MessageGroupId: aws.String("c-1")})
		if err != nil || aws.ToString(out.SequenceNumber) == "" {
			t.Fatalf("publish %q: %v %v", m, out, err)
		}
	}
	got := e.receive(t, aws.ToString(q.QueueUrl))
	if len(got) != 2 || aws.ToString(got[0].Body) != "order 1" || aws.ToString(got[1].Body) != "order 2" {
		t.Fatalf("FIFO queue got %d messages, want order 1 then order 2 once each", len(got))
	}
}
