package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// served is a local cloud on a test server, with the console at its URL.
type served struct {
	cloud *localcloud.Cloud
	url   string
}

func serveCloud(t *testing.T, opts localcloud.Options) *served {
	t.Helper()
	opts.DataDir = t.TempDir()
	opts.Logger = slog.New(slog.DiscardHandler)
	c, err := localcloud.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Router)
	t.Cleanup(func() { srv.Close(); cancel(); c.Wait(); c.Close() })
	return &served{cloud: c, url: srv.URL + console.Path}
}

// call makes a request of the console's API and decodes its JSON answer.
func (s *served) call(t *testing.T, method, path string, header http.Header, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, body)
		}
	}
	return resp.StatusCode
}

type stateRun struct {
	Status     string `json:"status"`
	Entered    int    `json:"entered"`
	Iterations *struct {
		Total, Started, Succeeded, Failed, Aborted int
	} `json:"iterations"`
}

type executionPage struct {
	Execution struct {
		Status string `json:"status"`
	} `json:"execution"`
	Definition string              `json:"definition"`
	States     map[string]stateRun `json:"states"`
	Events     []struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
		Step string `json:"step"`
	} `json:"events"`
}

func startExecution(t *testing.T, sfc *awssfn.Client, name, definition string) string {
	t.Helper()
	ctx := context.Background()
	m, err := sfc.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := sfc.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: m.StateMachineArn, Input: aws.String("{}")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(e.ExecutionArn)
}

func waitExecution(t *testing.T, sfc *awssfn.Client, arn string) sfntypes.ExecutionStatus {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		d, err := sfc.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return d.Status
		}
	}
	t.Fatalf("execution %s still running", arn)
	return ""
}

// Each state is coloured by what its events say: a Map whose failed
// iteration a Catch handled is caught, the Fail state inside it failed, a
// state never entered absent; the Map counts its iterations, and every
// event names its step.
func TestExecutionStates(t *testing.T) {
	s := serveCloud(t, localcloud.Options{})
	sfc := awssfn.NewFromConfig(s.cloud.AWSConfig())
	arn := startExecution(t, sfc, "caught", `{
	  "StartAt": "Prepare",
	  "States": {
	    "Prepare": {"Type": "Pass", "Result": [1, 2, 3], "Next": "Each"},
	    "Each": {
	      "Type": "Map", "MaxConcurrency": 1,
	      "ItemProcessor": {"StartAt": "Check", "States": {
	        "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Boom"}], "Default": "Fine"},
	        "Boom": {"Type": "Fail", "Error": "Bad", "Cause": "two"},
	        "Fine": {"Type": "Pass", "End": true}
	      }},
	      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
	      "Next": "Never"
	    },
	    "Never": {"Type": "Pass", "End": true},
	    "Handled": {"Type": "Pass", "End": true}
	  }
	}`)
	if st := waitExecution(t, sfc, arn); st != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s", st)
	}
	var page executionPage
	if code := s.call(t, "GET", "api/execution?"+url.Values{"arn": {arn}}.Encode(), nil, &page); code != 200 {
		t.Fatalf("GET execution: %d", code)
	}
	got := map[string]string{}
	for n, r := range page.States {
		got[n] = r.Status
	}
	want := map[string]string{"Prepare": "succeeded", "Each": "caught", "Check": "succeeded", "Boom": "failed", "Fine": "succeeded", "Handled": "succeeded"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	it := page.States["Each"].Iterations
	if it == nil || it.Total != 3 || it.Failed != 1 || it.Started < 2 || it.Succeeded != 1 {
		t.Errorf("Map iterations %+v, want 3 in all, the first succeeded, the second failed", it)
	}
	if page.States["Check"].Entered != 2 {
		t.Errorf("Check entered %d times, want 2 (the Map stops at the failed iteration)", page.States["Check"].Entered)
	}
	history, err := sfc.GetExecutionHistory(context.Background(), &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != len(history.Events) {
		t.Fatalf("%d rows for %d events", len(page.Events), len(history.Events))
	}
	for i, row := range page.Events {
		e := history.Events[i]
		if row.ID != e.Id || row.Type != string(e.Type) {
			t.Errorf("row %d is %d %s, event is %d %s", i, row.ID, row.Type, e.Id, e.Type)
		}
		if strings.HasPrefix(row.Type, "Execution") != (row.Step == "") {
			t.Errorf("event %d %s: step %q", row.ID, row.Type, row.Step)
		}
		if strings.HasPrefix(row.Type, "MapIteration") && row.Step != "Each" {
			t.Errorf("event %d %s belongs to %q, want the Map", row.ID, row.Type, row.Step)
		}
	}
}

// Stopping an execution from the page stops it as StopExecution does; a
// request without the page's header (another site's form) changes nothing.
func TestStopExecution(t *testing.T) {
	s := serveCloud(t, localcloud.Options{})
	sfc := awssfn.NewFromConfig(s.cloud.AWSConfig())
	arn := startExecution(t, sfc, "hold", `{"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": true}}}`)
	q := url.Values{"arn": {arn}}.Encode()
	var page executionPage
	for deadline := time.Now().Add(5 * time.Second); page.States["Hold"].Status != "running"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Hold never shown running: %+v", page.States)
		}
		s.call(t, "GET", "api/execution?"+q, nil, &page)
	}
	var refused map[string]string
	if code := s.call(t, "POST", "api/execution/stop?"+q, nil, &refused); code != http.StatusForbidden || !strings.Contains(refused["error"], "X-Console") {
		t.Fatalf("stop without the header: %d %v", code, refused)
	}
	if d, _ := sfc.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)}); d.Status != sfntypes.ExecutionStatusRunning {
		t.Fatalf("a refused stop left the execution %s", d.Status)
	}
	if code := s.call(t, "POST", "api/execution/stop?"+q, http.Header{"X-Console": {"1"}}, nil); code != 200 {
		t.Fatalf("stop: %d", code)
	}
	d, err := sfc.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || d.Status != sfntypes.ExecutionStatusAborted {
		t.Fatalf("after stop: %v %v", d.Status, err)
	}
	s.call(t, "GET", "api/execution?"+q, nil, &page)
	if page.Execution.Status != "ABORTED" || page.States["Hold"].Status != "cancelled" {
		t.Errorf("after stop the page shows %s with Hold %s", page.Execution.Status, page.States["Hold"].Status)
	}
	var bad map[string]string
	if code := s.call(t, "GET", "api/execution?arn=arn:aws:states:us-east-1:000000000000:execution:nope:x", nil, &bad); code != 400 || !strings.Contains(bad["error"], "ExecutionDoesNotExist") {
		t.Errorf("unknown execution: %d %v", code, bad)
	}
}

