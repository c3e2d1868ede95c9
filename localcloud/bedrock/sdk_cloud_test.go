package bedrock_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// newCloud starts a local cloud whose jobs take any number of records.
func newCloud(t *testing.T) *localcloud.Cloud {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	opts := localcloud.Options{DataDir: t.TempDir(), Logger: quiet, RequestLogger: quiet}
	opts.Bedrock.Limits = manifest.Limits{MinRecordsPerJob: 1}
	c, err := localcloud.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); c.Wait(); c.Close() })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// submit puts input in s3://inbox/input.jsonl and creates a job on it.
func submit(t *testing.T, c *localcloud.Cloud, name, input string) (*awsbedrock.Client, *awss3.Client, string) {
	t.Helper()
	ctx := context.Background()
	s3c := awss3.NewFromConfig(c.AWSConfig(), func(o *awss3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"inbox", "outbox"} {
		if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String("input.jsonl"), Body: strings.NewReader(input)}); err != nil {
		t.Fatal(err)
	}
	br := awsbedrock.NewFromConfig(c.AWSConfig())
	out, err := br.CreateModelInvocationJob(ctx, &awsbedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name), ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		RoleArn:         aws.String("arn:aws:iam::123456789012:role/batch"),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://inbox/input.jsonl")}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://outbox/")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return br, s3c, aws.ToString(out.JobArn)
}

func waitDone(t *testing.T, br *awsbedrock.Client, arn string) *awsbedrock.GetModelInvocationJobOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := br.GetModelInvocationJob(context.Background(), &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		switch j.Status {
		case types.ModelInvocationJobStatusCompleted, types.ModelInvocationJobStatusPartiallyCompleted,
			types.ModelInvocationJobStatusFailed, types.ModelInvocationJobStatusStopped, types.ModelInvocationJobStatusExpired:
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s after 30 s", j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A job reads back as Submitted right after it is created, as on the
// service, before it moves on.
func TestNewJobReadsBackSubmitted(t *testing.T) {
	c := newCloud(t)
	br, _, arn := submit(t, c, "submitted", `{"recordId":"a","modelInput":{"messages":[{"role":"user","content":"hi"}],"max_tokens":5,"anthropic_version":"bedrock-2023-05-31"}}`+"\n")
	j, err := br.GetModelInvocationJob(context.Background(), &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != types.ModelInvocationJobStatusSubmitted {
		t.Fatalf("right after CreateModelInvocationJob the job is %s, want Submitted", j.Status)
	}
	if j := waitDone(t, br, arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
	}
}

// The id generated for a record without one never equals another record's
// own id, even one shaped like a generated id.
func TestGeneratedRecordIDsDoNotCollide(t *testing.T) {
	c := newCloud(t)
	const input = `{"modelInput":{"messages":[{"role":"user","content":"one"}],"max_tokens":5,"anthropic_version":"bedrock-2023-05-31"}}
{"recordId":"REC00000001","modelInput":{"messages":[{"role":"user","content":"two"}],"max_tokens":5,"anthropic_version":"bedrock-2023-05-31"}}
{"modelInput":{"messages":[{"role":"user","content":"three"}],"max_tokens":5,"anthropic_version":"bedrock-2023-05-31"}}
`
	br, s3c, arn := submit(t, c, "ids", input)
	if j := waitDone(t, br, arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
	}
	jobID := arn[strings.LastIndex(arn, "/")+1:]
	obj, err := s3c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("outbox"), Key: aws.String(jobID + "/input.jsonl.out")})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	ids := map[string]string{} // recordId → the content it asked for
	sc := bufio.NewScanner(obj.Body)
	for sc.Scan() {
		var line struct {
			RecordID   string `json:"recordId"`
			ModelInput struct {
				Messages []struct{ Content string } `json:"messages"`
			} `json:"modelInput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if prev, dup := ids[line.RecordID]; dup {
			t.Fatalf("recordId %s names both %q and %q", line.RecordID, prev, line.ModelInput.Messages[0].Content)
		}
		ids[line.RecordID] = line.ModelInput.Messages[0].Content
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids); got != "map[REC00000001:two REC00000001-1:one REC00000003:three]" {
		t.Fatalf("output ids %s", got)
	}
}
