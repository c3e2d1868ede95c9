package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// ledgerJobs returns the jobs the ledger holds for an execution, with
// their status as Bedrock reports it now.
func ledgerJobs(t *testing.T, ledger *handler.Ledger, br *awsbedrock.Client, executionArn string) map[string]bedrocktypes.ModelInvocationJobStatus {
	t.Helper()
	ctx := context.Background()
	entries, err := ledger.ExecutionJobs(ctx, executionArn)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bedrocktypes.ModelInvocationJobStatus{}
	for _, e := range entries {
		j, err := br.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(e.JobArn)})
		if err != nil {
			t.Fatal(err)
		}
		out[e.JobArn] = j.Status
	}
	return out
}

// With tags unreadable for stopped jobs (as reported of AWS) and every tag
// of a running execution's jobs deleted, executions still end as they
// should: the one whose tags are gone succeeds, and a job stopped by hand
// through the SDK fails its task with Stopped at once (through its
// event), which fails its execution, whose other job the stopper stops.
func TestServeWithoutTagsAndAJobStoppedByHand(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := startServe(t, root, []string{"BEDROCKBATCH_SIM_LATENCY=6s"}, 3*time.Minute,
		"--app", "go run ./examples/minimal", "--time-scale", "60", "--fault", "tags-unreadable-when-stopped")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s3c := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	br := awsbedrock.NewFromConfig(cfg)
	sf := awssfn.NewFromConfig(cfg)
	db := awsdynamodb.NewFromConfig(cfg)
	bucket, machine := deployedExample(t, s3c, sf)
	tables, err := db.ListTables(ctx, &awsdynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 1 {
		t.Fatalf("tables %v, %v: want the one ledger", tables, err)
	}
	ledger := handler.NewLedger(db, tables.TableNames[0])
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
	untagged, stopped := start("tags-deleted"), start("stopped-by-hand")
	waitFor(t, time.Minute, "both jobs of each execution running", func() (bool, string) {
		a, sa := allIn(ledgerJobs(t, ledger, br, untagged), 2, bedrocktypes.ModelInvocationJobStatusInProgress)
		b, sb := allIn(ledgerJobs(t, ledger, br, stopped), 2, bedrocktypes.ModelInvocationJobStatusInProgress)
		return a && b, sa + " " + sb
	})
	for arn := range ledgerJobs(t, ledger, br, untagged) {
		tags, err := br.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, tag := range tags.Tags {
			keys = append(keys, aws.ToString(tag.Key))
		}
		if _, err := br.UntagResource(ctx, &awsbedrock.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: keys}); err != nil {
			t.Fatal(err)
		}
	}
	var byHand string
	for arn := range ledgerJobs(t, ledger, br, stopped) {
		byHand = arn
		break
	}
	if _, err := br.StopModelInvocationJob(ctx, &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(byHand)}); err != nil {
		t.Fatal(err)
	}
	describe := func(arn string) *awssfn.DescribeExecutionOutput {
		out, err := sf.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	waitFor(t, 30*time.Second, "the execution with a job stopped by hand to fail", func() (bool, string) {
		d := describe(stopped)
		return d.Status == sfntypes.ExecutionStatusFailed, string(d.Status)
	})
	if d := describe(stopped); aws.ToString(d.Error) != string(batch.StatusStopped) {
		t.Errorf("execution failed with %q (%s), want the job's status Stopped", aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if _, err := br.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: aws.String(byHand)}); err == nil {
		t.Error("the stopped job's tags could be read: the fault is off, and the test proves nothing")
	}
	waitFor(t, 30*time.Second, "the stopper to stop the sibling", func() (bool, string) {
		return allIn(ledgerJobs(t, ledger, br, stopped), 2, bedrocktypes.ModelInvocationJobStatusStopped)
	})
	waitFor(t, 2*time.Minute, "the execution without tags to succeed", func() (bool, string) {
		d := describe(untagged)
		return d.Status == sfntypes.ExecutionStatusSucceeded, string(d.Status)
	})
	if ok, seen := allIn(ledgerJobs(t, ledger, br, untagged), 2, bedrocktypes.ModelInvocationJobStatusCompleted); !ok {
		t.Errorf("the untagged execution's jobs: %s, want both Completed", seen)
	}
	// Every job's entry is closed with the status it ended with.
	for _, exec := range []string{untagged, stopped} {
		waitFor(t, 30*time.Second, "every entry closed", func() (bool, string) {
			entries, err := ledger.ExecutionJobs(ctx, exec)
			if err != nil {
				t.Fatal(err)
			}
			ok := len(entries) == 2
			var states []string
			for _, e := range entries {
				ok = ok && !e.Open()
				states = append(states, e.State)
			}
			b, _ := json.Marshal(states)
			return ok, string(b)
		})
	}
}

// A job whose simulated model is slower than its timeout ends
// PartiallyCompleted, and the execution reports it with the output of the
// records it finished, not States.HeartbeatTimeout; a job that never
// starts within its timeout (20 hours in each of Submitted, Validating and
// Scheduled, 60 in all, against 48) ends Expired, and the execution fails
// with that status.
func TestLocalRunJobsThatOutliveTheirTimeout(t *testing.T) {
	// An hour of the cloud's clock per record, 8 records at a time: about
	// 384 of a manifest's ~500 records fit in the 48-hour timeout.
	slow := []string{"BEDROCKBATCH_SIM_LATENCY=1h"}
	res, code, stderr := localRun(t, slow, "--data", t.TempDir(), "--time-scale", "36000")
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	var out []batch.JobResult
	if err := json.Unmarshal(res.Output, &out); err != nil || len(out) != 2 {
		t.Fatalf("execution output %s: %v", res.Output, err)
	}
	for i, r := range out {
		if r.Status != batch.StatusPartiallyCompleted || len(r.Keys) != 1 {
			t.Errorf("output[%d] = %+v, want PartiallyCompleted with its output file", i, r)
		}
	}
	for _, f := range res.OutputFiles {
		if f.Lines == 0 || f.Lines >= 480 {
			t.Errorf("%s holds %d records, want part of the manifest", f.URI, f.Lines)
		}
	}

	res, code, stderr = localRun(t, nil, "--data", t.TempDir(), "--time-scale", "36000", "--step-delay", "20h")
	if code != 1 || res.Status != "FAILED" || res.Error != string(batch.StatusExpired) {
		t.Fatalf("exit %d, status %s, error %q (%s), want FAILED with Expired\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
}
