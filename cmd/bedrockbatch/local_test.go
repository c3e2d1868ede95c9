package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

// The local run tests run the real command in its own process, as a user
// does: synthesis starts the CDK's Node.js runtime, which one process can
// use only once.

var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "bedrockbatch-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bedrockbatch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
})

func cliBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end run of the CLI: skipped with -short")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runResult is the --json output of local run.
type runResult struct {
	Resumed     bool               `json:"resumed"`
	Deployed    map[string]int     `json:"deployed"`
	Status      string             `json:"status"`
	Error       string             `json:"error"`
	Cause       string             `json:"cause"`
	Output      json.RawMessage    `json:"output"`
	Summary     manifest.Summary   `json:"summary"`
	Jobs        []watch.Job        `json:"jobs"`
	OutputFiles []watch.OutputFile `json:"outputFiles"`
	Seconds     map[string]float64 `json:"seconds"`
}

func localRun(t *testing.T, env []string, args ...string) (runResult, int, string) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), append([]string{"local", "run", "--json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var res runResult
	if jerr := json.Unmarshal(stdout.Bytes(), &res); jerr != nil {
		t.Fatalf("local run printed no JSON result (exit %d): %v\nstdout: %s\nstderr: %s", code, jerr, stdout.String(), stderr.String())
	}
	return res, code, stderr.String()
}

// checkOutputFile asserts that an output file holds one line per input
// record, each record exactly once.
func checkOutputFile(t *testing.T, f watch.OutputFile, wantRecords int) {
	t.Helper()
	file, err := os.Open(f.Path)
	if err != nil {
		t.Fatalf("output file %s: %v", f.URI, err)
	}
	defer file.Close()
	seen := map[string]bool{}
	r := manifest.NewOutputReader(file, f.Path, 0)
	for {
		line, err := r.Next()
		if err != nil {
			break
		}
		if seen[line.RecordID] {
			t.Errorf("%s: record %s appears twice", f.URI, line.RecordID)
		}
		seen[line.RecordID] = true
		if line.Error == nil && len(line.ModelOutput) == 0 {
			t.Errorf("%s: record %s has neither modelOutput nor error", f.URI, line.RecordID)
		}
	}
	if len(seen) != wantRecords || f.Lines != wantRecords {
		t.Errorf("%s: %d distinct records, %d lines reported; want %d", f.URI, len(seen), f.Lines, wantRecords)
	}
}

func TestLocalRunBundledExample(t *testing.T) {
	data := t.TempDir()
	res, code, stderr := localRun(t, nil, "--data", data)
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	var out []batch.JobResult
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatalf("execution output %s is not the fragment's array: %v", res.Output, err)
	}
	if len(out) != 2 {
		t.Fatalf("output has %d elements, want one per manifest (2): %s", len(out), res.Output)
	}
	for i, r := range out {
		if r.Status != batch.StatusCompleted || len(r.Keys) != 1 || !strings.HasSuffix(r.Keys[0], fmt.Sprintf("manifest-%d.jsonl.out", i+1)) {
			t.Errorf("output[%d] = %+v, want Completed with manifest-%d.jsonl.out", i, r, i+1)
		}
	}
	if !regexp.MustCompile(`(?m)^console: http://127\.0\.0\.1:\d+/_console/$`).MatchString(stderr) {
		t.Errorf("local run did not print the console's address:\n%s", stderr)
	}
	want := map[string]int{"manifest-1.jsonl.out": 520, "manifest-2.jsonl.out": 480}
	if len(res.OutputFiles) != 2 {
		t.Fatalf("output files %+v, want 2", res.OutputFiles)
	}
	for _, f := range res.OutputFiles {
		if !strings.HasPrefix(f.Path, data) {
			t.Errorf("output file %s is at %s, outside the data directory %s", f.URI, f.Path, data)
		}
		checkOutputFile(t, f, want[filepath.Base(f.Path)])
	}
	if s := res.Summary; s.TotalRecordCount != 1000 || s.SuccessRecordCount != 1000 || s.ErrorRecordCount != 0 || s.InputTokenCount == 0 || s.OutputTokenCount == 0 {
		t.Errorf("summary %+v, want 1000 records all succeeded with tokens counted", s)
	}

	// A second run on the same data deploys nothing new and runs a new
	// execution whose jobs have names of their own.
	again, code, stderr := localRun(t, nil, "--data", data)
	if code != 0 || again.Status != "SUCCEEDED" {
		t.Fatalf("second run: exit %d, status %s: %s\n%s", code, again.Status, again.Cause, stderr)
	}
	if res.Deployed["created"] == 0 || again.Deployed["created"]+again.Deployed["updated"] != 0 || again.Deployed["unchanged"] == 0 {
		t.Errorf("deployments %v then %v: want resources created, then all unchanged", res.Deployed, again.Deployed)
	}
	if again.Jobs[0].Name == res.Jobs[0].Name {
		t.Errorf("second run reused job name %s", again.Jobs[0].Name)
	}
}

