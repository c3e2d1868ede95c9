package sqs_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
)

// BenchmarkSendReceiveDelete measures one message's round trip through a
// durable queue with the SDK over HTTP: SendMessage, ReceiveMessage and
// DeleteMessage, each of which writes the message's file.
func BenchmarkSendReceiveDelete(b *testing.B) {
	ctx := context.Background()
	c, _ := serve(b, b.TempDir())
	out, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	url := out.QueueUrl
	b.ResetTimer()
	for range b.N {
		if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(`{"job":"j-1","status":"Completed"}`)}); err != nil {
			b.Fatal(err)
		}
		got, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: url})
		if err != nil || len(got.Messages) != 1 {
			b.Fatalf("receive: %v %v", got, err)
		}
		if _, err := c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
			b.Fatal(err)
		}
	}
}
