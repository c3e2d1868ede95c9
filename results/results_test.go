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
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/prepare"
	"github.com/bedrockbatch/bedrockbatch/results"
	"github.com/bedrockbatch/bedrockbatch/table"
)

const nova = "amazon.nova-lite-v1:0"

// source writes a CSV of n rows: sku, text.
func source(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "items.csv")
	var sb strings.Builder
	sb.WriteString("sku,text\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "sku-%d,\"item %d, described\"\n", i, i)
	}
	os.WriteFile(p, []byte(sb.String()), 0o644)
	return p
}

// runJobs plays Bedrock for the manifests: every record runs through the
// sim backend and its line is written to <out>/<job>/<file>.out, in
// reverse order (the service keeps no order); records whose index skip
// says so are left out, and those fail says so get an error line.
func runJobs(t *testing.T, files []prepare.File, modelID, out string, skip, fail func(i int) bool) {
	t.Helper()
	sim, err := backend.NewSim(backend.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	store := &table.Store{}
	i := 0
	for j, f := range files {
		r, _, err := store.Open(context.Background(), f.Path)
		if err != nil {
			t.Fatal(err)
		}
		rd := manifest.NewReader(r, f.Path, 0)
		var lines []manifest.OutputLine
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			i++
			if skip != nil && skip(i) {
				continue
			}
			l := manifest.OutputLine{RecordID: rec.RecordID, ModelInput: rec.ModelInput}
			if fail != nil && fail(i) {
				l.Error = &manifest.OutputError{ErrorCode: 400, ErrorMessage: "Malformed input request, please reformat your input and try again."}
			} else {
				resp, err := sim.Invoke(context.Background(), backend.Request{Model: model.ParseID(modelID), Body: rec.ModelInput})
				if err != nil {
					t.Fatal(err)
				}
				l.ModelOutput = resp.Body
			}
			lines = append(lines, l)
		}
		r.Close()
		w, err := store.Create(context.Background(), table.Join(table.Join(out, fmt.Sprintf("job%d", j)), filepath.Base(f.Path)+".out"))
		if err != nil {
			t.Fatal(err)
		}
		ow := manifest.NewOutputWriter(w)
		for k := len(lines) - 1; k >= 0; k-- {
			if err := ow.Write(lines[k]); err != nil {
				t.Fatal(err)
			}
		}
		ow.Flush()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func prep(t *testing.T, opts prepare.Options) []prepare.File {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	res, err := prepare.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Files
}

func readTable(t *testing.T, path string) ([]string, []map[string]any) {
	t.Helper()
	f, _ := table.FormatOf(path, "")
	r, err := (&table.Store{}).OpenTable(context.Background(), path, f, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []map[string]any
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row.Values)
	}
	return r.Columns(), rows
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func TestJoinKeepsSourceOrderAndEveryRow(t *testing.T) {
	for _, partitionBytes := range []int64{64 << 20, 4 << 10} {
		for _, ext := range []string{"csv", "jsonl", "parquet"} {
			t.Run(fmt.Sprintf("%s/partition%d", ext, partitionBytes), func(t *testing.T) {
				defer results.SetPartitionBytes(partitionBytes)()
				src := source(t, 260)
				files := prep(t, prepare.Options{Input: src, ModelID: nova, RecordsPerJob: 130, Templates: []prepare.Template{{Text: "Describe {{.text}}"}}})
				outs := t.TempDir()
				runJobs(t, files, nova, outs, func(i int) bool { return i == 17 }, func(i int) bool { return i%50 == 0 })
				failedDir := t.TempDir()
				out := filepath.Join(t.TempDir(), "results."+ext)
				res, err := results.Run(context.Background(), results.Options{Outputs: outs, Join: src, Out: out, Failed: failedDir})
				if !errors.Is(err, results.ErrMissingRecords) {
					t.Fatalf("a row without output: %v, want ErrMissingRecords", err)
				}
				if res.Rows != 260 || res.Records != 259 || res.Failed != 5 || res.Missing != 1 || res.Orphans != 0 || res.InputTokens == 0 {
					t.Fatalf("result %+v: want 260 rows, 259 records, 5 failed, 1 missing", res)
				}
				cols, rows := readTable(t, out)
				if strings.Join(cols, ",") != "sku,text,record_id,status,output,input_tokens,output_tokens,stop_reason,error_code,error_message" {
					t.Errorf("columns %v", cols)
				}
				if len(rows) != 260 {
					t.Fatalf("%d rows, want every source row (260)", len(rows))
				}
				for i, r := range rows {
					if str(r["sku"]) != fmt.Sprintf("sku-%d", i+1) || str(r["record_id"]) != manifest.GeneratedRecordID(i+1) {
						t.Fatalf("row %d: sku %v, record %v: not in source order or wrongly joined", i+1, r["sku"], r["record_id"])
					}
					switch {
					case i+1 == 17:
						if !strings.Contains(str(r["error_message"]), "no output line") {
							t.Errorf("row 17 had no output: %v", r)
						}
					case (i+1)%50 == 0:
						if str(r["error_code"]) != "400" || str(r["output"]) != "" {
							t.Errorf("row %d failed: %v", i+1, r)
						}
					default:
						if !strings.Contains(str(r["output"]), fmt.Sprintf("item %d, described", i+1)) || str(r["input_tokens"]) == "" {
							t.Errorf("row %d: output %q does not answer its own prompt", i+1, r["output"])
						}
					}
				}
				if len(res.FailedFiles) != 1 {
					t.Fatalf("failed files %v, want one", res.FailedFiles)
				}
				failed, err := os.Open(res.FailedFiles[0])
				if err != nil {
					t.Fatal(err)
				}
				defer failed.Close()
				stats, err := manifest.ValidateFile(failed, res.FailedFiles[0], manifest.Limits{})
				if err != nil || stats.Records != 5 {
					t.Errorf("failed manifest: %d records, %v", stats.Records, err)
				}
			})
		}
	}
}

func TestJoinSeveralTemplatesAndOrphans(t *testing.T) {
	src := source(t, 100)
	files := prep(t, prepare.Options{Input: src, ModelID: nova, IDColumn: "sku", Templates: []prepare.Template{{Text: "A {{.text}}"}, {Text: "B {{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, nova, outs, nil, nil)
	// A record of another table's run.
	w, _ := os.Create(filepath.Join(outs, "stray.jsonl.out"))
	w.WriteString(`{"recordId":"other-1","modelInput":{},"modelOutput":{"output":{"message":{"content":[{"text":"x"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}}` + "\n")
	w.Close()
	out := filepath.Join(t.TempDir(), "r.jsonl")
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Join: src, IDColumn: "sku", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 201 || res.Orphans != 1 || res.Missing != 0 {
		t.Fatalf("result %+v", res)
	}
	_, rows := readTable(t, out)
	if len(rows) != 201 || str(rows[0]["record_id"]) != "sku-1-001" || str(rows[1]["record_id"]) != "sku-1-002" || str(rows[1]["sku"]) != "sku-1" {
		t.Fatalf("%d rows; first two %v, %v", len(rows), rows[0], rows[1])
	}
	if !strings.Contains(str(rows[1]["output"]), "B item 1") || str(rows[200]["record_id"]) != "other-1" || rows[200]["sku"] != nil {
		t.Errorf("second template's row %v; last row %v", rows[1], rows[200])
	}
	dup := filepath.Join(t.TempDir(), "dup")
	os.MkdirAll(dup, 0o755)
	b, _ := os.ReadFile(filepath.Join(outs, "stray.jsonl.out"))
	os.WriteFile(filepath.Join(dup, "a.jsonl.out"), b, 0o644)
	os.WriteFile(filepath.Join(dup, "b.jsonl.out"), b, 0o644)
	_, err = results.Run(context.Background(), results.Options{Outputs: dup, Join: src, Out: out})
	if err == nil || !strings.Contains(err.Error(), "a.jsonl.out line 1") || !strings.Contains(err.Error(), "b.jsonl.out line 1") {
		t.Errorf("a record in two outputs: %v", err)
	}
}

func TestOpenAIOutputLines(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, `{"custom_id":"q%d","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":"Question %d"}]}}`+"\n", i, i)
	}
	in := filepath.Join(dir, "batch.jsonl")
	os.WriteFile(in, []byte(sb.String()), 0o644)
	files := prep(t, prepare.Options{Input: in, Format: "openai", ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0"})
	outs := t.TempDir()
	runJobs(t, files, "anthropic.claude-3-5-haiku-20241022-v1:0", outs, nil, func(i int) bool { return i == 3 })
	out := filepath.Join(dir, "out.jsonl")
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: out, Format: "openai", ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0"})
	if err != nil || res.Records != 100 {
		t.Fatalf("%+v %v", res, err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	sc := bufio.NewScanner(f)
	seen := map[string]bool{}
	for sc.Scan() {
		var l struct {
			ID       string `json:"id"`
			CustomID string `json:"custom_id"`
			Response struct {
				StatusCode int    `json:"status_code"`
				RequestID  string `json:"request_id"`
				Body       struct {
					Object  string `json:"object"`
					Choices []struct {
						Message struct{ Content string }
					}
					Usage struct {
						TotalTokens int `json:"total_tokens"`
					}
					Error *struct{ Message string }
				}
			} `json:"response"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		seen[l.CustomID] = true
		if !strings.HasPrefix(l.ID, "batch_req_") || l.Response.RequestID == "" || string(l.Error) != "null" {
			t.Errorf("line %s", sc.Text())
		}
		if l.CustomID == "q2" {
			if l.Response.StatusCode != 400 || l.Response.Body.Error == nil {
				t.Errorf("failed record: %s", sc.Text())
			}
			continue
		}
		n := strings.TrimPrefix(l.CustomID, "q")
		if l.Response.StatusCode != 200 || l.Response.Body.Object != "chat.completion" || !strings.Contains(l.Response.Body.Choices[0].Message.Content, "Question "+n) || l.Response.Body.Usage.TotalTokens == 0 {
			t.Errorf("line %s", sc.Text())
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d custom ids", len(seen))
	}
}

func TestS3OutputsEmbeddingsToParquet(t *testing.T) {
	cloudtest.S3Env(t, "batch")
	src := source(t, 120)
	files := prep(t, prepare.Options{Input: src, ModelID: "amazon.titan-embed-text-v2:0", Out: "s3://batch/input/", Templates: []prepare.Template{{Text: "{{.text}}"}}})
	runJobs(t, files, "amazon.titan-embed-text-v2:0", "s3://batch/output/run/", nil, nil)
	res, err := results.Run(context.Background(), results.Options{Outputs: "s3://batch/output/run/", Join: src, Out: "s3://batch/results/embeddings.parquet"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 120 || res.Records != 120 || res.Missing != 0 {
		t.Fatalf("%+v", res)
	}
	cols, rows := readTable(t, "s3://batch/results/embeddings.parquet")
	if !strings.Contains(strings.Join(cols, ","), "record_id,status,output,embedding,input_tokens") {
		t.Errorf("columns %v", cols)
	}
	if len(rows) != 120 {
		t.Fatalf("%d rows", len(rows))
	}
	vec, ok := rows[0]["embedding"].([]any)
	if !ok || len(vec) != 1024 {
		t.Errorf("embedding of row 1: %T of %d", rows[0]["embedding"], len(vec))
	}
	if _, err := results.Run(context.Background(), results.Options{Outputs: "s3://batch/nothing/", Out: filepath.Join(t.TempDir(), "x.csv")}); err == nil || !strings.Contains(err.Error(), "no .jsonl.out files") {
		t.Errorf("empty output prefix: %v", err)
	}
}

func TestNoFailedManifestWhenNothingFailed(t *testing.T) {
	src := source(t, 100)
	files := prep(t, prepare.Options{Input: src, ModelID: nova, Templates: []prepare.Template{{Text: "{{.text}}"}}})
	outs := t.TempDir()
	runJobs(t, files, nova, outs, nil, nil)
	failed := t.TempDir()
	res, err := results.Run(context.Background(), results.Options{Outputs: outs, Out: filepath.Join(t.TempDir(), "r.csv"), Failed: failed})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(failed)
	if len(res.FailedFiles) != 0 || len(entries) != 0 || res.Records != 100 {
		t.Errorf("result %+v, files %v: no failed manifest expected", res, entries)
	}
}
