package results_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/prepare"
	"github.com/bedrockbatch/bedrockbatch/results"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// summarize writes each job's manifest.json.out as Bedrock does, next to its
// output file: the input's record count, and the processed, succeeded and
// errored counts of its output lines
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html).
func summarize(t *testing.T, files []prepare.File, outs string) {
	t.Helper()
	for j, f := range files {
		dir := filepath.Join(outs, fmt.Sprintf("job%d", j))
		var s manifest.Summary
		s.TotalRecordCount = int64(f.Records)
		if r, err := os.Open(filepath.Join(dir, filepath.Base(f.Path)+".out")); err == nil {
			or := manifest.NewOutputReader(r, f.Path, 0)
			for {
				l, err := or.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				s.ProcessedRecordCount++
				if l.Failed() {
					s.ErrorRecordCount++
				} else {
					s.SuccessRecordCount++
				}
			}
			r.Close()
		}
		os.MkdirAll(dir, 0o755)
		w, err := os.Create(filepath.Join(dir, manifest.SummaryName))
		if err != nil {
			t.Fatal(err)
		}
		manifest.WriteSummary(w, s)
		w.Close()
	}
}

// lossyRun prepares 260 records in two jobs and plays them with records 40,
// 80, …, 240 never run (6) and 50, 100, 150, 250 errored (4; 200 is one of
// the never run).
func lossyRun(t *testing.T) (src, manifests, outs string) {
	t.Helper()
	src = source(t, 260)
	manifests = t.TempDir()
	files := prep(t, prepare.Options{Input: src, ModelID: nova, RecordsPerJob: 130, Out: manifests, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs = t.TempDir()
	runJobs(t, files, nova, outs, func(i int) bool { return i%40 == 0 }, func(i int) bool { return i%50 == 0 })
	summarize(t, files, outs)
	return src, manifests, outs
}

func isMissing(i int) bool { return i%40 == 0 }
func isErrored(i int) bool { return i%50 == 0 && !isMissing(i) }

func TestEveryInputRecordInTheTable(t *testing.T) {
	_, manifests, outs := lossyRun(t)
	out := filepath.Join(t.TempDir(), "r.csv")
	failedDir := t.TempDir()
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: out, Failed: failedDir})
	if !errors.Is(err, results.ErrMissingRecords) || !strings.Contains(err.Error(), "6 of the 260 input records") {
		t.Fatalf("error %v: want ErrMissingRecords naming 6 of 260", err)
	}
	if res.Expected != 260 || res.Succeeded != 250 || res.Failed != 4 || res.Missing != 6 || res.Jobs != 2 {
		t.Fatalf("result %+v: want 260 expected = 250 answered + 4 errored + 6 missing, 2 jobs", res)
	}
	if res.Summary == nil || res.Summary.TotalRecordCount != 260 || res.Summary.ProcessedRecordCount != 254 {
		t.Fatalf("summary %+v: want the jobs' totals 260 / 254", res.Summary)
	}
	_, rows := readTable(t, out)
	if len(rows) != 260 {
		t.Fatalf("%d rows, want one per input record (260)", len(rows))
	}
	for _, r := range rows {
		var i int
		fmt.Sscanf(str(r["record_id"]), "REC%d", &i)
		want := results.StatusAnswered
		switch {
		case isMissing(i):
			want = results.StatusMissing
		case isErrored(i):
			want = results.StatusErrored
		}
		if str(r["status"]) != want {
			t.Errorf("record %d: status %q, want %q (%v)", i, r["status"], want, r)
		}
		if want == results.StatusMissing && !strings.Contains(str(r["error_message"]), "no output line") {
			t.Errorf("record %d: a missing record says why: %v", i, r)
		}
	}
	if res.FailedErrored != 4 || res.FailedMissing != 6 || len(res.FailedFiles) != 1 {
		t.Fatalf("records to run again: %d errored, %d missing in %v; want 4 and 6 in one file", res.FailedErrored, res.FailedMissing, res.FailedFiles)
	}
	ids := manifestIDs(t, res.FailedFiles[0])
	if len(ids) != 10 {
		t.Fatalf("failed manifest holds %v, want the 10 errored and missing records", ids)
	}
	for _, id := range ids {
		var i int
		fmt.Sscanf(id, "REC%d", &i)
		if !isMissing(i) && !isErrored(i) {
			t.Errorf("record %s ran fine and is in the failed manifest", id)
		}
	}

	res, err = results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: out, AllowMissing: true})
	if err != nil || res.Missing != 6 {
		t.Fatalf("AllowMissing: %v, %+v", err, res)
	}
}

