package localcloud_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Once the cloud is served, in-process clients get queue URLs and message
// links on the address it is served on, so they work from outside too.
func TestServedAddressInURLsAndLinks(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Serve(sctx, ln) }()
	t.Cleanup(func() { stop(); <-done })
	addr := ln.Addr().String()
	cfg := c.AWSConfig()
	sqsc, snsc := awssqs.NewFromConfig(cfg), awssns.NewFromConfig(cfg)
	q, err := sqsc.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil || aws.ToString(q.QueueUrl) != "http://"+addr+"/000000000000/inbox" {
		t.Fatalf("queue URL %s (%v), want it on %s", aws.ToString(q.QueueUrl), err, addr)
	}
	topic, err := snsc.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:inbox")}); err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Publish(ctx, &awssns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	got, err := sqsc.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive: %v %v", got, err)
	}
	var env struct{ SigningCertURL string }
	_ = json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &env)
	if !strings.HasPrefix(env.SigningCertURL, "http://"+addr+"/") {
		t.Fatalf("SigningCertURL %q is not on %s", env.SigningCertURL, addr)
	}
	res, err := http.Get(env.SigningCertURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	pem, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("SigningCertURL answered %d %.60s", res.StatusCode, pem)
	}
}
