package bedrock

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

func TestJobCompletes(t *testing.T) {
	env := newEnv(t, &echoBackend{}, nil)
	env.put("inbox", "data/batch.jsonl", jobtest.Records(150))
	arn := env.create(createInput("job-1", "s3://inbox/data/batch.jsonl"))

	if !regexp.MustCompile(`^arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/[a-z0-9]{12}$`).MatchString(arn) {
		t.Fatalf("job ARN %q is not shaped like the service's", arn)
	}
	j := env.wait(arn)
	if j.Status != batch.StatusCompleted || j.Message != "" {
		t.Fatalf("job ended %v (%q), want Completed", j, j.Message)
	}
	if j.TotalRecordCount != 150 || j.ProcessedRecordCount != 150 || j.SuccessRecordCount != 150 || j.ErrorRecordCount != 0 {
		t.Fatalf("counts: %+v", j)
	}
	if j.EndTime == nil || j.JobExpirationTime == nil || j.TimeoutDurationInHours != 48 || j.ModelInvocationType != "InvokeModel" {
		t.Fatalf("job fields: %+v", j)
	}
	if got := j.JobExpirationTime.Sub(j.SubmitTime).Hours(); got != 48 {
		t.Fatalf("jobExpirationTime is %v h after submitTime, want 48", got)
	}
	want := []batch.Status{batch.StatusSubmitted, batch.StatusValidating, batch.StatusScheduled, batch.StatusInProgress, batch.StatusCompleted}
	if got := env.events.statuses(arn); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	ev := env.events.last(arn)
	if ev.Source != "aws.bedrock" || ev.DetailType != "Batch Inference Job State Change" || ev.Detail.BatchJobName != "job-1" ||
		ev.Detail.BatchModelID != jobtest.Model || ev.Detail.AccountID != "000000000000" || ev.Resources[0] != arn || ev.Detail.CreationTime == "" {
		t.Fatalf("event: %+v", ev)
	}

	lines, sum := env.outputs(arn, "batch.jsonl.out")
	if len(lines) != 150 {
		t.Fatalf("%d output lines, want 150", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var in struct{ N int }
		if err := json.Unmarshal(l.ModelInput, &in); err != nil {
			t.Fatal(err)
		}
		if l.RecordID != fmt.Sprintf("r%d", in.N) || string(l.ModelOutput) != fmt.Sprintf(`{"echo":%d}`, in.N) || seen[l.RecordID] {
			t.Fatalf("bad or repeated output line %+v", l)
		}
		seen[l.RecordID] = true
	}
	var inTokens int64
	for n := 1; n <= 150; n++ {
		inTokens += int64(n%7 + 1)
	}
	wantSum := manifest.Summary{TotalRecordCount: 150, ProcessedRecordCount: 150, SuccessRecordCount: 150, InputTokenCount: inTokens, OutputTokenCount: 450}
	if sum != wantSum {
		t.Fatalf("manifest.json.out = %+v, want %+v", sum, wantSum)
	}
}

func TestPartiallyCompletedCounts(t *testing.T) {
	env := newEnv(t, &echoBackend{failEvery: 20}, nil) // 5% of records fail
	env.put("inbox", "five.jsonl", jobtest.Records(1000))
	arn := env.create(createInput("five-percent", "s3://inbox/five.jsonl"))
	j := env.wait(arn)
	if j.Status != batch.StatusPartiallyCompleted || !strings.Contains(j.Message, "50 of 1000 records failed") {
		t.Fatalf("job ended %v: %q", j, j.Message)
	}
	lines, sum := env.outputs(arn, "five.jsonl.out")
	var inTokens int64
	for n := 1; n <= 1000; n++ {
		if n%20 != 0 {
			inTokens += int64(n%7 + 1)
		}
	}
	want := manifest.Summary{TotalRecordCount: 1000, ProcessedRecordCount: 1000, SuccessRecordCount: 950, ErrorRecordCount: 50, InputTokenCount: inTokens, OutputTokenCount: 950 * 3}
	if sum != want {
		t.Fatalf("manifest.json.out = %+v, want %+v", sum, want)
	}
	failed := 0
	for _, l := range lines {
		if l.Error != nil {
			failed++
			if l.Error.ErrorCode != 400 || !strings.HasSuffix(l.Error.ErrorMessage, "rejected") || l.ModelOutput != nil {
				t.Fatalf("error line %+v", l)
			}
		}
	}
	if failed != 50 || len(lines) != 1000 {
		t.Fatalf("%d lines, %d failed", len(lines), failed)
	}
	if j.SuccessRecordCount != 950 || j.ErrorRecordCount != 50 || j.ProcessedRecordCount != 1000 {
		t.Fatalf("job counts %+v", j)
	}
}

func TestAllRecordsFailing(t *testing.T) {
	env := newEnv(t, &echoBackend{failEvery: 1}, nil)
	env.put("inbox", "bad.jsonl", jobtest.Records(100))
	arn := env.create(createInput("all-fail", "s3://inbox/bad.jsonl"))
	j := env.wait(arn)
	if j.Status != batch.StatusFailed || !strings.Contains(j.Message, "all 100 records failed") {
		t.Fatalf("job ended %v: %q", j, j.Message)
	}
	if ev := env.events.last(arn); ev.Detail.FailureMessage != j.Message {
		t.Fatalf("event failureMessage %q, want %q", ev.Detail.FailureMessage, j.Message)
	}
	if _, sum := env.outputs(arn, "bad.jsonl.out"); sum.ErrorRecordCount != 100 {
		t.Fatalf("summary %+v", sum)
	}
}

func TestPrefixInputAndGeneratedIDs(t *testing.T) {
	env := newEnv(t, &echoBackend{}, nil)
	env.put("inbox", "many/a.jsonl", jobtest.Records(60))
	env.put("inbox", "many/sub/b.jsonl", strings.ReplaceAll(jobtest.Records(40), `"recordId":"r`, `"recordId":"b`)+`{"modelInput":{"n":41}}`+"\n")
	env.put("inbox", "many/notes.txt", "not an input")
	in := createInput("prefix", "s3://inbox/many/")
	in.ModelInvocationType = "Converse"
	arn := env.create(in)
	j := env.wait(arn)
	if j.Status != batch.StatusCompleted || j.TotalRecordCount != 101 || j.ModelInvocationType != "Converse" {
		t.Fatalf("job %v", j)
	}
	a, _ := env.outputs(arn, "a.jsonl.out")
	b, sum := env.outputs(arn, "sub/b.jsonl.out")
	if len(a) != 60 || len(b) != 41 || sum.ProcessedRecordCount != 101 {
		t.Fatalf("outputs: %d + %d lines, summary %+v", len(a), len(b), sum)
	}
	found := false
	for _, l := range b {
		found = found || (l.RecordID == "REC00000041" && string(l.ModelOutput) == `{"echo":41}`)
	}
	if !found {
		t.Fatal("the record without an id did not get REC00000041 in the output")
	}
}

func TestValidationFailures(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		uri    string
		change func(*Config)
		out    string
		want   []string
	}{
		{"too few records", map[string]string{"small.jsonl": jobtest.Records(99)}, "s3://inbox/small.jsonl", nil, "",
			[]string{"s3://inbox/small.jsonl", "99 records", "minimum is 100"}},
		{"bad json line", map[string]string{"broken.jsonl": jobtest.Records(56) + "{\"recordId\":\"x\",\n" + jobtest.Records(100)}, "s3://inbox/broken.jsonl", nil, "",
			[]string{"s3://inbox/broken.jsonl line 57", "invalid JSON"}},
		{"missing modelInput", map[string]string{"m.jsonl": jobtest.Records(3) + `{"recordId":"q"}` + "\n"}, "s3://inbox/m.jsonl", nil, "",
			[]string{"s3://inbox/m.jsonl line 4", "modelInput is missing"}},
		{"duplicate id", map[string]string{"d.jsonl": jobtest.Records(120) + `{"recordId":"r7","modelInput":{}}` + "\n"}, "s3://inbox/d.jsonl", nil, "",
			[]string{"line 121", `"r7"`, "line 7"}},
		{"file too big", map[string]string{"big.jsonl": jobtest.Records(200)}, "s3://inbox/big.jsonl", func(c *Config) { c.Limits.MaxFileBytes = 1000 }, "",
			[]string{"s3://inbox/big.jsonl", "1000 bytes"}},
		{"too many records in a file", map[string]string{"many.jsonl": jobtest.Records(120)}, "s3://inbox/many.jsonl", func(c *Config) { c.Limits.MaxRecordsPerFile = 110 }, "",
			[]string{"s3://inbox/many.jsonl line 111", "more than 110 records"}},
		{"job too big", map[string]string{"p/a.jsonl": jobtest.Records(100), "p/b.jsonl": jobtest.Records(100)}, "s3://inbox/p/", func(c *Config) { c.Limits.MaxJobBytes = 4000 }, "",
			[]string{"s3://inbox/p/a.jsonl, s3://inbox/p/b.jsonl", "4000 bytes"}},
		{"missing input", nil, "s3://inbox/nothing.jsonl", nil, "", []string{"no input found at s3://inbox/nothing.jsonl"}},
		{"missing input bucket", nil, "s3://nobucket/x.jsonl", nil, "", []string{"s3://nobucket/x.jsonl", "bucket does not exist"}},
		{"missing output bucket", map[string]string{"ok.jsonl": jobtest.Records(100)}, "s3://inbox/ok.jsonl", nil, "s3://nowhere/out/",
			[]string{"output location s3://nowhere/out/", "bucket does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, &echoBackend{}, tt.change)
			for k, v := range tt.files {
				env.put("inbox", k, v)
			}
			in := createInput("v", tt.uri)
			if tt.out != "" {
				in.OutputDataConfig.S3OutputDataConfig.S3URI = tt.out
			}
			arn := env.create(in)
			j := env.wait(arn)
			if j.Status != batch.StatusFailed {
				t.Fatalf("job ended %v, want Failed", j)
			}
			for _, w := range tt.want {
				if !strings.Contains(j.Message, w) {
					t.Errorf("message %q does not contain %q", j.Message, w)
				}
			}
			want := []batch.Status{batch.StatusSubmitted, batch.StatusValidating, batch.StatusFailed}
			if got := env.events.statuses(arn); !reflect.DeepEqual(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}
			if ev := env.events.last(arn); ev.Detail.FailureMessage != j.Message {
				t.Errorf("event failureMessage %q", ev.Detail.FailureMessage)
			}
			id := arn[strings.LastIndexByte(arn, '/')+1:]
			if objs, _ := env.store.List(context.Background(), "outbox", "results/"+id); len(objs) != 0 {
				t.Errorf("a job that failed validation wrote output: %v", objs)
			}
		})
	}
}

func TestFiftyThousandRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 records")
	}
	env := newEnv(t, &echoBackend{}, nil)
	env.put("inbox", "full.jsonl", jobtest.Records(50_000))
	arn := env.create(createInput("full", "s3://inbox/full.jsonl"))
	j := env.wait(arn)
	if j.Status != batch.StatusCompleted || j.ProcessedRecordCount != 50_000 || j.SuccessRecordCount != 50_000 {
		t.Fatalf("job %v", j)
	}
	lines, sum := env.outputs(arn, "full.jsonl.out")
	if len(lines) != 50_000 || sum.TotalRecordCount != 50_000 || sum.ProcessedRecordCount != 50_000 || sum.SuccessRecordCount != 50_000 || sum.OutputTokenCount != 150_000 {
		t.Fatalf("%d lines, summary %+v", len(lines), sum)
	}
	seen := make(map[string]bool, len(lines))
	for _, l := range lines {
		if seen[l.RecordID] {
			t.Fatalf("record %s twice", l.RecordID)
		}
		seen[l.RecordID] = true
	}
}
