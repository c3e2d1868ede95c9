package prepare_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/prepare"
	"github.com/bedrockbatch/bedrockbatch/table"
)

const haiku = "anthropic.claude-3-haiku-20240307-v1:0"

// writeCSV writes a table of n reviews: id, text, task.
func writeCSV(t *testing.T, n int, row func(i int) string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "reviews.csv")
	var sb strings.Builder
	sb.WriteString("id,text,task\n")
	for i := 1; i <= n; i++ {
		sb.WriteString(row(i))
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func review(i int) string {
	task := "summary"
	if i%3 == 0 {
		task = "grade"
	}
	return fmt.Sprintf("r%d,\"Review %d, with a comma\",%s", i, i, task)
}

// readManifests reads every record of the files, checking each file as
// the service would and each modelInput against the model's family.
func readManifests(t *testing.T, files []prepare.File, modelID, invocation string) []manifest.Record {
	t.Helper()
	store := &table.Store{}
	var all []manifest.Record
	for _, f := range files {
		r, _, err := store.Open(context.Background(), f.Path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		r.Close()
		stats, err := manifest.ValidateFile(strings.NewReader(string(body)), f.Path, manifest.Limits{})
		if err != nil {
			t.Fatalf("the service would refuse %s: %v", f.Path, err)
		}
		if stats.Records != f.Records || stats.Bytes != f.Bytes {
			t.Errorf("%s: %d records, %d bytes; reported %d, %d", f.Path, stats.Records, stats.Bytes, f.Records, f.Bytes)
		}
		if err := manifest.ValidateJob([]manifest.FileStats{stats}, manifest.Limits{}); err != nil {
			t.Errorf("job of %s: %v", f.Path, err)
		}
		rd := manifest.NewReader(strings.NewReader(string(body)), f.Path, 0)
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := model.CheckRequest(model.ParseID(modelID), invocation, rec.ModelInput); err != nil {
				t.Fatalf("%s line %d: %s refuses %s: %v", f.Path, rec.Line, modelID, rec.ModelInput, err)
			}
			all = append(all, rec)
		}
	}
	return all
}

func TestPrepareCSVSplitsWithinQuotas(t *testing.T) {
	in := writeCSV(t, 250, review)
	out := t.TempDir()
	var reports int
	res, err := prepare.Run(context.Background(), prepare.Options{
		Input: in, ModelID: haiku, Out: out, RecordsPerJob: 200, MaxTokens: 300,
		Templates: []prepare.Template{{Text: "Summarize: {{.text}}"}},
		System:    "You read reviews of item {{.id}}.",
		Progress:  func(prepare.Progress) { reports++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 250 || res.Records != 250 || len(res.Files) != 2 || res.Files[0].Records != 125 || res.Files[1].Records != 125 {
		t.Fatalf("result %+v: want 250 records in two files of 125 (a remainder of 50 would fail the minimum of 100)", res)
	}
	if filepath.Base(res.Files[0].Path) != "reviews-0001.jsonl" || reports == 0 {
		t.Errorf("first file %s, %d progress reports", res.Files[0].Path, reports)
	}
	recs := readManifests(t, res.Files, haiku, "")
	if len(recs) != 250 || recs[0].RecordID != "REC00000001" || recs[249].RecordID != "REC00000250" {
		t.Fatalf("%d records, ids %s … %s: want generated ids from the row numbers", len(recs), recs[0].RecordID, recs[len(recs)-1].RecordID)
	}
	var body struct {
		System    string `json:"system"`
		MaxTokens int    `json:"max_tokens"`
		Messages  []struct {
			Content []struct{ Text string } `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal(recs[6].ModelInput, &body)
	if body.System != "You read reviews of item r7." || body.MaxTokens != 300 || body.Messages[0].Content[0].Text != "Summarize: Review 7, with a comma" {
		t.Errorf("record 7's body: %s", recs[6].ModelInput)
	}
	_, err = prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: out, Templates: []prepare.Template{{Text: "x {{.text}}"}}})
	if err == nil || !strings.Contains(err.Error(), "already holds manifests") {
		t.Errorf("second run into the same directory: %v", err)
	}
}

func TestPrepareSeveralTemplatesAndChosenTemplate(t *testing.T) {
	in := writeCSV(t, 120, review)
	templates := []prepare.Template{{Name: "summary", Text: "Summarize {{.text}}"}, {Name: "grade", Text: "Grade {{.text}}"}}
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: "us.amazon.nova-pro-v1:0", Out: t.TempDir(), Templates: templates, IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifests(t, res.Files, "us.amazon.nova-pro-v1:0", "")
	if res.Records != 240 || recs[0].RecordID != "r1-001" || recs[1].RecordID != "r1-002" || !strings.Contains(string(recs[1].ModelInput), "Grade Review 1") {
		t.Fatalf("%d records, first %s %s", res.Records, recs[0].RecordID, recs[1].ModelInput)
	}

	res, err = prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: "meta.llama3-1-8b-instruct-v1:0", Out: t.TempDir(), Templates: templates, TemplateColumn: "task", IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	recs = readManifests(t, res.Files, "meta.llama3-1-8b-instruct-v1:0", "")
	if len(recs) != 120 || recs[2].RecordID != "r3" || !strings.Contains(string(recs[2].ModelInput), "Grade Review 3") || !strings.Contains(string(recs[0].ModelInput), "Summarize Review 1") {
		t.Fatalf("chosen templates: %d records, %s %s", len(recs), recs[2].RecordID, recs[2].ModelInput)
	}
}

func TestPrepareErrorsNameTheRowAndTheFix(t *testing.T) {
	dup := writeCSV(t, 150, func(i int) string { return review(min(i, 149)) })
	bad := writeCSV(t, 150, func(i int) string {
		if i == 42 {
			return ",empty id,summary"
		}
		return review(i)
	})
	few := writeCSV(t, 99, review)
	for _, tc := range []struct {
		name string
		opts prepare.Options
		want []string
	}{
		{"duplicate ids", prepare.Options{Input: dup, IDColumn: "id", Templates: []prepare.Template{{Text: "{{.text}}"}}}, []string{`"r149" appears more than once`, "--id-column"}},
		{"empty id", prepare.Options{Input: bad, IDColumn: "id", Templates: []prepare.Template{{Text: "{{.text}}"}}}, []string{"reviews.csv:43 (row 42)", `column "id" is empty`}},
		{"unknown column", prepare.Options{Input: bad, Templates: []prepare.Template{{Name: "t", Text: "{{.txt}}"}}}, []string{"reviews.csv:2 (row 1)", `"txt"`, "the columns are id, task, text"}},
		{"unknown template", prepare.Options{Input: bad, TemplateColumn: "text", Templates: []prepare.Template{{Name: "a", Text: "{{.text}}"}, {Name: "b", Text: "{{.text}}"}}}, []string{"reviews.csv:2 (row 1)", "not one of the prompt templates (a, b)"}},
		{"too few records", prepare.Options{Input: few, Templates: []prepare.Template{{Text: "{{.text}}"}}}, []string{"99 records", "at least 100"}},
		{"bad template", prepare.Options{Input: few, Templates: []prepare.Template{{Text: "{{.text"}}}, []string{"prompt template", "{{.column}}"}},
		{"embedding with system prompt", prepare.Options{Input: few, ModelID: "amazon.titan-embed-text-v2:0", System: "x", Templates: []prepare.Template{{Text: "{{.text}}"}}}, []string{"row 1", "embedding model"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.ModelID == "" {
				tc.opts.ModelID = haiku
			}
			tc.opts.Out = t.TempDir()
			_, err := prepare.Run(context.Background(), tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestPrepareOpenAIBatchFile(t *testing.T) {
	dir := t.TempDir()
	var chat, embed strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&chat, `{"custom_id":"req-%d","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be short."},{"role":"user","content":"Question %d"}],"max_tokens":64}}`+"\n", i, i)
		fmt.Fprintf(&embed, `{"custom_id":"emb-%d","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"text %d"}}`+"\n", i, i)
	}
	os.WriteFile(filepath.Join(dir, "chat.jsonl"), []byte(chat.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "embed.jsonl"), []byte(embed.String()), 0o644)
	for _, tc := range []struct{ file, model string }{
		{"chat.jsonl", "us.amazon.nova-lite-v1:0"},
		{"chat.jsonl", "mistral.mistral-large-2402-v1:0"},
		{"embed.jsonl", "amazon.titan-embed-text-v2:0"},
		{"embed.jsonl", "cohere.embed-multilingual-v3"},
	} {
		res, err := prepare.Run(context.Background(), prepare.Options{Input: filepath.Join(dir, tc.file), Format: "openai", ModelID: tc.model, Out: t.TempDir()})
		if err != nil {
			t.Fatalf("%s for %s: %v", tc.file, tc.model, err)
		}
		recs := readManifests(t, res.Files, tc.model, "")
		if len(recs) != 100 || !strings.HasSuffix(recs[5].RecordID, "-5") {
			t.Errorf("%s for %s: %d records, record 6 id %s", tc.file, tc.model, len(recs), recs[5].RecordID)
		}
	}
	_, err := prepare.Run(context.Background(), prepare.Options{Input: filepath.Join(dir, "chat.jsonl"), Format: "openai", ModelID: "amazon.titan-embed-text-v2:0", Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "chat.jsonl:1") || !strings.Contains(err.Error(), "choose a model") {
		t.Errorf("chat requests for an embedding model: %v", err)
	}
}

func TestPrepareS3ParquetInConverseOut(t *testing.T) {
	cloudtest.S3Env(t, "data")
	store := &table.Store{}
	w, err := store.CreateTable(context.Background(), "s3://data/tables/reviews.parquet", table.Parquet, []table.Column{{Name: "id", Type: table.Text}, {Name: "stars", Type: table.Int}, {Name: "text", Type: table.Text}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 130; i++ {
		w.Write([]any{fmt.Sprintf("p%d", i), i % 5, fmt.Sprintf("text %d", i)})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := prepare.Run(context.Background(), prepare.Options{
		Input: "s3://data/tables/reviews.parquet", ModelID: "amazon.nova-micro-v1:0", InvocationType: batch.InvocationConverse,
		Out: "s3://data/manifests/run1/", IDColumn: "id", Templates: []prepare.Template{{Text: "{{.stars}} stars: {{.text}}"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Path != "s3://data/manifests/run1/reviews-0001.jsonl" {
		t.Fatalf("files %+v", res.Files)
	}
	recs := readManifests(t, res.Files, "amazon.nova-micro-v1:0", batch.InvocationConverse)
	if len(recs) != 130 || recs[7].RecordID != "p7" || !strings.Contains(string(recs[7].ModelInput), `"2 stars: text 7"`) {
		t.Errorf("%d records; record 8: %s %s", len(recs), recs[7].RecordID, recs[7].ModelInput)
	}
	if _, err := prepare.Run(context.Background(), prepare.Options{Input: "s3://data/tables/reviews.parquet", ModelID: haiku, Out: "s3://data/my manifests/", Templates: []prepare.Template{{Text: "{{.text}}"}}}); err == nil || !strings.Contains(err.Error(), "key segment") {
		t.Errorf("an output prefix Bedrock cannot read: %v", err)
	}
}
