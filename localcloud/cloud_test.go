package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

func newCloud(t *testing.T) *localcloud.Cloud {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	c, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: quiet, RequestLogger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); c.Wait(); c.Lambda.Close() })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// In-process SDK clients reach every service through the router, and an
// event put on the bus reaches a Lambda handler through the Lambda API.
func TestInProcessClients(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	cfg := c.AWSConfig()

	s3c := s3.NewFromConfig(cfg) // virtual-host addressing: bucket.localhost
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-proc")}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("in-proc"), Key: aws.String("a/b.bin"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("in-proc"), Key: aws.String("a/b.bin")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, big) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(big))
	}
	if _, err := c.Store.HeadObject(ctx, "in-proc", "a/b.bin"); err != nil {
		t.Fatalf("the Go-level store does not see the object: %v", err)
	}

	received := make(chan string, 1)
	c.Lambda.Register("on-event", lambda.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { received <- string(p); return nil, nil }))
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:on-event"), InputPath: aws.String("$.detail")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("t"), Detail: aws.String(`{"ok":true}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-received:
		if p != `{"ok":true}` {
			t.Fatalf("handler got %s", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the event never reached the Lambda handler")
	}
}

func TestRouting(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	srv := httptest.NewServer(c.Router)
	defer srv.Close()
	cfg := c.AWSConfig()
	cfg.HTTPClient = srv.Client()
	cfg.BaseEndpoint = aws.String(srv.URL)
	cfg.RetryMaxAttempts = 1

	// A service that is not registered answers with an error naming the
	// services that are.
	call := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := call(); status < 400 || !strings.Contains(body, "UnknownServiceException") ||
		!strings.Contains(body, "bedrock, dynamodb, events, lambda, s3, sns, sqs, states") {
		t.Fatalf("unregistered service: %d %s", status, body)
	}
	// Once registered, it is served.
	c.Register("kinesis", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"StreamNames":[]}`))
	}))
	if status, body := call(); status != http.StatusOK || body != `{"StreamNames":[]}` {
		t.Fatalf("registered service: %d %s", status, body)
	}
	if _, err := sfn.NewFromConfig(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
		t.Fatalf("step functions through the router: %v", err)
	}

	// A presigned URL is routed by its X-Amz-Credential.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pre")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("k"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	ps, err := s3.NewPresignClient(s3c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" || resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, body)
	}

	// Unsigned requests: by X-Amz-Target, by path, else S3.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSEvents.ListEventBuses")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buses struct{ EventBuses []struct{ Name string } }
	_ = json.NewDecoder(resp.Body).Decode(&buses)
	resp.Body.Close()
	if len(buses.EventBuses) != 1 || buses.EventBuses[0].Name != "default" {
		t.Fatalf("unsigned awsJson request: %d %+v", resp.StatusCode, buses)
	}
	resp, err = http.Get(srv.URL + "/pre/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Fatalf("unsigned GET of an object: %d %q", resp.StatusCode, body)
	}
	resp, err = http.Get(srv.URL + edge.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"s3"`) || !strings.Contains(string(body), `"states"`) {
		t.Fatalf("health: %s", body)
	}
}
