package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// largeRunApp is a plain app around the fragment whose state machine
// takes the execution input as the fragment's input.
const largeRunApp = "go run ../../examples/largerun"

// writeManifests writes n manifests of 100 records (Bedrock's minimum)
// with record ids unique across them.
func writeManifests(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for m := range n {
		var b strings.Builder
		for r := range 100 {
			fmt.Fprintf(&b, `{"recordId":"M%05dR%03d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Item %d."}]}],"inferenceConfig":{"maxTokens":20}}}`+"\n", m, r, r)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%05d.jsonl", m)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLocalRunManifestKeysAboveTheLimitFailFirst runs more manifest_keys
// than the inline Map can report: the execution fails with an error naming
// the limit and manifest_prefix, and no Bedrock job was created.
func TestLocalRunManifestKeysAboveTheLimitFailFirst(t *testing.T) {
	in := writeManifests(t, bedrockbatchstepfn.DefaultMaxInlineManifests+1)
	res, code, stderr := localRun(t, nil, "--app", largeRunApp, "--data", t.TempDir(), "--input", in,
		"--model", "amazon.nova-pro-v1:0", "--time-scale", "3600")
	if code != 1 || res.Status != "FAILED" {
		t.Fatalf("exit %d, status %s, want a failed execution\n%s", code, res.Status, stderr)
	}
	if res.Error != bedrockbatchstepfn.TooManyManifestsError || !strings.Contains(res.Cause, "1001") ||
		!strings.Contains(res.Cause, "at most 1000") || !strings.Contains(res.Cause, "manifest_prefix") {
		t.Errorf("error %s: %s; want %s naming the count, the limit and manifest_prefix", res.Error, res.Cause, bedrockbatchstepfn.TooManyManifestsError)
	}
	if len(res.Jobs) != 0 {
		t.Errorf("%d Bedrock jobs exist; the run must fail before creating any", len(res.Jobs))
	}
}

// TestLocalRunManifestPrefix runs every manifest under a prefix through the
// distributed Map: the execution succeeds with counts per status, the
// results are in S3 as Step Functions writes them, and every record is in
// the outputs exactly once.
func TestLocalRunManifestPrefix(t *testing.T) {
	const n = 40
	in := writeManifests(t, n)
	data := t.TempDir()
	input := `{"job_name":"prefix_run","model_id":"amazon.nova-pro-v1:0","manifest_prefix":"input/"}`
	res, code, stderr := localRun(t, nil, "--app", largeRunApp, "--data", data, "--input", in,
		"--execution-input", input, "--time-scale", "3600")
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	var out struct {
		MapRunArn string `json:"map_run_arn"`
		Results   struct {
			Bucket      string `json:"bucket"`
			ManifestKey string `json:"manifest_key"`
		} `json:"results"`
		ItemCounts map[string]int `json:"item_counts"`
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatalf("output %s: %v", res.Output, err)
	}
	runID := out.MapRunArn[strings.LastIndex(out.MapRunArn, ":")+1:]
	if out.Results.ManifestKey != "results/"+runID+"/manifest.json" {
		t.Errorf("results at %s, want results/<map run id>/manifest.json", out.Results.ManifestKey)
	}
	want := map[string]int{"total": n, "succeeded": n, "failed": 0, "timed_out": 0, "aborted": 0}
	for k, v := range want {
		if out.ItemCounts[k] != v {
			t.Errorf("item_counts %v, want %v", out.ItemCounts, want)
			break
		}
	}
	if len(res.Jobs) != n {
		t.Errorf("%d jobs, want %d", len(res.Jobs), n)
	}

	object := func(key string) []byte {
		b, err := os.ReadFile(filepath.Join(data, "s3", out.Results.Bucket, filepath.FromSlash(key)))
		if err != nil {
			t.Fatalf("result object %s: %v", key, err)
		}
		return b
	}
	var m struct {
		DestinationBucket string
		MapRunArn         string
		ResultFiles       map[string][]struct{ Key string }
	}
	if err := json.Unmarshal(object(out.Results.ManifestKey), &m); err != nil {
		t.Fatal(err)
	}
	if m.DestinationBucket != out.Results.Bucket || m.MapRunArn != out.MapRunArn || len(m.ResultFiles["SUCCEEDED"]) != 1 ||
		len(m.ResultFiles["FAILED"]) != 0 {
		t.Fatalf("manifest.json %+v", m)
	}
	var children []struct {
		ExecutionArn, Status, Input, Output string
	}
	if err := json.Unmarshal(object(m.ResultFiles["SUCCEEDED"][0].Key), &children); err != nil {
		t.Fatal(err)
	}
	if len(children) != n {
		t.Fatalf("%d results, want %d", len(children), n)
	}
	seen := map[string]bool{}
	for _, c := range children {
		var r batch.JobResult
		if err := json.Unmarshal([]byte(c.Output), &r); err != nil || r.Status != batch.StatusCompleted || len(r.Keys) != 1 {
			t.Fatalf("child %s output %s (%v)", c.ExecutionArn, c.Output, err)
		}
		f, err := os.Open(filepath.Join(data, "s3", r.Bucket, filepath.FromSlash(r.Keys[0])))
		if err != nil {
			t.Fatal(err)
		}
		lines := manifest.NewOutputReader(f, r.Keys[0], 0)
		for {
			line, err := lines.Next()
			if err != nil {
				break
			}
			if seen[line.RecordID] {
				t.Errorf("record %s appears twice", line.RecordID)
			}
			seen[line.RecordID] = true
		}
		f.Close()
	}
	if len(seen) != n*100 {
		t.Errorf("%d distinct records in the outputs, want %d", len(seen), n*100)
	}
}

// TestLocalRunByPrefix starts the run with --by-prefix: the execution
// input is {job_name, model_id, manifest_prefix} of the uploaded manifests,
// and the distributed Map runs every one of them to SUCCEEDED.
func TestLocalRunByPrefix(t *testing.T) {
	const n = 3
	in := writeManifests(t, n)
	data := t.TempDir()
	res, code, stderr := localRun(t, nil, "--app", largeRunApp, "--data", data, "--input", in, "--by-prefix",
		"--job-name", "by_prefix", "--model", "amazon.nova-pro-v1:0", "--time-scale", "3600")
	if code != 0 || res.Status != "SUCCEEDED" {
		t.Fatalf("exit %d, status %s, error %s: %s\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	var out struct {
		ItemCounts map[string]int `json:"item_counts"`
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatalf("output %s: %v", res.Output, err)
	}
	if out.ItemCounts["total"] != n || out.ItemCounts["succeeded"] != n {
		t.Errorf("item counts %v, want %d manifests all succeeded", out.ItemCounts, n)
	}
	if len(res.Jobs) != n {
		t.Fatalf("%d jobs, want one per manifest (%d)", len(res.Jobs), n)
	}
	for _, j := range res.Jobs {
		if !strings.HasPrefix(j.Name, "by-prefix") || j.Status != string(batch.StatusCompleted) {
			t.Errorf("job %s %s, want a Completed job named after --job-name", j.Name, j.Status)
		}
	}
}

// TestLocalRunManifestPrefixStopsOnAFailedJob runs a prefix holding a
// manifest Bedrock rejects (99 records, below its minimum): the run fails
// as the distributed Map does, and the failed manifest's error is in the
// FAILED result file.
func TestLocalRunManifestPrefixStopsOnAFailedJob(t *testing.T) {
	in := writeManifests(t, 2)
	writeManifest(t, in, "small.jsonl", 99)
	data := t.TempDir()
	input := `{"job_name":"prefix_fail","model_id":"amazon.nova-pro-v1:0","manifest_prefix":"input/"}`
	res, code, stderr := localRun(t, nil, "--app", largeRunApp, "--data", data, "--input", in,
		"--execution-input", input, "--time-scale", "3600", "--min-records", "99")
	if code != 1 || res.Status != "FAILED" || res.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("exit %d, status %s, error %s: %s; want the Map Run's failure\n%s", code, res.Status, res.Error, res.Cause, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(data, "s3", "*", "results", "*", "FAILED_0.json"))
	if len(files) != 1 {
		t.Fatalf("FAILED result files %v, want one", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// The failed child, and the siblings the failure stopped (ABORTED)
	// unless they had ended first.
	var records []struct{ Input, Status, Error, Cause string }
	if err := json.Unmarshal(raw, &records); err != nil {
		t.Fatalf("FAILED_0.json %s (%v)", raw, err)
	}
	var failed int
	for _, r := range records {
		switch r.Status {
		case "FAILED":
			failed++
			if !strings.Contains(r.Input, "input/small.jsonl") || r.Error != string(batch.StatusFailed) || !strings.Contains(r.Cause, "100") {
				t.Errorf("failed record %+v, want small.jsonl's job Failed for having fewer than 100 records", r)
			}
		case "ABORTED":
		default:
			t.Errorf("record with status %s in FAILED_0.json", r.Status)
		}
	}
	if failed != 1 {
		t.Errorf("%d FAILED records, want 1: %s", failed, raw)
	}
}