// S3 browsing lists one level at a time; a JSON Lines object shows its
// first lines indented, other text as it is, binary content not at all;
// a download is the object as an attachment.
func TestObjects(t *testing.T) {
	s := serveCloud(t, localcloud.Options{})
	ctx := context.Background()
	s3c := awss3.NewFromConfig(s.cloud.AWSConfig())
	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	var long strings.Builder
	for i := range 30 {
		long.WriteString(`{"n":` + strings.Repeat("1", i+1) + "}\n")
	}
	objects := map[string]string{
		"in/a.jsonl":    "{\"recordId\":\"r1\",\"x\":[1,2]}\n\n{\"recordId\":\"r2\"}\n",
		"in/long.jsonl": long.String(),
		"in/notes.txt":  "plain words\nsecond line\n",
		"in/blob.bin":   "\x00\x01\x02binary",
		"in/sub/c.json": "{}",
		"in/wide.txt":   "a" + strings.Repeat("é", 200<<10),
	}
	for k, v := range objects {
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader(v)}); err != nil {
			t.Fatal(err)
		}
	}
	var listing struct {
		Folders []string
		Objects []struct{ Key string }
	}
	s.call(t, "GET", "api/objects?bucket=data&prefix=in/", nil, &listing)
	var keys []string
	for _, o := range listing.Objects {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(listing.Folders, []string{"in/sub/"}) || !reflect.DeepEqual(keys, []string{"in/a.jsonl", "in/blob.bin", "in/long.jsonl", "in/notes.txt", "in/wide.txt"}) {
		t.Errorf("listing of in/: folders %v, objects %v", listing.Folders, keys)
	}

	type preview struct {
		Size      int64
		Lines     []string
		JSON      bool
		Binary    bool
		Truncated bool
	}
	for _, tc := range []struct {
		key  string
		want preview
	}{
		{"in/a.jsonl", preview{Size: int64(len(objects["in/a.jsonl"])), JSON: true,
			Lines: []string{"{\n  \"recordId\": \"r1\",\n  \"x\": [\n    1,\n    2\n  ]\n}", "{\n  \"recordId\": \"r2\"\n}"}}},
		{"in/notes.txt", preview{Size: 24, Lines: []string{"plain words", "second line"}}},
		{"in/blob.bin", preview{Size: 9, Binary: true, Lines: []string{}}},
	} {
		var got preview
		if code := s.call(t, "GET", "api/object?"+url.Values{"bucket": {"data"}, "key": {tc.key}}.Encode(), nil, &got); code != 200 || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("preview of %s: %d %+v, want %+v", tc.key, code, got, tc.want)
		}
	}
	var longPreview preview
	s.call(t, "GET", "api/object?bucket=data&key=in/long.jsonl", nil, &longPreview)
	if len(longPreview.Lines) != 20 || !longPreview.Truncated || longPreview.Lines[19] != `{`+"\n"+`  "n": 11111111111111111111`+"\n}" {
		t.Errorf("preview of a 30-line object: %d lines, truncated %v, last %q", len(longPreview.Lines), longPreview.Truncated, longPreview.Lines[len(longPreview.Lines)-1])
	}

	var wide preview
	s.call(t, "GET", "api/object?bucket=data&key=in/wide.txt", nil, &wide)
	if wide.Binary || !wide.Truncated || len(wide.Lines) != 1 || !strings.HasPrefix(objects["in/wide.txt"], wide.Lines[0]) || len(wide.Lines[0]) < 200<<10 {
		t.Errorf("preview of one line longer than the preview: binary %v, truncated %v, %d lines", wide.Binary, wide.Truncated, len(wide.Lines))
	}

	resp, err := http.Get(s.url + "api/download?bucket=data&key=in/a.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != objects["in/a.jsonl"] || resp.Header.Get("Content-Disposition") != `attachment; filename=a.jsonl` {
		t.Errorf("download: %q, %v", body, resp.Header)
	}
	var missing map[string]string
	if code := s.call(t, "GET", "api/object?bucket=nope-bucket&key=x", nil, &missing); code != 404 || !strings.Contains(missing["error"], "NoSuchBucket") {
		t.Errorf("object in a missing bucket: %d %v", code, missing)
	}
	if code := s.call(t, "GET", "api/object?bucket=data", nil, &missing); code != 400 || !strings.Contains(missing["error"], "?bucket=&key=") {
		t.Errorf("object without a key: %d %v", code, missing)
	}
}

