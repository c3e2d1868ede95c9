package watch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

// countingTransport counts the requests whose path ends in suffix.
type countingTransport struct {
	next   http.RoundTripper
	suffix string
	n      atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, c.suffix) {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// TestJobFilterKeepsTheExecutionsJobs submits jobs through the SDK to a
// local cloud, tagged with one execution, with another, and not at all,
// and checks which jobs a filter keeps for each execution, reading each
// job's tags once however often it looks.
func TestJobFilterKeepsTheExecutionsJobs(t *testing.T) {
	ctx := context.Background()
	cloud, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()
	if err := cloud.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := cloud.AWSConfig()
	counter := &countingTransport{next: cfg.HTTPClient.(*http.Client).Transport, suffix: "/listTagsForResource"}
	cfg.HTTPClient = &http.Client{Transport: counter}
	s3c, br := s3.NewFromConfig(cfg), bedrock.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&lines, `{"recordId":"r%03d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"hi %d"}]}]}}`+"\n", i, i)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("jobs"), Key: aws.String("in.jsonl"), Body: bytes.NewReader(lines.Bytes())}); err != nil {
		t.Fatal(err)
	}
	const (
		execA = "arn:aws:states:us-east-1:000000000000:execution:M:a"
		execB = "arn:aws:states:us-east-1:000000000000:execution:M:b"
		// An execution name with a letter tags do not allow: its jobs
		// carry the digest of the ARN.
		execD = "arn:aws:states:us-east-1:000000000000:execution:M:é"
	)
	since := time.Now()
	submit := func(name, execution string) {
		in := &bedrock.CreateModelInvocationJobInput{
			JobName: aws.String(name), ModelId: aws.String("amazon.nova-pro-v1:0"),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
			InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://jobs/in.jsonl")}},
			OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://jobs/out/")}},
		}
		if execution != "" {
			in.Tags = []bedrocktypes.Tag{{Key: aws.String("bedrockbatch:execution"), Value: aws.String(execution)}}
		}
		if _, err := br.CreateModelInvocationJob(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	submit("of-a", execA)
	submit("of-b", execB)
	submit("untagged", "")
	sum := sha256.Sum256([]byte(execD))
	submit("of-d", "sha256:"+hex.EncodeToString(sum[:]))

	names := func(f *watch.JobFilter) string {
		jobs, err := watch.ExecutionJobs(ctx, f, since)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, j := range jobs {
			n = append(n, aws.ToString(j.JobName))
		}
		return strings.Join(n, " ")
	}
	a := watch.NewJobFilter(br, execA)
	for range 3 {
		if got := names(a); got != "of-a" {
			t.Errorf("jobs of execution a: %q, want only of-a (b's job and the untagged one left out)", got)
		}
	}
	if n := counter.n.Load(); n != 4 {
		t.Errorf("%d ListTagsForResource calls for 4 jobs looked at 3 times, want 4", n)
	}
	if got := names(watch.NewJobFilter(br, execD)); got != "of-d" {
		t.Errorf("jobs of execution d: %q, want of-d, tagged with the digest of its ARN", got)
	}
	// An execution none of whose jobs is tagged (a deployment older than
	// the tag) falls back to the time window, without other executions'
	// tagged jobs.
	if got := names(watch.NewJobFilter(br, "arn:aws:states:us-east-1:000000000000:execution:Old:c")); got != "untagged" {
		t.Errorf("jobs of an execution with no tagged job: %q, want the untagged job", got)
	}
}
