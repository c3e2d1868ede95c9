package console_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// The messaging page lists the queues with the counts GetQueueAttributes
// reports and the topics with their subscriptions.
func TestMessagingPage(t *testing.T) {
	ctx := context.Background()
	s := serveCloud(t, localcloud.Options{})
	cfg := s.cloud.AWSConfig()
	sqsc, snsc := awssqs.NewFromConfig(cfg), awssns.NewFromConfig(cfg)
	if _, err := sqsc.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("dlq")}); err != nil {
		t.Fatal(err)
	}
	work, err := sqsc.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("work"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":5}`}})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"a", "b", "c"} {
		if _, err := sqsc.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: work.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sqsc.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: work.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	topic, err := snsc.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("done")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:work")}); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Queues []struct {
			Name                       string
			Visible, InFlight, Delayed int
			DeadLetterQueue            string
			MaxReceiveCount            string
		}
		Topics []struct {
			Name          string
			Subscriptions []struct{ Protocol, Endpoint string }
		}
	}
	if status := s.call(t, http.MethodGet, "api/messaging", nil, &page); status != http.StatusOK {
		t.Fatalf("api/messaging: %d", status)
	}
	if len(page.Queues) != 2 || page.Queues[1].Name != "work" || page.Queues[1].Visible != 2 || page.Queues[1].InFlight != 1 ||
		page.Queues[1].DeadLetterQueue != "arn:aws:sqs:us-east-1:000000000000:dlq" || page.Queues[1].MaxReceiveCount != "5" {
		t.Errorf("queues %+v", page.Queues)
	}
	if len(page.Topics) != 1 || page.Topics[0].Name != "done" || len(page.Topics[0].Subscriptions) != 1 || page.Topics[0].Subscriptions[0].Protocol != "sqs" {
		t.Errorf("topics %+v", page.Topics)
	}
	res, err := http.Get(s.url + "messaging.js")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	js, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(js), "async function messagingView") {
		t.Errorf("messaging.js: %d", res.StatusCode)
	}
}
