package localrun_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// exampleApp builds, once, the command that synthesizes the bundled
// example (examples/minimal): the in-process synthesis runs once per
// process, and these runs each need their own.
var exampleApp = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "bedrockbatch-minimal-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "minimal")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/bedrockbatch/bedrockbatch/examples/minimal").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build examples/minimal: %v\n%s", err, out)
	}
	return bin, nil
})

// jobRecorder keeps what the run's progress saw of each job.
type jobRecorder struct {
	mu   sync.Mutex
	jobs map[string]bedrocktypes.ModelInvocationJobSummary
}

func (r *jobRecorder) Step(string)             {}
func (r *jobRecorder) Deployed(*deploy.Result) {}
func (r *jobRecorder) Jobs(jobs []bedrocktypes.ModelInvocationJobSummary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range jobs {
		r.jobs[*j.JobName] = j
	}
}

// runExample runs the example app built by exampleApp with opts.
func runExample(t *testing.T, opts localrun.Options) (*localrun.Result, map[string]bedrocktypes.ModelInvocationJobSummary) {
	t.Helper()
	if testing.Short() {
		t.Skip("synthesizes and runs the example: skipped with -short")
	}
	app, err := exampleApp()
	if err != nil {
		t.Fatal(err)
	}
	rec := &jobRecorder{jobs: map[string]bedrocktypes.ModelInvocationJobSummary{}}
	opts.App, opts.Progress = app, rec
	opts.Cloud.DataDir = t.TempDir()
	opts.Cloud.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	res, err := localrun.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	return res, rec.jobs
}

// TestConverseRecordsRunEndToEnd: records `prepare --converse` writes run
// through local run as Converse jobs
// (CreateModelInvocationJob's modelInvocationType,
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html)
// without saying so: local run finds them to be Converse requests, the
// example passes model_invocation_type through the fragment, and every
// answer is a Converse response.
func TestConverseRecordsRunEndToEnd(t *testing.T) {
	const claude = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
	csv := filepath.Join(t.TempDir(), "reviews.csv")
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&b, "r%d,Review %d: arrived on time and works.\n", i, i)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := prepare.Run(context.Background(), prepare.Options{
		Input: csv, ModelID: claude, InvocationType: batch.InvocationConverse, IDColumn: "id",
		Templates: []prepare.Template{{Text: "Summarize: {{.text}}"}}, Out: out,
	}); err != nil {
		t.Fatal(err)
	}

	res, jobs := runExample(t, localrun.Options{Input: out, ModelID: claude})
	if len(jobs) == 0 {
		t.Fatal("no job was seen")
	}
	for name, j := range jobs {
		if j.ModelInvocationType != bedrocktypes.ModelInvocationTypeConverse || *j.ModelId != claude {
			t.Errorf("job %s: %s with %s, want Converse with %s", name, j.ModelInvocationType, *j.ModelId, claude)
		}
	}
	if res.Totals.SuccessRecordCount != 150 {
		t.Errorf("%d records succeeded, want 150", res.Totals.SuccessRecordCount)
	}
	for _, f := range res.OutputFiles {
		requireConverseAnswers(t, f.Path)
	}
}

func requireConverseAnswers(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			ModelOutput struct {
				Output struct {
					Message struct{ Role string } `json:"message"`
				} `json:"output"`
			} `json:"modelOutput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.ModelOutput.Output.Message.Role != "assistant" {
			t.Fatalf("%s: %s is not a Converse answer", path, sc.Text())
		}
	}
}

// TestExampleRunsWithInferenceProfiles: the bundled example runs with a
// cross-region inference profile id and with an application inference
// profile ARN as its model (both are modelIds CreateModelInvocationJob
// takes, https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html);
// the profile's records go to the model it was made from.
func TestExampleRunsWithInferenceProfiles(t *testing.T) {
	const profile = "arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/a1b2c3d4e5f6"
	for _, c := range []struct {
		name, model string
		profiles    map[string]string
	}{
		{"cross-region", "us.amazon.nova-pro-v1:0", nil},
		{"application", profile, map[string]string{profile: "us.amazon.nova-pro-v1:0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := localrun.Options{ModelID: c.model}
			opts.Cloud = localcloud.Options{Bedrock: bedrockProfiles(c.profiles)}
			res, jobs := runExample(t, opts)
			if res.Totals.SuccessRecordCount != 1000 {
				t.Errorf("%d records succeeded, want 1000", res.Totals.SuccessRecordCount)
			}
			for name, j := range jobs {
				if *j.ModelId != c.model || j.ModelInvocationType != bedrocktypes.ModelInvocationTypeInvokeModel {
					t.Errorf("job %s: model %s, %s; want %s, InvokeModel", name, *j.ModelId, j.ModelInvocationType, c.model)
				}
			}
		})
	}
}

func TestUndeclaredApplicationProfileIsRefused(t *testing.T) {
	const profile = "arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/zzzzzzzzzzzz"
	_, err := localrun.Run(context.Background(), localrun.Options{ModelID: profile, Cloud: localcloud.Options{DataDir: t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "--inference-profile "+profile+"=") {
		t.Errorf("error %v, want one that says how to declare the profile", err)
	}
}

func bedrockProfiles(profiles map[string]string) bedrock.Config {
	return bedrock.Config{InferenceProfiles: profiles}
}
