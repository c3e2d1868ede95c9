package validate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
	"github.com/bedrockbatch/bedrockbatch/validate"
)

func lines(t *testing.T, modelID, invocation string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		body, err := model.BuildRequest(model.ParseID(modelID), invocation, model.Prompt{Messages: []model.Message{{Role: "user", Text: fmt.Sprint("question ", i)}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(string(manifest.AppendInputLine(nil, manifest.Record{RecordID: fmt.Sprint("r", i), ModelInput: body})), "\n"))
	}
	return out
}

func write(t *testing.T, dir, name string, ls []string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidAcceptsPreparedManifests(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.jsonl", lines(t, "amazon.nova-pro-v1:0", "", 150))
	write(t, dir, "b.jsonl", lines(t, "amazon.nova-pro-v1:0", "", 100))
	rep, err := validate.Run(context.Background(), validate.Options{Paths: []string{dir}, ModelID: "us.amazon.nova-pro-v1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || len(rep.Files) != 2 || rep.Records != 250 {
		t.Errorf("report %+v", rep)
	}
}

func TestValidateFindsWhatTheServiceRejects(t *testing.T) {
	dir := t.TempDir()
	ls := lines(t, "amazon.nova-pro-v1:0", "", 60)
	ls[4] = `{"recordId":"x","modelInput":`                                                                                // line 5: not JSON
	ls[9] = ls[8]                                                                                                          // line 10: duplicate of line 9
	ls[19] = `{"recordId":"claude","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[]}}` // line 20: not Nova's shape
	p := write(t, dir, "my batch.jsonl", ls)
	rep, err := validate.Run(context.Background(), validate.Options{Paths: []string{p}, ModelID: "amazon.nova-pro-v1:0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range rep.Files[0].Problems {
		got = append(got, pr.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"my batch.jsonl: the file name \"my batch.jsonl\" has characters Bedrock refuses",
		"my batch.jsonl:5: invalid JSON",
		"my batch.jsonl:10: recordId \"r8\" is also used on line 9",
		"my batch.jsonl:20: modelInput is not a request amazon.nova-pro-v1:0 accepts",
		"as one job: the job has 59 records; the minimum is 100",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems do not include %q:\n%s", want, text)
		}
	}
	if rep.OK() || rep.Problems != 5 {
		t.Errorf("%d problems, want 5:\n%s", rep.Problems, text)
	}
}

func TestValidateConverseAndQuotas(t *testing.T) {
	dir := t.TempDir()
	ls := lines(t, "amazon.nova-lite-v1:0", batch.InvocationConverse, 120)
	ls[2] = `{"recordId":"m","modelInput":{"modelId":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":[{"text":"hi"}]}]}}`
	p := write(t, dir, "c.jsonl", ls)
	rep, err := validate.Run(context.Background(), validate.Options{Paths: []string{p}, ModelID: "amazon.nova-lite-v1:0", InvocationType: batch.InvocationConverse, Limits: manifest.Limits{MaxRecordsPerFile: 110}, MaxProblems: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Files[0]
	if rep.Problems != 2 || len(f.Problems) != 1 || f.More != 1 || !strings.Contains(f.Problems[0].Message, "must not contain modelId") || f.Problems[0].Line != 3 {
		t.Errorf("report %+v", f)
	}
}

func TestValidateS3Prefix(t *testing.T) {
	cloudtest.S3Env(t, "inputs")
	w, err := (&table.Store{}).Create(context.Background(), "s3://inputs/manifests/a.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(strings.Join(lines(t, "meta.llama3-1-8b-instruct-v1:0", "", 100), "\n")))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := validate.Run(context.Background(), validate.Options{Paths: []string{"s3://inputs/manifests/"}, ModelID: "meta.llama3-1-8b-instruct-v1:0"})
	if err != nil || !rep.OK() || rep.Records != 100 {
		t.Errorf("report %+v, %v", rep, err)
	}
	if _, err := validate.Run(context.Background(), validate.Options{Paths: []string{"s3://inputs/none/"}, ModelID: "meta.llama3-1-8b-instruct-v1:0"}); err == nil || !strings.Contains(err.Error(), "no manifest") {
		t.Errorf("empty prefix: %v", err)
	}
}
