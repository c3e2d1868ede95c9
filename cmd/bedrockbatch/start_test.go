package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/submit"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

// The start and watch tests deploy a plain app (testdata/plainapp: a state
// machine that is just the fragment, so the execution input is the job
// input) into a local cloud served by this test process on a loopback
// port, and run the real command against it through AWS_ENDPOINT_URL, as a
// user would against AWS.

// plainAssembly synthesizes the plain app once per test process.
var plainAssembly = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "bedrockbatch-plainapp-")
	if err != nil {
		return "", err
	}
	err = localrun.Synthesize(context.Background(), "go run ./testdata/plainapp", dir,
		localrun.LocalContext())
	return dir, err
})

const plainMachine = "PlainBatch"

// workflow is the plain app deployed in a served local cloud.
type workflow struct {
	cloud      *localcloud.Cloud
	env        []string // reaches the cloud through AWS_ENDPOINT_URL
	machineArn string
	bucket     string
	s3         *awss3.Client
	sfn        *awssfn.Client
}

func serveWorkflow(t *testing.T, simLatency time.Duration) *workflow {
	t.Helper()
	cliBinary(t)
	assembly, err := plainAssembly()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := localcloud.Options{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	opts.Models = backend.Config{Sim: backend.SimOptions{Latency: simLatency}}
	cloud, res, err := localrun.Open(ctx, opts, assembly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cloud.Close() })
	if err := cloud.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() { cloud.Serve(serveCtx, ln); close(served) }()
	t.Cleanup(func() { stop(); <-served })
	bucket, err := localrun.PickBucket(res, "")
	if err != nil {
		t.Fatal(err)
	}
	machine, err := localrun.PickStateMachine(res, plainMachine)
	if err != nil {
		t.Fatal(err)
	}
	noFiles := filepath.Join(t.TempDir(), "none")
	return &workflow{
		cloud: cloud, machineArn: machine.PhysicalID, bucket: bucket,
		env: []string{
			"AWS_ENDPOINT_URL=http://" + ln.Addr().String(), "AWS_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
			"AWS_CONFIG_FILE=" + noFiles, "AWS_SHARED_CREDENTIALS_FILE=" + noFiles, "AWS_PROFILE=",
		},
		s3:  awss3.NewFromConfig(cloud.AWSConfig()),
		sfn: awssfn.NewFromConfig(cloud.AWSConfig()),
	}
}

// execResult is the --json output of start and watch.
type execResult struct {
	ExecutionArn string             `json:"executionArn"`
	Name         string             `json:"name"`
	Bucket       string             `json:"bucket"`
	Prefix       string             `json:"prefix"`
	Manifests    []submit.Manifest  `json:"manifests"`
	Records      int                `json:"records"`
	Input        json.RawMessage    `json:"input"`
	Status       string             `json:"status"`
	Error        string             `json:"error"`
	Cause        string             `json:"cause"`
	Output       json.RawMessage    `json:"output"`
	Summary      manifest.Summary   `json:"summary"`
	Jobs         []watch.Job        `json:"jobs"`
	OutputFiles  []watch.OutputFile `json:"outputFiles"`
}

