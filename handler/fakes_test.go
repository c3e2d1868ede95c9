package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// The SDK clients satisfy the narrow interfaces the handlers take.
var (
	_ JobCreator   = (*bedrock.Client)(nil)
	_ JobReader    = (*bedrock.Client)(nil)
	_ S3Lister     = (*s3.Client)(nil)
	_ TaskReporter = (*sfn.Client)(nil)
)

// fakeCreator records CreateModelInvocationJob requests.
type fakeCreator struct {
	arn   string
	err   error
	calls []*bedrock.CreateModelInvocationJobInput
}

func (f *fakeCreator) CreateModelInvocationJob(_ context.Context, in *bedrock.CreateModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	return &bedrock.CreateModelInvocationJobOutput{JobArn: aws.String(f.arn)}, nil
}

// fakeReader serves one job.
type fakeReader struct {
	job      *bedrock.GetModelInvocationJobOutput
	getErr   error
	getCalls []string
}

func (f *fakeReader) GetModelInvocationJob(_ context.Context, in *bedrock.GetModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error) {
	f.getCalls = append(f.getCalls, aws.ToString(in.JobIdentifier))
	if f.getErr != nil {
		return nil, f.getErr
	}
	return f.job, nil
}

// fakeS3 serves a listing split into pages; the continuation token is the
// next page's index.
type fakeS3 struct {
	pages [][]string
	err   error
	calls []*s3.ListObjectsV2Input
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if tok := aws.ToString(in.ContinuationToken); tok != "" {
		var err error
		if i, err = strconv.Atoi(tok); err != nil || i >= len(f.pages) {
			return nil, fmt.Errorf("fake S3: bad continuation token %q", tok)
		}
	}
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
	if i < len(f.pages) {
		for _, k := range f.pages[i] {
			out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k)})
		}
	}
	if i+1 < len(f.pages) {
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

// fakeSFN records what was reported to tasks.
type fakeSFN struct {
	err       error
	successes []*sfn.SendTaskSuccessInput
	failures  []*sfn.SendTaskFailureInput
}

func (f *fakeSFN) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.successes = append(f.successes, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (f *fakeSFN) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.failures = append(f.failures, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sfn.SendTaskFailureOutput{}, nil
}

// testLogger returns a JSON logger at debug level and the buffer it writes to.
func testLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// logLines decodes every JSON log line in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// requireJobArnOnEveryLine fails unless every log line carries jobArn=arn.
func requireJobArnOnEveryLine(t *testing.T, buf *bytes.Buffer, arn string) {
	t.Helper()
	lines := logLines(t, buf)
	if len(lines) == 0 {
		t.Fatal("nothing was logged")
	}
	for _, l := range lines {
		if l["jobArn"] != arn {
			t.Errorf("log line %v: jobArn = %v, want %q", l, l["jobArn"], arn)
		}
	}
}

// testToken builds a task token of n characters from the alphabet Step
// Functions tokens use.
func testToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+i/13)%len(alphabet)]
	}
	return string(b)
}
