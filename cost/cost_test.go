package cost_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// The published example: Amazon Nova Pro, 100 records per job, 300 jobs,
// 10,000 input and 1,000 output tokens per record.
func TestNovaProExample(t *testing.T) {
	u, err := cost.PerRecord(100*300, 10_000, 1_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"amazon.nova-pro-v1:0", "us.amazon.nova-pro-v1:0", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0:300k"} {
		e, err := cost.Default().Estimate(id, u)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("$%.2f batch, $%.2f on-demand", e.Batch, e.OnDemand); got != "$168.00 batch, $336.00 on-demand" {
			t.Errorf("%s: %s, want $168.00 batch, $336.00 on-demand", id, got)
		}
	}
}

func TestDefaultTableCoversTheFamiliesAndHalvesBatch(t *testing.T) {
	tab := cost.Default()
	if tab.Checked == "" || tab.Region != "us-east-1" {
		t.Errorf("table checked %q in %q", tab.Checked, tab.Region)
	}
	u := cost.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}
	for _, id := range []string{
		"amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "anthropic.claude-3-haiku-20240307-v1:0",
		"us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-sonnet-20241022-v2:0",
		"us.anthropic.claude-3-7-sonnet-20250219-v1:0", "meta.llama3-1-8b-instruct-v1:0", "us.meta.llama3-3-70b-instruct-v1:0",
		"mistral.mistral-7b-instruct-v0:2", "amazon.titan-text-express-v1", "amazon.titan-embed-text-v2:0", "cohere.embed-english-v3",
	} {
		e, err := tab.Estimate(id, u)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if e.OnDemand <= 0 || e.Batch*2 != e.OnDemand {
			t.Errorf("%s: batch %v, on-demand %v: batch must be half", id, e.Batch, e.OnDemand)
		}
		if _, err := model.ParseID(id).RequireFamily(); err != nil {
			t.Errorf("the table prices %s, which no family runs: %v", id, err)
		}
	}
	if _, err := tab.Lookup("anthropic.claude-v2"); err == nil || !strings.Contains(err.Error(), "price table file") {
		t.Errorf("unknown model: %v", err)
	}
}

func TestPriceTableFileOverrides(t *testing.T) {
	p := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(p, []byte(`{"checked":"2027-01-01","region":"eu-west-1","currency":"USD","batchDiscount":0.5,
		"models":[{"id":"amazon.nova-pro-v1:0","input":0.001,"output":0.004,"batchInput":0.0004,"verified":true}]}`), 0o644)
	tab, err := cost.LoadTable(p)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tab.Estimate("amazon.nova-pro-v1:0", cost.Usage{InputTokens: 1000, OutputTokens: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if e.OnDemand != 0.005 || e.Batch != 0.0024 || e.Checked != "2027-01-01" {
		t.Errorf("estimate %+v", e)
	}
	os.WriteFile(p, []byte(`{"region":"x","batchDiscount":0.5,"models":[]}`), 0o644)
	if _, err := cost.LoadTable(p); err == nil || !strings.Contains(err.Error(), "checked") {
		t.Errorf("table without a date: %v", err)
	}
}

func TestUsageFromManifestsAndFinishedJobs(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := 0; i < 120; i++ {
		body, err := model.BuildRequest(model.ParseID("amazon.nova-pro-v1:0"), "", model.Prompt{Messages: []model.Message{{Role: "user", Text: "one two three four"}}, MaxTokens: 200})
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(manifest.AppendInputLine(nil, manifest.Record{RecordID: fmt.Sprint(i), ModelInput: body}))
	}
	os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(sb.String()), 0o644)
	store := &table.Store{}
	u, err := cost.FromPaths(context.Background(), store, []string{dir}, "amazon.nova-pro-v1:0", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Records != 120 || u.OutputTokens != 120*200 || !u.OutputIsLimit || u.InputTokens != 120*int64(model.CountTokens("one two three four")) {
		t.Errorf("usage %+v", u)
	}
	if _, err := cost.FromPaths(context.Background(), store, []string{dir}, "meta.llama3-1-8b-instruct-v1:0", "", 0); err == nil || !strings.Contains(err.Error(), "in.jsonl line 1") {
		t.Errorf("Nova bodies priced for Llama: %v", err)
	}

	jobs := filepath.Join(dir, "out")
	for i, s := range []manifest.Summary{{TotalRecordCount: 100, ProcessedRecordCount: 100, SuccessRecordCount: 99, ErrorRecordCount: 1, InputTokenCount: 5000, OutputTokenCount: 700},
		{TotalRecordCount: 50, ProcessedRecordCount: 50, SuccessRecordCount: 50, InputTokenCount: 1000, OutputTokenCount: 300}} {
		d := filepath.Join(jobs, fmt.Sprint("job", i))
		os.MkdirAll(d, 0o755)
		f, _ := os.Create(filepath.Join(d, manifest.SummaryName))
		manifest.WriteSummary(f, s)
		f.Close()
	}
	u, err = cost.FromPaths(context.Background(), store, []string{jobs}, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Records != 150 || u.InputTokens != 6000 || u.OutputTokens != 1000 || u.OutputIsLimit {
		t.Errorf("usage of finished jobs %+v", u)
	}
}