// cli runs the command with the workflow's environment and returns its
// stdout, stderr and exit status.
func (w *workflow) cli(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), args...)
	cmd.Env = append(append(os.Environ(), w.env...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func (w *workflow) cliJSON(t *testing.T, args ...string) (execResult, int) {
	t.Helper()
	stdout, stderr, code := w.cli(t, nil, append(args, "--json", "--interval", "50ms")...)
	var res execResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v printed no JSON result (exit %d): %v\nstdout: %s\nstderr: %s", args, code, err, stdout, stderr)
	}
	return res, code
}

func (w *workflow) startArgs(in string) []string {
	return []string{"start", "--state-machine", plainMachine, "--bucket", w.bucket, "--input", in, "--model", "amazon.nova-pro-v1:0"}
}

// objects lists the keys in the workflow's bucket under prefix.
func (w *workflow) objects(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := w.s3.ListObjectsV2(context.Background(), &awss3.ListObjectsV2Input{Bucket: aws.String(w.bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// checkRun asserts that a run of the manifests wantRecords (by file name)
// succeeded with every record exactly once in the output files.
func (w *workflow) checkRun(t *testing.T, res execResult, wantRecords map[string]int) {
	t.Helper()
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	total := 0
	for _, n := range wantRecords {
		total += n
	}
	if len(res.Jobs) != len(wantRecords) {
		t.Errorf("%d jobs reported, want one per manifest (%d): %+v", len(res.Jobs), len(wantRecords), res.Jobs)
	}
	if s := res.Summary; s.TotalRecordCount != int64(total) || s.SuccessRecordCount != int64(total) || s.InputTokenCount == 0 {
		t.Errorf("summary %+v, want %d records all succeeded with tokens counted", s, total)
	}
	if len(res.OutputFiles) != len(wantRecords) {
		t.Fatalf("output files %+v, want %d", res.OutputFiles, len(wantRecords))
	}
	for _, f := range res.OutputFiles {
		uri, err := batch.ParseS3URI(f.URI)
		if err != nil || uri.Bucket != w.bucket {
			t.Fatalf("output file %q is not an s3:// URI in the workflow's bucket %s", f.URI, w.bucket)
		}
		if f.Path != "" {
			t.Errorf("output file %s has a local path %q, which start cannot know", f.URI, f.Path)
		}
		f.Path = w.cloud.Store.ObjectPath(uri.Bucket, uri.Key)
		checkOutputFile(t, f, wantRecords[strings.TrimSuffix(filepath.Base(uri.Key), ".out")])
	}
}

func TestStartRunsManifestsToTheEnd(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "a.jsonl", 150)
	writeManifest(t, in, "b.jsonl", 120)
	res, code := w.cliJSON(t, w.startArgs(in)...)
	if code != 0 {
		t.Errorf("exit status %d for a succeeded execution", code)
	}
	w.checkRun(t, res, map[string]int{"a.jsonl": 150, "b.jsonl": 120})
	if res.Records != 270 || res.Prefix != "input/"+res.Name+"/" {
		t.Errorf("started with %d records under %q, want 270 under input/%s/", res.Records, res.Prefix, res.Name)
	}
	uploaded := w.objects(t, res.Prefix)
	if strings.Join(uploaded, " ") != res.Prefix+"a.jsonl "+res.Prefix+"b.jsonl" {
		t.Errorf("uploaded %v, want a.jsonl and b.jsonl under %s", uploaded, res.Prefix)
	}
	var input batch.FragmentInput
	if err := json.Unmarshal(res.Input, &input); err != nil || input.JobName != res.Name ||
		input.ModelID != "amazon.nova-pro-v1:0" || len(input.ManifestKeys) != 2 || input.ManifestKeys[0] != res.Prefix+"a.jsonl" {
		t.Errorf("execution input %s (%v), want job_name %s, the two uploaded keys and the model", res.Input, err, res.Name)
	}

	// The text report names the output files by their s3:// URIs.
	in2 := t.TempDir()
	writeManifest(t, in2, "c.jsonl", 100)
	stdout, stderr, code := w.cli(t, nil, append(w.startArgs(in2), "--interval", "50ms")...)
	if code != 0 {
		t.Fatalf("exit status %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"uploaded 1 manifests (100 records) to s3://" + w.bucket + "/input/run-", "SUCCEEDED", "Output files:\n  s3://" + w.bucket + "/output/", "(100 lines)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output does not say %q:\n%s", want, stdout)
		}
	}
}

func TestStartNoWatchThenWatch(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "only.jsonl", 130)
	started, code := w.cliJSON(t, append(w.startArgs(in), "--no-watch", "--name", "nightly-1", "--prefix", "batches/nightly")...)
	if code != 0 || started.Status != "RUNNING" || !strings.HasSuffix(started.ExecutionArn, ":"+plainMachine+":nightly-1") {
		t.Fatalf("start --no-watch: exit %d, status %q, ARN %q; want 0, RUNNING, an execution named nightly-1", code, started.Status, started.ExecutionArn)
	}
	if keys := w.objects(t, "batches/nightly/"); len(keys) != 1 || keys[0] != "batches/nightly/only.jsonl" {
		t.Errorf("uploaded %v, want batches/nightly/only.jsonl", keys)
	}
	res, code := w.cliJSON(t, "watch", started.ExecutionArn)
	if code != 0 {
		t.Errorf("watch: exit status %d for a succeeded execution", code)
	}
	w.checkRun(t, res, map[string]int{"only.jsonl": 130})
	if res.ExecutionArn != started.ExecutionArn {
		t.Errorf("watch reports %s, want %s", res.ExecutionArn, started.ExecutionArn)
	}

	// Watching an ended execution again reports the same end at once.
	again, _ := w.cliJSON(t, "watch", started.ExecutionArn)
	if again.Status != "SUCCEEDED" || again.Summary != res.Summary {
		t.Errorf("second watch: %s %+v, want SUCCEEDED %+v", again.Status, again.Summary, res.Summary)
	}
}

func TestStartFailedExecutionExitsOne(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "small.jsonl", 60)
	// Below the service's minimum, start refuses before uploading…
	stdout, stderr, code := w.cli(t, nil, w.startArgs(in)...)
	if code == 0 || !strings.Contains(stderr, "small.jsonl") || !strings.Contains(stderr, "minimum is 100") {
		t.Errorf("start of a 60-record manifest: exit %d, stderr %q; want a refusal naming the file and the minimum\n%s", code, stderr, stdout)
	}
	// …unless told the model's minimum is lower; the job then fails as
	// the service's would, and so does the execution.
	res, code := w.cliJSON(t, append(w.startArgs(in), "--min-records", "50")...)
	if code != 1 || res.Status != "FAILED" || res.Error != string(batch.StatusFailed) {
		t.Errorf("exit %d, status %s, error %q; want 1, FAILED, Failed", code, res.Status, res.Error)
	}
}

func TestStartByPrefixInput(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "p1.jsonl", 100)
	writeManifest(t, in, "p2.jsonl", 100)
	started, code := w.cliJSON(t, append(w.startArgs(in), "--by-prefix", "--no-watch", "--job-name", "bulk")...)
	if code != 0 {
		t.Fatalf("start --by-prefix: exit %d", code)
	}
	desc, err := w.sfn.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(started.ExecutionArn)})
	if err != nil {
		t.Fatal(err)
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(desc.Input)), &input); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"job_name": "bulk", "model_id": "amazon.nova-pro-v1:0", "manifest_prefix": started.Prefix}
	if len(input) != len(want) || input["job_name"] != want["job_name"] || input["model_id"] != want["model_id"] || input["manifest_prefix"] != want["manifest_prefix"] {
		t.Errorf("execution input %v, want %v", input, want)
	}
	if keys := w.objects(t, started.Prefix); len(keys) != 2 {
		t.Errorf("under %s: %v, want the two manifests", started.Prefix, keys)
	}
}

