package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// startServe starts `bedrockbatch local serve` on a free port with a new
// data directory and args, in dir ("" for this one) with env added, waits
// up to wait for it to answer and returns its endpoint; it stops when the
// test ends.
func startServe(t *testing.T, dir string, env []string, wait time.Duration, args ...string) string {
	t.Helper()
	bin := cliBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, append([]string{"local", "serve", "--addr", addr, "--data", t.TempDir()}, args...)...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	endpoint := "http://" + addr
	for deadline := time.Now().Add(wait); ; {
		resp, err := http.Get(endpoint + "/_localcloud/health")
		if err == nil {
			resp.Body.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("local serve did not answer on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve starts `bedrockbatch local serve` on a free port and returns an SDK
// configuration that reaches it the way users point their tools at it:
// through AWS_ENDPOINT_URL.
func serve(t *testing.T) aws.Config {
	t.Helper()
	endpoint := startServe(t, "", nil, 30*time.Second)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestServeWithPlainSDKClients(t *testing.T) {
	cfg := serve(t)
	ctx := context.Background()
	s3c := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	br := awsbedrock.NewFromConfig(cfg)
	sf := awssfn.NewFromConfig(cfg)

	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("batch-data")}); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for i := range 120 {
		fmt.Fprintf(&lines, `{"recordId":"r%03d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Question %d?"}]}}`+"\n", i, i)
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("batch-data"), Key: aws.String("in/q.jsonl"), Body: bytes.NewReader(lines.Bytes())}); err != nil {
		t.Fatal(err)
	}
	created, err := br.CreateModelInvocationJob(ctx, &awsbedrock.CreateModelInvocationJobInput{
		JobName: aws.String("sdk-job-1"),
		ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
		InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://batch-data/in/q.jsonl")}},
		OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://batch-data/out/")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var job *awsbedrock.GetModelInvocationJobOutput
	for deadline := time.Now().Add(30 * time.Second); ; {
		job, err = br.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: created.JobArn})
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == bedrocktypes.ModelInvocationJobStatusCompleted || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if job.Status != bedrocktypes.ModelInvocationJobStatusCompleted {
		t.Fatalf("job status %s (%s), want Completed", job.Status, aws.ToString(job.Message))
	}
	jobID := aws.ToString(created.JobArn)[strings.LastIndex(aws.ToString(created.JobArn), "/")+1:]
	listed, err := s3c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("batch-data"), Prefix: aws.String("out/" + jobID + "/")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range listed.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	wantKeys := []string{"out/" + jobID + "/manifest.json.out", "out/" + jobID + "/q.jsonl.out"}
	if strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
		t.Fatalf("outputs %v, want %v", keys, wantKeys)
	}
	obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("batch-data"), Key: aws.String(wantKeys[0])})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := manifest.ReadSummary(obj.Body)
	obj.Body.Close()
	if err != nil || sum.TotalRecordCount != 120 || sum.SuccessRecordCount != 120 || sum.InputTokenCount == 0 {
		t.Fatalf("manifest.json.out %+v (%v), want 120 records all succeeded", sum, err)
	}

	_, err = br.CreateModelInvocationJob(ctx, &awsbedrock.CreateModelInvocationJobInput{
		JobName: aws.String("bad_name"), ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
		InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://batch-data/in/q.jsonl")}},
		OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://batch-data/out/")}},
	})
	var invalid *bedrocktypes.ValidationException
	if !errors.As(err, &invalid) {
		t.Errorf("job name with an underscore: err = %v, want a ValidationException", err)
	}

	sm, err := sf.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{
		Name:       aws.String("hello"),
		RoleArn:    aws.String("arn:aws:iam::000000000000:role/sfn"),
		Definition: aws.String(`{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"End":true}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	started, err := sf.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"who":"world"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var desc *awssfn.DescribeExecutionOutput
	for deadline := time.Now().Add(10 * time.Second); ; {
		desc, err = sf.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if desc.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(desc.Output) != `{"greeting":"hello world"}` {
		t.Errorf("execution %s with output %s, want SUCCEEDED with the greeting", desc.Status, aws.ToString(desc.Output))
	}
}