// OpenAI's batch output has a line for every request: one that did not run
// has "response": null and an error with code batch_expired
// (https://platform.openai.com/docs/api-reference/batch/request-output).
func TestOpenAIOutputHasALineForEveryRequest(t *testing.T) {
	_, manifests, outs := lossyRun(t)
	out := filepath.Join(t.TempDir(), "openai.jsonl")
	_, err := results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: out, Format: "openai", ModelID: nova})
	if !errors.Is(err, results.ErrMissingRecords) {
		t.Fatalf("error %v, want ErrMissingRecords", err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	expired := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			CustomID string          `json:"custom_id"`
			Response json.RawMessage `json:"response"`
			Error    *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		seen[l.CustomID] = true
		var i int
		fmt.Sscanf(l.CustomID, "REC%d", &i)
		if isMissing(i) {
			expired++
			if string(l.Response) != "null" || l.Error == nil || l.Error.Code != "batch_expired" || l.Error.Message == "" {
				t.Errorf("request %s never ran: %s", l.CustomID, sc.Text())
			}
		} else if l.Error != nil || string(l.Response) == "null" {
			t.Errorf("request %s ran: %s", l.CustomID, sc.Text())
		}
	}
	if len(seen) != 260 || expired != 6 {
		t.Fatalf("%d distinct requests (%d expired), want 260 (6)", len(seen), expired)
	}
}

func TestMissingCountedFromSummariesWithoutManifests(t *testing.T) {
	_, _, outs := lossyRun(t)
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: filepath.Join(t.TempDir(), "r.jsonl")})
	if !errors.Is(err, results.ErrMissingRecords) || !strings.Contains(err.Error(), "--manifests") {
		t.Fatalf("error %v: want ErrMissingRecords pointing at --manifests", err)
	}
	if res.UnnamedMissing != 6 || res.Records != 254 {
		t.Fatalf("%+v: want 6 records the summaries say never ran", res)
	}
}

func TestOutputsThatDisagreeWithTheSummariesAreAnError(t *testing.T) {
	_, manifests, outs := lossyRun(t)
	outFiles, _ := filepath.Glob(filepath.Join(outs, "job1", "*.jsonl.out"))
	os.Remove(outFiles[0])
	_, err := results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: filepath.Join(t.TempDir(), "r.csv")})
	if err == nil || !strings.Contains(err.Error(), "manifest.json.out") || errors.Is(err, results.ErrMissingRecords) {
		t.Fatalf("an output file lost: %v, want an error holding the lines to the summaries", err)
	}
}

func TestFailedRecordsCutIntoJobsAboveTheMinimum(t *testing.T) {
	src := source(t, 1000)
	manifests := t.TempDir()
	files := prep(t, prepare.Options{Input: src, ModelID: nova, Out: manifests, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, nova, outs, func(i int) bool { return i > 650 }, nil)
	failedDir := t.TempDir()
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Manifests: manifests, Out: filepath.Join(t.TempDir(), "r.csv"),
		Failed: failedDir, AllowMissing: true, Limits: manifest.Limits{MaxRecordsPerFile: 150}})
	if err != nil {
		t.Fatal(err)
	}
	if res.FailedMissing != 350 || len(res.FailedFiles) != 3 {
		t.Fatalf("%d missing in %v: want 350 in 3 files of at most 150", res.FailedMissing, res.FailedFiles)
	}
	var all []string
	for _, f := range res.FailedFiles {
		ids := manifestIDs(t, f)
		if len(ids) < manifest.DefaultMinRecordsPerJob || len(ids) > 150 {
			t.Errorf("%s holds %d records: want 100 to 150", f, len(ids))
		}
		all = append(all, ids...)
	}
	sort.Strings(all)
	if len(all) != 350 || all[0] != manifest.GeneratedRecordID(651) || all[349] != manifest.GeneratedRecordID(1000) {
		t.Errorf("failed records %d, from %s to %s", len(all), all[0], all[len(all)-1])
	}
}

func TestJoinedRowWithPartOfItsRecords(t *testing.T) {
	src := source(t, 100)
	files := prep(t, prepare.Options{Input: src, ModelID: nova, IDColumn: "sku", Templates: []prepare.Template{{Text: "A {{.text}}"}, {Text: "B {{.text}}"}}})
	outs := t.TempDir()
	// Record 4 is sku-2-002: its row comes back with only its first answer.
	runJobs(t, files, nova, outs, func(i int) bool { return i == 4 }, nil)
	out := filepath.Join(t.TempDir(), "r.csv")
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Join: src, IDColumn: "sku", Out: out})
	if !errors.Is(err, results.ErrMissingRecords) || res.Missing != 1 {
		t.Fatalf("%v, %+v: want one missing record", err, res)
	}
	_, rows := readTable(t, out)
	if len(rows) != 200 {
		t.Fatalf("%d rows, want 2 per source row", len(rows))
	}
	if str(rows[3]["record_id"]) != "sku-2-002" || str(rows[3]["status"]) != results.StatusMissing || str(rows[3]["sku"]) != "sku-2" {
		t.Errorf("the row's missing record: %v", rows[3])
	}
}

func manifestIDs(t *testing.T, path string) []string {
	t.Helper()
	r, _, err := (&table.Store{}).Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rd := manifest.NewReader(r, path, 0)
	var ids []string
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.RecordID)
	}
}