func TestStartRejectsBadInputBeforeUploading(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "good.jsonl", 100)
	if err := os.WriteFile(filepath.Join(in, "bad.jsonl"), []byte("{\"recordId\":\"a\",\"modelInput\":{}}\n{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := w.cli(t, nil, w.startArgs(in)...)
	if code == 0 || !strings.Contains(stderr, filepath.Join(in, "bad.jsonl")+" line 2") {
		t.Errorf("exit %d, stderr %q; want a failure naming bad.jsonl line 2", code, stderr)
	}
	if keys := w.objects(t, ""); len(keys) != 0 {
		t.Errorf("objects uploaded although the input was rejected: %v", keys)
	}
}

func TestStartAndWatchSayWhatIsWrong(t *testing.T) {
	w := serveWorkflow(t, 0)
	in := t.TempDir()
	writeManifest(t, in, "m.jsonl", 100)
	missingArn := strings.Replace(w.machineArn, ":stateMachine:", ":execution:", 1) + ":no-such-run"
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"start", "--state-machine", "Nope", "--bucket", w.bucket, "--input", in, "--model", "amazon.nova-pro-v1:0"},
			`no state machine named "Nope" in region us-east-1; there are: ` + plainMachine},
		{nil, []string{"start", "--state-machine", plainMachine, "--bucket", "no-such-bucket", "--input", in, "--model", "amazon.nova-pro-v1:0"},
			"bucket not found: s3://no-such-bucket"},
		{nil, []string{"start", "--stack", "BedrockBatchPlain", "--input", in, "--model", "amazon.nova-pro-v1:0"},
			"pass --state-machine and --bucket instead"},
		{nil, []string{"start", "--bucket", w.bucket, "--input", in, "--model", "amazon.nova-pro-v1:0"},
			"give the workflow's state machine (--state-machine NAME|ARN) or its stack (--stack NAME)"},
		{nil, []string{"start", "--state-machine", plainMachine, "--bucket", w.bucket, "--input", in},
			"give the model of the jobs (--model)"},
		{nil, []string{"start", "--state-machine", plainMachine, "--bucket", w.bucket, "--input", in, "--model", "m", "--name", "a b"},
			`execution name "a b"`},
		{[]string{"AWS_REGION=", "AWS_DEFAULT_REGION="}, []string{"watch", missingArn}, "no AWS region: set AWS_REGION"},
		{[]string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_EC2_METADATA_DISABLED=true"}, []string{"watch", missingArn},
			"no AWS credentials: set AWS_PROFILE"},
		{nil, []string{"watch", missingArn}, "execution not found: " + missingArn},
	} {
		_, stderr, code := w.cli(t, tc.env, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want a failure saying %q", tc.args, code, stderr, tc.want)
		}
	}
	if keys := w.objects(t, ""); len(keys) != 0 {
		t.Errorf("objects uploaded by commands that failed: %v", keys)
	}
}

