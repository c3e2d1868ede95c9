package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// With every Bedrock event lost, the reconciler alone reports the jobs and
// the execution still succeeds with every record.
func TestLocalRunWithEveryEventLost(t *testing.T) {
	data := t.TempDir()
	res, code, stderr := localRun(t, nil, "--data", data, "--drop-events", "1", "--time-scale", "600")
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	want := map[string]int{"manifest-1.jsonl.out": 520, "manifest-2.jsonl.out": 480}
	if len(res.OutputFiles) != 2 {
		t.Fatalf("output files %+v, want 2", res.OutputFiles)
	}
	for _, f := range res.OutputFiles {
		checkOutputFile(t, f, want[filepath.Base(f.Path)])
	}
	logs, _ := filepath.Glob(filepath.Join(data, "logs", "*.log"))
	var text []byte
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		text = append(text, b...)
	}
	if n := bytes.Count(text, []byte("event dropped")); n == 0 {
		t.Error("no event was dropped: the run did not exercise the reconciler")
	}
	if bytes.Contains(text, []byte(`"function":"jobevent"`)) {
		t.Error("the job-event function ran although every event was dropped")
	}
}

// serveApp runs `local serve` with the bundled example deployed, on a
// compressed clock and a slow simulated model so jobs run for seconds.
func serveApp(t *testing.T) aws.Config {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// 6 s of the cloud's time per record is 0.1 s of wall time.
	endpoint := startServe(t, root, []string{"BEDROCKBATCH_SIM_LATENCY=6s"}, 3*time.Minute,
		"--app", "go run ./examples/minimal", "--time-scale", "60")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// deployedExample finds the example's bucket and state machine.
func deployedExample(t *testing.T, s3c *awss3.Client, sf *awssfn.Client) (bucket, machine string) {
	t.Helper()
	ctx := context.Background()
	buckets, err := s3c.ListBuckets(ctx, &awss3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		if strings.Contains(aws.ToString(b.Name), "bedrockbatchbucket") {
			bucket = aws.ToString(b.Name)
		}
	}
	machines, err := sf.ListStateMachines(ctx, &awssfn.ListStateMachinesInput{})
	if err != nil || len(machines.StateMachines) != 1 || bucket == "" {
		t.Fatalf("deployed example: bucket %q, state machines %v, %v", bucket, machines, err)
	}
	return bucket, aws.ToString(machines.StateMachines[0].StateMachineArn)
}

func upload(t *testing.T, s3c *awss3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := s3c.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

// jobsOf returns the status of every job the execution started, by job
// ARN, as the tags the create-job function puts on them tell.
func jobsOf(t *testing.T, br *awsbedrock.Client, executionArn string) map[string]bedrocktypes.ModelInvocationJobStatus {
	t.Helper()
	ctx := context.Background()
	out := map[string]bedrocktypes.ModelInvocationJobStatus{}
	pages := awsbedrock.NewListModelInvocationJobsPaginator(br, &awsbedrock.ListModelInvocationJobsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page.InvocationJobSummaries {
			tags, err := br.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: j.JobArn})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range tags.Tags {
				if aws.ToString(tag.Key) == batch.ExecutionTag && aws.ToString(tag.Value) == batch.ExecutionTagValue(executionArn) {
					out[aws.ToString(j.JobArn)] = j.Status
				}
			}
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ok bool
		if ok, last = cond(); ok {
			return
		}
	}
	t.Fatalf("%s: not after %s; last seen: %s", what, limit, last)
}

func allIn(jobs map[string]bedrocktypes.ModelInvocationJobStatus, n int, statuses ...bedrocktypes.ModelInvocationJobStatus) (bool, string) {
	ok := len(jobs) == n
	for _, s := range jobs {
		var match bool
		for _, want := range statuses {
			match = match || s == want
		}
		ok = ok && match
	}
	return ok, fmt.Sprint(jobs)
}

// An execution stopped through the Step Functions API, or failed by one of
// its jobs, has its other jobs stopped by the deployed stopper; the jobs of
// another execution go on.
func TestServeStopsTheJobsOfEndedExecutions(t *testing.T) {
	cfg := serveApp(t)
	ctx := context.Background()
	s3c := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	br := awsbedrock.NewFromConfig(cfg)
	sf := awssfn.NewFromConfig(cfg)
	bucket, machine := deployedExample(t, s3c, sf)
	for _, name := range []string{"manifest-1.jsonl", "manifest-2.jsonl"} {
		body, err := sampleapp.Data.ReadFile(sampleapp.DataDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		upload(t, s3c, bucket, "input/"+name, body)
	}
	start := func(name string) string {
		out, err := sf.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(name), Input: aws.String("{}")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ExecutionArn)
	}
	describe := func(arn string) *awssfn.DescribeExecutionOutput {
		out, err := sf.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	stopped, other := start("to-stop"), start("left-alone")
	waitFor(t, time.Minute, "both jobs of each execution running", func() (bool, string) {
		a, sa := allIn(jobsOf(t, br, stopped), 2, bedrocktypes.ModelInvocationJobStatusInProgress)
		b, sb := allIn(jobsOf(t, br, other), 2, bedrocktypes.ModelInvocationJobStatusInProgress)
		return a && b, sa + " " + sb
	})
	if _, err := sf.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: aws.String(stopped), Cause: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the stopped execution's jobs Stopped", func() (bool, string) {
		return allIn(jobsOf(t, br, stopped), 2, bedrocktypes.ModelInvocationJobStatusStopped)
	})
	waitFor(t, 2*time.Minute, "the other execution to succeed", func() (bool, string) {
		d := describe(other)
		return d.Status == sfntypes.ExecutionStatusSucceeded, string(d.Status)
	})
	if ok, seen := allIn(jobsOf(t, br, other), 2, bedrocktypes.ModelInvocationJobStatusCompleted); !ok {
		t.Errorf("the other execution's jobs: %s, want both Completed", seen)
	}

	// One job fails validation (too few records) while its sibling runs:
	// the Map fails, the execution fails, and the sibling is stopped.
	var small strings.Builder
	for i := range 10 {
		fmt.Fprintf(&small, `{"recordId":"S%02d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"item %d"}]}]}}`+"\n", i, i)
	}
	upload(t, s3c, bucket, "input/manifest-1.jsonl", []byte(small.String()))
	failing := start("sibling-fails")
	waitFor(t, time.Minute, "the execution to fail", func() (bool, string) {
		d := describe(failing)
		return d.Status == sfntypes.ExecutionStatusFailed, string(d.Status)
	})
	waitFor(t, 30*time.Second, "the failed job and its stopped sibling", func() (bool, string) {
		jobs := jobsOf(t, br, failing)
		var failed, sibling int
		for _, s := range jobs {
			switch s {
			case bedrocktypes.ModelInvocationJobStatusFailed:
				failed++
			case bedrocktypes.ModelInvocationJobStatusStopped:
				sibling++
			}
		}
		return failed == 1 && sibling == 1, fmt.Sprint(jobs)
	})
}
