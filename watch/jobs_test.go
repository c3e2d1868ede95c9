package watch

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// callCounter counts requests by the last element of their path.
type callCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/listTagsForResource"):
		c.n["tags"]++
	case strings.HasSuffix(p, "/model-invocation-jobs"):
		c.n["list"]++
	case strings.Contains(p, "/model-invocation-job/"):
		c.n["get"]++
	}
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// TestLookCostsWhatChanged follows jobs submitted through the SDK to a
// local cloud: the first look reports every job; a later look lists one
// page (the jobs submitted since), reads no tags again, describes only the
// jobs that had not ended, and reports only new jobs and changed ones.
func TestLookCostsWhatChanged(t *testing.T) {
	ctx := context.Background()
	opts := localcloud.Options{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	opts.Bedrock.MaxJobsPerModel = 100
	cloud, err := localcloud.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()
	if err := cloud.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := cloud.AWSConfig()
	counter := &callCounter{next: cfg.HTTPClient.(*http.Client).Transport, n: map[string]int{}}
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
	const exec = "arn:aws:states:us-east-1:000000000000:execution:M:look"
	since := time.Now()
	submit := func(name string) {
		t.Helper()
		_, err := br.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
			JobName: aws.String(name), ModelId: aws.String("amazon.nova-pro-v1:0"),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
			InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://jobs/in.jsonl")}},
			OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
				Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://jobs/out/")}},
			Tags: []bedrocktypes.Tag{{Key: aws.String("bedrockbatch:execution"), Value: aws.String(exec)}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		submit(fmt.Sprintf("job-%02d", i))
	}
	w := newJobWatch(br, NewJobFilter(br, exec), since)
	counter.take()
	first, err := w.look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 30 || aws.ToString(first[0].JobName) != "job-00" || aws.ToString(first[29].JobName) != "job-29" {
		t.Fatalf("the first look reported %d jobs, want the 30 submitted, oldest first", len(first))
	}
	if n := counter.take(); n["tags"] != 30 {
		t.Errorf("the first look read the tags of %d jobs, want 30", n["tags"])
	}

	submit("job-30")
	open := len(w.open)
	changed, err := w.look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := counter.take()
	if n["list"] != 1 || n["tags"] != 1 || n["get"] != open {
		t.Errorf("a later look made %d list, %d tag and %d describe calls; want 1, 1 (the new job) and %d (the jobs not ended)",
			n["list"], n["tags"], n["get"], open)
	}
	var fresh []string
	for _, j := range changed {
		if !strings.HasPrefix(aws.ToString(j.JobName), "job-") {
			t.Errorf("reported %s, not a job of the execution", aws.ToString(j.JobName))
		}
		if aws.ToString(j.JobName) == "job-30" {
			fresh = append(fresh, "job-30")
		}
	}
	if len(fresh) != 1 || len(changed) > open+1 {
		t.Errorf("a later look reported %d jobs (the new one %d times); want the new job and at most the %d not ended", len(changed), len(fresh), open)
	}
	if all := w.all(ctx); len(all) != 31 {
		t.Errorf("%d jobs in all, want 31", len(all))
	}
}
