package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/prepare"
	"github.com/bedrockbatch/bedrockbatch/results"
)

// run runs the CLI in this process and returns its output and error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// The published example: Amazon Nova Pro, 100 records × 300 jobs,
// 10,000 input and 1,000 output tokens per record.
func TestCostNovaProExample(t *testing.T) {
	args := []string{"cost", "--records", "30000", "--input-tokens", "10000", "--output-tokens", "1000", "--model", "amazon.nova-pro-v1:0"}
	out, err := run(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"batch         $168.00", "on-demand     $336.00", "prices checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var e cost.Estimate
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if e.Batch != 168 || e.OnDemand != 336 || e.Usage.InputTokens != 300_000_000 {
		t.Errorf("estimate %+v", e)
	}
	if _, err := run(t, "cost", "--model", "amazon.nova-pro-v1:0"); err == nil || !strings.Contains(err.Error(), "--records N") {
		t.Errorf("cost without figures: %v", err)
	}
}

func TestValidateCommandNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, `{"recordId":"r%d","modelInput":{"inputText":"hello %d"}}`+"\n", i, i)
	}
	sb.WriteString(`{"recordId":"r1","modelInput":{"prompt":"x"}}` + "\n")
	p := filepath.Join(dir, "m.jsonl")
	os.WriteFile(p, []byte(sb.String()), 0o644)
	out, err := run(t, "validate", p, "--model", "amazon.titan-embed-text-v2:0")
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("exit %v for a bad manifest:\n%s", err, out)
	}
	for _, want := range []string{p + `:101: recordId "r1" is also used on line 2`, p + ":101: modelInput is not a request amazon.titan-embed-text-v2:0 accepts", "2 problems"} {
		if !strings.Contains(out+err.Error(), want) {
			t.Errorf("output lacks %q:\n%s\n%v", want, out, err)
		}
	}
	if out, err := run(t, "validate", p, "--model", "amazon.titan-embed-text-v2:0", "--json"); err == nil || !strings.Contains(out, `"kind": "DuplicateID"`) {
		t.Errorf("--json: %v\n%s", err, out)
	}
}

var dataCLI = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "bedrockbatch-data-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bedrockbatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
})

// runJSON runs the built command as a user does and decodes its --json
// output into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	bin, err := dataCLI()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, "--json")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bedrockbatch %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("bedrockbatch %s printed no JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
}

// The round trip a user makes: a CSV becomes manifests, the local cloud
// runs them through the deployed workflow, and results joins every source
// row to its answer.
func TestRoundTripPrepareLocalRunResults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of the CLI: skipped with -short")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "reviews.csv")
	var sb strings.Builder
	sb.WriteString("review_id,text\n")
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(&sb, "rv-%d,\"Review number %d, quite good\"\n", i, i)
	}
	os.WriteFile(in, []byte(sb.String()), 0o644)
	manifests := filepath.Join(dir, "manifests")
	const haiku = "anthropic.claude-3-haiku-20240307-v1:0"

	var prep prepare.Result
	runJSON(t, &prep, "prepare", in, "--model", haiku, "--prompt", "Summarize: {{.text}}", "--id-column", "review_id", "--records-per-job", "125", "--out", manifests)
	if len(prep.Files) != 2 || prep.Records != 250 {
		t.Fatalf("prepare: %+v", prep)
	}

	var runRes struct {
		Status      string `json:"status"`
		Error       string `json:"error"`
		Cause       string `json:"cause"`
		OutputFiles []struct {
			Path string `json:"path"`
		} `json:"outputFiles"`
	}
	data := filepath.Join(dir, "cloud")
	runJSON(t, &runRes, "local", "run", "--data", data, "--input", manifests, "--model", haiku, "--sim-error-rate", "0.05")
	if runRes.Status != "SUCCEEDED" || len(runRes.OutputFiles) != 2 {
		t.Fatalf("local run: %+v", runRes)
	}
	// <data>/s3/<bucket>/output/<job name>/<job id>/<file>.out: the job
	// name's prefix holds every job of the run.
	outputs := filepath.Dir(filepath.Dir(runRes.OutputFiles[0].Path))

	var res results.Result
	out := filepath.Join(dir, "results.csv")
	runJSON(t, &res, "results", outputs, "--join", in, "--id-column", "review_id", "--out", out, "--failed", filepath.Join(dir, "retry"))
	if res.Rows != 250 || res.Records != 250 || res.Missing != 0 || res.Orphans != 0 || res.Failed == 0 || res.Failed > 40 {
		t.Fatalf("results: %+v", res)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 251 || strings.Join(rows[0][:5], ",") != "review_id,text,record_id,status,output" {
		t.Fatalf("%d lines, header %v", len(rows), rows[0])
	}
	failed := 0
	for i, r := range rows[1:] {
		id := fmt.Sprintf("rv-%d", i+1)
		if r[0] != id || r[2] != id {
			t.Fatalf("row %d: %v, want the source row %s joined to its record", i+1, r, id)
		}
		if r[8] != "" {
			if r[3] != results.StatusErrored {
				t.Errorf("row %d has an error code and status %q", i+1, r[3])
			}
			failed++
			continue
		}
		if r[3] != results.StatusAnswered || !strings.Contains(r[4], fmt.Sprintf("Review number %d", i+1)) {
			t.Errorf("row %d: status %q, output %q does not answer its own prompt", i+1, r[3], r[4])
		}
	}
	if failed != res.Failed {
		t.Errorf("%d rows carry an error code, results reported %d failed", failed, res.Failed)
	}
	var retry struct {
		Files []struct{ Records int } `json:"files"`
	}
	runJSON(t, &retry, "validate", filepath.Join(dir, "retry", "failed.jsonl"), "--model", haiku, "--min-records-per-job", "1")
	if len(retry.Files) != 1 || retry.Files[0].Records != res.Failed {
		t.Errorf("failed manifest: %+v, want %d records", retry, res.Failed)
	}
}

// The hint after prepare repeats the quota flags that were changed, so the
// validate it suggests checks against the same quotas; results names each
// missing record and exits 1 unless --allow-missing.
func TestPrepareHintAndResultsExitOnMissing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "rows.csv")
	var sb strings.Builder
	sb.WriteString("id,text\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&sb, "r%d,text %d\n", i, i)
	}
	os.WriteFile(src, []byte(sb.String()), 0o644)
	manifests := filepath.Join(dir, "m")
	out, err := run(t, "prepare", src, "--model", "amazon.nova-lite-v1:0", "--prompt", "{{.text}}", "--out", manifests, "--min-records-per-job", "50")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "--model amazon.nova-lite-v1:0 --min-records-per-job 50;") {
		t.Errorf("the hint does not keep --min-records-per-job 50:\n%s", out)
	}
	if strings.Contains(out, "--max-records-per-file") {
		t.Errorf("the hint repeats a flag left at its default:\n%s", out)
	}
	// No job ran: every record is missing.
	outs := filepath.Join(dir, "outputs")
	os.MkdirAll(outs, 0o755)
	res := filepath.Join(dir, "r.csv")
	out, err = run(t, "results", outs, "--manifests", manifests, "--out", res)
	if err == nil || !strings.Contains(out, "60 = 0 answered + 0 errored + 60 missing") {
		t.Fatalf("results with nothing run: %v\n%s", err, out)
	}
	if out, err := run(t, "results", outs, "--manifests", manifests, "--out", res, "--allow-missing"); err != nil {
		t.Fatalf("--allow-missing: %v\n%s", err, out)
	}
}