type jobPage struct {
	Job struct {
		Status       string   `json:"status"`
		Total        int64    `json:"total"`
		Errors       int64    `json:"errors"`
		InputTokens  *int64   `json:"inputTokens"`
		OutputTokens *int64   `json:"outputTokens"`
		Cost         *float64 `json:"cost"`
	} `json:"job"`
	Files  []struct{ Key string } `json:"files"`
	Failed []struct {
		RecordID string `json:"recordId"`
		Code     int    `json:"code"`
		Message  string `json:"message"`
	} `json:"failed"`
}

// jobWithTokens polls the page of a job until it shows the job's tokens,
// which it reads once the job has ended.
func (s *served) jobWithTokens(t *testing.T, arn string) jobPage {
	t.Helper()
	q := url.Values{"arn": {arn}}.Encode()
	var page jobPage
	for deadline := time.Now().Add(10 * time.Second); page.Job.InputTokens == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job never showed its tokens: %+v", page.Job)
		}
		s.call(t, "GET", "api/job?"+q, nil, &page)
	}
	return page
}

// novaModel is the model of the test jobs.
const novaModel = "amazon.nova-pro-v1:0"

// uploadSample puts n Amazon Nova records in a bucket and returns its URI.
func uploadSample(t *testing.T, s3c *awss3.Client, n int) string {
	t.Helper()
	ctx := context.Background()
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, `{"recordId":"r%d","modelInput":{"messages":[{"role":"user","content":[{"text":"Review %d: works as described."}]}],"inferenceConfig":{"maxTokens":64}}}`+"\n", i+1, i+1)
	}
	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("jobs"), Key: aws.String("in/part.jsonl"),
		Body: bytes.NewReader(bytes.Join(lines[:n], nil))}); err != nil {
		t.Fatal(err)
	}
	return "s3://jobs/in/part.jsonl"
}

func createJob(t *testing.T, br *awsbedrock.Client, input string) string {
	t.Helper()
	out, err := br.CreateModelInvocationJob(context.Background(), &awsbedrock.CreateModelInvocationJobInput{
		JobName: aws.String("part"), ModelId: aws.String(novaModel),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/batch"),
		InputDataConfig: &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String(input)}},
		OutputDataConfig: &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://jobs/out/")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.JobArn)
}

