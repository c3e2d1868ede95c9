package console_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

// The execution page lists the jobs the job ledger holds for the
// execution, not another execution's, and never a task token.
func TestExecutionJobsFromTheLedger(t *testing.T) {
	s := serveCloud(t, localcloud.Options{Ledger: localrun.NewLedgerJobs()})
	ctx := context.Background()
	db := awsdynamodb.NewFromConfig(s.cloud.AWSConfig())
	cloudtest.LedgerTable(t, db, "stack-ledger")
	sfc := awssfn.NewFromConfig(s.cloud.AWSConfig())
	arn := startExecution(t, sfc, "with-jobs", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`)
	l := handler.NewLedger(db, "stack-ledger")
	job := "arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/abc123def456"
	for _, e := range []handler.LedgerEntry{
		{JobArn: job, TaskToken: "secret-token", ExecutionArn: arn, Manifest: "s3://in/a.jsonl", ModelID: "amazon.nova-pro-v1:0", JobName: "run0", SubmitTime: time.Now()},
		{JobArn: job + "0", TaskToken: "other-token", ExecutionArn: arn + "-other", SubmitTime: time.Now()},
	} {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(ctx, job, batch.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Jobs []map[string]any `json:"jobs"`
	}
	if code := s.call(t, "GET", "api/execution?"+url.Values{"arn": {arn}}.Encode(), nil, &page); code != 200 {
		t.Fatalf("GET execution: %d", code)
	}
	if len(page.Jobs) != 1 {
		t.Fatalf("jobs %v, want the execution's one", page.Jobs)
	}
	j := page.Jobs[0]
	if j["arn"] != job || j["name"] != "run0" || j["manifest"] != "s3://in/a.jsonl" || j["state"] != string(batch.StatusCompleted) {
		t.Errorf("job %v", j)
	}
	for k, v := range j {
		if v == "secret-token" {
			t.Errorf("the page shows the task token as %s", k)
		}
	}
}