func writeManifest(t *testing.T, dir, name string, records int) {
	t.Helper()
	var b strings.Builder
	for i := range records {
		fmt.Fprintf(&b, `{"recordId":"R%05d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Say something about item %d."}]}],"inferenceConfig":{"maxTokens":50}}}`+"\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLocalRunFailedJobReachesFailState lowers the run's own check of the
// per-job minimum (--min-records) so that a manifest of 99 records reaches
// Bedrock, whose job fails for it.
func TestLocalRunFailedJobReachesFailState(t *testing.T) {
	in := t.TempDir()
	writeManifest(t, in, "small.jsonl", 99)
	res, code, _ := localRun(t, nil, "--data", t.TempDir(), "--input", in, "--min-records", "99")
	if code != 1 {
		t.Errorf("exit status %d, want 1 for a failed execution", code)
	}
	if res.Status != "FAILED" || res.Error != string(batch.StatusFailed) {
		t.Fatalf("status %s error %q, want FAILED with the job status Failed as error (FailState's ErrorPath)", res.Status, res.Error)
	}
	if !strings.Contains(res.Cause, "100") || !strings.Contains(res.Cause, "99") {
		t.Errorf("cause %q does not say the job had 99 records and needs 100", res.Cause)
	}
}

// TestLocalRunHoldsEachFileToTheJobMinimum rejects, as start does, a
// manifest with fewer records than a job needs (100 by default:
// https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html,
// "Minimum number of records per batch inference job") before the app is
// synthesized.
func TestLocalRunHoldsEachFileToTheJobMinimum(t *testing.T) {
	in := t.TempDir()
	writeManifest(t, in, "good.jsonl", 100)
	writeManifest(t, in, "small.jsonl", 99)
	data := t.TempDir()
	out, err := exec.Command(cliBinary(t), "local", "run", "--data", data, "--input", in).CombinedOutput()
	if err == nil {
		t.Fatalf("local run accepted a manifest of 99 records:\n%s", out)
	}
	if !strings.Contains(string(out), "small.jsonl") || !strings.Contains(string(out), "99") || !strings.Contains(string(out), "100") {
		t.Errorf("error does not name the file, its 99 records and the minimum of 100:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "cdk.out")); err == nil {
		t.Error("the app was synthesized although the input was rejected")
	}
}

func TestLocalRunRejectsBadInputBeforeDeploying(t *testing.T) {
	in := t.TempDir()
	writeManifest(t, in, "good.jsonl", 100)
	if err := os.WriteFile(filepath.Join(in, "bad.jsonl"), []byte("{\"recordId\":\"a\",\"modelInput\":{}}\n{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	cmd := exec.Command(cliBinary(t), "local", "run", "--data", data, "--input", in)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("local run accepted a manifest with a broken line:\n%s", out)
	}
	if !strings.Contains(string(out), "bad.jsonl") || !strings.Contains(string(out), "line 2") {
		t.Errorf("error does not name the file and line:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "cdk.out")); err == nil {
		t.Error("the app was synthesized although the input was rejected")
	}
}

// TestLocalRunSurvivesKill kills a run while its jobs are in progress and
// runs the same command again: the execution resumes and every record
// appears exactly once in the outputs.
func TestLocalRunSurvivesKill(t *testing.T) {
	bin := cliBinary(t)
	data := t.TempDir()
	slow := []string{"BEDROCKBATCH_SIM_LATENCY=15ms"}
	cmd := exec.Command(bin, "local", "run", "--data", data)
	cmd.Env = append(os.Environ(), slow...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "InProgress") {
				time.Sleep(300 * time.Millisecond)
				killed <- cmd.Process.Signal(syscall.SIGKILL) == nil
				break
			}
		}
		for sc.Scan() {
		}
		close(killed)
	}()
	if ok := <-killed; !ok {
		t.Fatal("the run ended before its jobs were in progress")
	}
	_ = cmd.Wait()

	res, code, stderr := localRun(t, slow, "--data", data)
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("after the kill: exit %d, status %s: %s %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	if !res.Resumed {
		t.Error("the second run started a new execution instead of resuming the killed one")
	}
	if !regexp.MustCompile(`(?m)^console: http://127\.0\.0\.1:\d+/_console/$`).MatchString(stderr) {
		t.Errorf("local run did not print the console's address:\n%s", stderr)
	}
	want := map[string]int{"manifest-1.jsonl.out": 520, "manifest-2.jsonl.out": 480}
	if len(res.OutputFiles) != 2 {
		t.Fatalf("output files %+v, want 2", res.OutputFiles)
	}
	for _, f := range res.OutputFiles {
		checkOutputFile(t, f, want[filepath.Base(f.Path)])
	}
	if len(res.Jobs) != 2 {
		t.Errorf("resumed run reports %d jobs, want the 2 of the killed run", len(res.Jobs))
	}
}

func TestLocalRunRejectsBadSettingsBeforeSynthesis(t *testing.T) {
	bin := cliBinary(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--backend", "openai"}, "no server URL"},
		{[]string{"--backend", "gpu"}, `unknown model backend "gpu"`},
		{[]string{"--model", "acme.unknown-v1"}, "no supported model family"},
		{[]string{"--model", "anthropic.claude-3-haiku-20240307-v1:0"}, "give --input"},
		{[]string{"--sim-error-rate", "2"}, "--sim-error-rate"},
		{[]string{"--sim-permanent-error-rate", "-1"}, "--sim-permanent-error-rate"},
		{[]string{"--on-demand-rpm", "-5"}, "--on-demand-rpm"},
		{[]string{"--execution-input", "{oops"}, "--execution-input is not valid JSON"},
	} {
		data := t.TempDir()
		out, err := exec.Command(bin, append([]string{"local", "run", "--data", data}, tc.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: err %v, output %q; want a failure saying %q", tc.args, err, out, tc.want)
		}
		if _, err := os.Stat(filepath.Join(data, "cdk.out")); err == nil {
			t.Errorf("%v: the app was synthesized although a setting was wrong", tc.args)
		}
	}
}
