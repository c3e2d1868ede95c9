package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// buildUserFunction builds testdata/userapp/gofn for Linux on arch into a
// directory of its own, as its bootstrap: the asset directory a user's Go
// function is deployed from.
func buildUserFunction(t *testing.T, arch string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "bootstrap"), "./testdata/userapp/gofn")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the user's function: %v\n%s", err, out)
	}
	return dir
}

// A plain app around the fragment with the user's own functions after it
// — Go (provided.al2023, reading its environment with os.Getenv), Node.js
// and Python handler files, an arm64 Go function where qemu-user is
// installed, an SNS publish to a topic with an SQS subscription, and a
// function that throws — runs end to end with `local run --app`: both
// batch jobs complete, each function runs its deployed code, the thrown
// error reaches the Catch with its type, and the published message is in
// the queue, read back with the SDK from the same data directory.
func TestLocalRunUserFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes and runs an app: skipped with -short")
	}
	env := []string{"USERAPP_GO_ASSET=" + buildUserFunction(t, runtime.GOARCH)}
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	withArm := false
	if _, err := exec.LookPath("qemu-aarch64-static"); err == nil && other == "arm64" {
		env = append(env, "USERAPP_ARM64_ASSET="+buildUserFunction(t, "arm64"))
		withArm = true
	} else {
		t.Log("qemu-aarch64-static is not installed (apt-get install qemu-user-static): the app runs without its arm64 function")
	}
	data := t.TempDir()
	res, code, stderr := localRun(t, env, "--app", "go run ./testdata/userapp", "--data", data)
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	type result struct {
		Result map[string]string `json:"result"`
	}
	var out struct {
		Go, Node, Python, Arm result
		Jobs                  []json.RawMessage
		Published             struct{ MessageId string }
		Caught                struct{ Error, Cause string }
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatalf("execution output %s: %v", res.Output, err)
	}
	for name, r := range map[string]result{"go": out.Go, "node": out.Node, "python": out.Python} {
		if r.Result["from"] != name || r.Result["greeting"] != "batch done" || r.Result["bucket"] == "" || r.Result["function"] == "" {
			t.Errorf("the %s function answered %v", name, r.Result)
		}
	}
	if out.Go.Result["memory"] != "256" || out.Go.Result["arch"] != runtime.GOARCH {
		t.Errorf("the Go function saw memory %q on %q", out.Go.Result["memory"], out.Go.Result["arch"])
	}
	if withArm && (out.Arm.Result["arch"] != "arm64" || out.Arm.Result["greeting"] != "batch done") {
		t.Errorf("the arm64 function answered %v", out.Arm.Result)
	}
	if len(out.Jobs) != 2 || len(res.Jobs) != 2 {
		t.Errorf("the fragment ended with %d job results and %d jobs, want 2", len(out.Jobs), len(res.Jobs))
	}
	for _, j := range res.Jobs {
		if j.Status != string(batch.StatusCompleted) {
			t.Errorf("job %s ended %s", j.Name, j.Status)
		}
	}
	if out.Published.MessageId == "" {
		t.Errorf("sns:publish answered %+v", out.Published)
	}
	if out.Caught.Error != "QuotaError" {
		t.Errorf("the Catch took %+v, want QuotaError", out.Caught)
	}
	t.Logf("local run took %v s (by phase)", res.Seconds)
	checkQueuedMessage(t, data, out.Go.Result)
	// The functions' output is in the service log.
	logs, _ := filepath.Glob(filepath.Join(data, "logs", "*.log"))
	var text []byte
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		text = append(text, b...)
	}
	for _, line := range []string{"node function called from node", "python function called from python"} {
		if !bytes.Contains(text, []byte(line)) {
			t.Errorf("the service log lacks %q", line)
		}
	}
}

// The message the app published reaches its queue through the topic's
// subscription, raw: the Go function's answer.
func checkQueuedMessage(t *testing.T, data string, want map[string]string) {
	t.Helper()
	endpoint := startServe(t, "", nil, 30*time.Second, "--data", data)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sq := awssqs.NewFromConfig(cfg)
	q, err := sq.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("UserBatchDone")})
	if err != nil {
		t.Fatalf("the app's queue: %v", err)
	}
	got, err := sq.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("the queue holds %d messages, want the one published", len(got.Messages))
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &body); err != nil {
		t.Fatalf("message body %q: %v", aws.ToString(got.Messages[0].Body), err)
	}
	if body["from"] != want["from"] || body["greeting"] != want["greeting"] || body["function"] != want["function"] {
		t.Errorf("the queued message is %v, want the Go function's answer %v", body, want)
	}
}

// An app with resources the local cloud does not serve fails at deploy,
// before anything runs, with the list of all of them and how to proceed.
// The app here is a command that writes a cloud assembly, as any CDK app
// does into $CDK_OUTDIR.
func TestLocalRunRefusesWhatIsNotServed(t *testing.T) {
	bin := cliBinary(t)
	src := t.TempDir()
	for name, content := range map[string]string{
		"manifest.json": `{"version": "48.0.0", "artifacts": {"App": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}}}}`,
		"App.template.json": `{"Resources": {
		  "Stream": {"Type": "AWS::Kinesis::Stream"},
		  "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": "arn:aws:iam::000000000000:role/r",
		    "DefinitionString": "{\"StartAt\":\"Glue\",\"States\":{\"Glue\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::glue:startJobRun.sync\",\"End\":true}}}"}}},
		  "Outputs": {"StateMachineArn": {"Value": {"Ref": "Machine"}}}}`,
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	cmd := exec.Command(bin, "local", "run", "--app", `cp "`+src+`"/* "$CDK_OUTDIR"`, "--data", data)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("local run succeeded:\n%s", out)
	}
	for _, want := range []string{"App/Stream, AWS::Kinesis::Stream", `state "Glue" calls arn:aws:states:::glue:startJobRun.sync`, "nothing was deployed", "bedrockbatch:inProcessFunctions"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "states")); err == nil {
		if execs, _ := filepath.Glob(filepath.Join(data, "states", "*", "*")); len(execs) > 0 {
			t.Errorf("something ran: %v", execs)
		}
	}
}
