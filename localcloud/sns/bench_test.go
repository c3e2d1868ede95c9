package sns_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
)

// BenchmarkPublishToQueue measures a Publish that fans out to one queue
// subscription: the SNS call over HTTP, the signed envelope, and the
// SendMessage it makes (which waits for the message to reach the disk).
func BenchmarkPublishToQueue(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	topic := e.topic(b, "bench")
	_, arn := e.queue(b, "bench")
	if _, err := e.sns.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := e.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"job":"j-1","status":"Completed"}`)}); err != nil {
			b.Fatal(err)
		}
	}
}
