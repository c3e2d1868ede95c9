package localrun_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

func TestMain(m *testing.M) {
	nodeenv.Ensure()
	os.Exit(m.Run())
}

// recorder keeps what a run reports.
type recorder struct {
	mu       sync.Mutex
	steps    []string
	deployed *deploy.Result
	statuses map[string]string
}

func (r *recorder) Step(msg string) { r.mu.Lock(); r.steps = append(r.steps, msg); r.mu.Unlock() }

func (r *recorder) Deployed(res *deploy.Result) { r.mu.Lock(); r.deployed = res; r.mu.Unlock() }

func (r *recorder) Jobs(jobs []bedrocktypes.ModelInvocationJobSummary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range jobs {
		r.statuses[*j.JobName] = string(j.Status)
	}
}

// TestRunBundledExample drives the library as Go code would, without the
// CLI: the bundled example, synthesized in this process, runs to SUCCEEDED
// with both jobs' records in the outputs.
func TestRunBundledExample(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes and runs the bundled example: skipped with -short")
	}
	rec := &recorder{statuses: map[string]string{}}
	opts := localrun.Options{
		Cloud: localcloud.Options{
			DataDir: t.TempDir(),
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		},
		Progress: rec,
	}
	res, err := localrun.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reused {
		t.Error("the first run in a new data directory reused an assembly")
	}
	if res.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	var records []int
	for _, j := range res.Jobs {
		if j.Status != "Completed" {
			t.Errorf("job %s ended %s", j.Name, j.Status)
		}
		records = append(records, int(j.Summary.SuccessRecordCount))
		if rec.statuses[j.Name] != j.Status {
			t.Errorf("progress last saw job %s %q, the run ended it %q", j.Name, rec.statuses[j.Name], j.Status)
		}
	}
	sort.Ints(records)
	if len(records) != 2 || records[0] != 480 || records[1] != 520 {
		t.Errorf("succeeded records per job %v, want [480 520]", records)
	}
	lines := 0
	for _, f := range res.OutputFiles {
		if _, err := os.Stat(f.Path); err != nil {
			t.Errorf("output %s: no file on disk: %v", f.URI, err)
		}
		lines += f.Lines
	}
	if lines != 1000 || res.Totals.TotalRecordCount != 1000 {
		t.Errorf("%d output lines, %d records in the summaries; want 1000", lines, res.Totals.TotalRecordCount)
	}
	if rec.deployed == nil || len(rec.deployed.Find("AWS::StepFunctions::StateMachine")) != 1 {
		t.Errorf("progress was not told of a deployment with one state machine")
	}
	if len(rec.steps) == 0 || !strings.HasPrefix(rec.steps[0], "synthesizing") {
		t.Errorf("steps %q, want synthesis first", rec.steps)
	}
}

// TestRunReusesAnUnchangedAssembly runs the bundled example twice in one
// data directory: the second run deploys the first one's assembly without
// synthesizing (which this process could not do twice) and succeeds.
func TestRunReusesAnUnchangedAssembly(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes and runs the bundled example: skipped with -short")
	}
	opts := localrun.Options{Cloud: localcloud.Options{
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
	first, err := localrun.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{statuses: map[string]string{}}
	opts.Progress = rec
	second, err := localrun.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Reused || !second.Reused {
		t.Errorf("reused: first run %v, second %v; want false, true", first.Reused, second.Reused)
	}
	if second.Status != sfntypes.ExecutionStatusSucceeded || second.Totals.SuccessRecordCount != 1000 {
		t.Errorf("second run: %s with %d records", second.Status, second.Totals.SuccessRecordCount)
	}
	if len(rec.steps) == 0 || !strings.HasPrefix(rec.steps[0], "reusing the assembly") {
		t.Errorf("second run's steps %q, want the reuse said first", rec.steps)
	}
	if second.Deployed[deploy.Created] != 0 {
		t.Errorf("second run created %d resources, want 0", second.Deployed[deploy.Created])
	}
}