// TestWatchInterruptedLeavesTheExecutionRunning stops a watch with Ctrl-C
// while the jobs run: the command says how to watch again, the execution
// goes on, and a second watch follows it to the end.
func TestWatchInterruptedLeavesTheExecutionRunning(t *testing.T) {
	w := serveWorkflow(t, 100*time.Millisecond)
	in := t.TempDir()
	writeManifest(t, in, "slow.jsonl", 200)
	started, code := w.cliJSON(t, append(w.startArgs(in), "--no-watch")...)
	if code != 0 {
		t.Fatalf("start --no-watch: exit %d", code)
	}
	cmd := exec.Command(cliBinary(t), "watch", started.ExecutionArn, "--interval", "50ms")
	cmd.Env = append(os.Environ(), w.env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	interrupted := false
	var lines []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !interrupted && strings.Contains(sc.Text(), "InProgress") {
			interrupted = cmd.Process.Signal(syscall.SIGINT) == nil
		}
	}
	err = cmd.Wait()
	if !interrupted {
		t.Fatalf("the watch ended before a job was in progress (%v)\n%s\n%s", err, strings.Join(lines, "\n"), stderr.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("interrupted watch: %v, want exit status 130", err)
	}
	if want := "bedrockbatch watch " + started.ExecutionArn; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not say how to watch again (%q)", stderr.String(), want)
	}
	desc, err := w.sfn.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(started.ExecutionArn)})
	if err != nil || desc.Status != "RUNNING" {
		t.Errorf("after the interrupted watch the execution is %v (%v), want RUNNING", desc.Status, err)
	}
	res, _ := w.cliJSON(t, "watch", started.ExecutionArn)
	w.checkRun(t, res, map[string]int{"slow.jsonl": 200})
}