// A partially completed job lists exactly the failed records of its
// output files, with its tokens and batch cost.
func TestJobFailedRecords(t *testing.T) {
	opts := localcloud.Options{Prices: cost.Default()}
	opts.Models.Sim.ErrorRate = 0.3
	opts.Bedrock.Limits.MinRecordsPerJob = 1
	s := serveCloud(t, opts)
	cfg := s.cloud.AWSConfig()
	s3c, br := awss3.NewFromConfig(cfg), awsbedrock.NewFromConfig(cfg)
	arn := createJob(t, br, uploadSample(t, s3c, 40))
	page := s.jobWithTokens(t, arn)
	if page.Job.Status != "PartiallyCompleted" || page.Job.Total != 40 || page.Job.Errors == 0 || int64(len(page.Failed)) != page.Job.Errors {
		t.Fatalf("job %+v with %d failed records listed", page.Job, len(page.Failed))
	}
	var out string
	for _, f := range page.Files {
		if strings.HasSuffix(f.Key, ".jsonl.out") {
			out = f.Key
		}
	}
	obj, err := s3c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("jobs"), Key: aws.String(out)})
	if err != nil {
		t.Fatalf("output file %q: %v", out, err)
	}
	defer obj.Body.Close()
	var want []string
	r := manifest.NewOutputReader(obj.Body, out, 0)
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if line.Error != nil {
			want = append(want, line.RecordID+": "+line.Error.ErrorMessage)
		}
	}
	var got []string
	for _, f := range page.Failed {
		got = append(got, f.RecordID+": "+f.Message)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("failed records %v, the output file has %v", got, want)
	}
	if page.Job.Cost == nil || *page.Job.Cost <= 0 || *page.Job.OutputTokens <= 0 {
		t.Fatalf("tokens %v/%v, cost %v", page.Job.InputTokens, page.Job.OutputTokens, page.Job.Cost)
	}
	if want, _ := cost.Default().BatchCost(novaModel, *page.Job.InputTokens, *page.Job.OutputTokens); *page.Job.Cost != want {
		t.Errorf("cost %v, the price table gives %v for %d/%d tokens", *page.Job.Cost, want, *page.Job.InputTokens, *page.Job.OutputTokens)
	}
}

// A cloud opened without a price table shows a job's tokens and no cost:
// the console has no prices of its own.
func TestJobWithoutPrices(t *testing.T) {
	opts := localcloud.Options{}
	opts.Bedrock.Limits.MinRecordsPerJob = 1
	s := serveCloud(t, opts)
	cfg := s.cloud.AWSConfig()
	arn := createJob(t, awsbedrock.NewFromConfig(cfg), uploadSample(t, awss3.NewFromConfig(cfg), 3))
	page := s.jobWithTokens(t, arn)
	if *page.Job.InputTokens <= 0 || page.Job.Cost != nil {
		t.Errorf("tokens %v, cost %v; want tokens and no cost", *page.Job.InputTokens, page.Job.Cost)
	}
}

// Stopping a job from the page stops it as StopModelInvocationJob does.
func TestStopJob(t *testing.T) {
	opts := localcloud.Options{}
	opts.Bedrock.Limits.MinRecordsPerJob = 1
	opts.Bedrock.StepDelay = time.Hour
	s := serveCloud(t, opts)
	cfg := s.cloud.AWSConfig()
	br := awsbedrock.NewFromConfig(cfg)
	arn := createJob(t, br, uploadSample(t, awss3.NewFromConfig(cfg), 5))
	q := url.Values{"arn": {arn}}.Encode()
	if code := s.call(t, "POST", "api/job/stop?"+q, nil, nil); code != http.StatusForbidden {
		t.Fatalf("stop without the header: %d", code)
	}
	if code := s.call(t, "POST", "api/job/stop?"+q, http.Header{"X-Console": {"1"}}, nil); code != 200 {
		t.Fatalf("stop: %d", code)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		j, err := br.GetModelInvocationJob(context.Background(), &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == bedrocktypes.ModelInvocationJobStatusStopped {
			break
		}
		if j.Status != bedrocktypes.ModelInvocationJobStatusStopping || time.Now().After(deadline) {
			t.Fatalf("after stop the job is %s", j.Status)
		}
	}
}
