package watch_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

// With the ledger, the execution's jobs are the ones it holds for the
// execution; no job's tags are read (the filter has no Bedrock client to
// read them with).
func TestJobFilterReadsTheLedger(t *testing.T) {
	const exec = "arn:aws:states:us-east-1:123456789012:execution:M:run-1"
	db := cloudtest.DynamoDB(t, clock.Real{})
	cloudtest.LedgerTable(t, db, "ledger")
	l := handler.NewLedger(db, "ledger")
	arn := func(id string) string { return "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + id }
	ctx := context.Background()
	for id, execution := range map[string]string{"mine1": exec, "mine2": exec, "other": exec + "-other"} {
		if err := l.Record(ctx, handler.LedgerEntry{JobArn: arn(id), TaskToken: "t", ExecutionArn: execution, SubmitTime: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var listed []bedrocktypes.ModelInvocationJobSummary
	for _, id := range []string{"mine1", "other", "stranger", "mine2"} {
		listed = append(listed, bedrocktypes.ModelInvocationJobSummary{JobArn: aws.String(arn(id))})
	}
	kept := watch.NewJobFilter(nil, exec).WithLedger(l).Keep(ctx, listed)
	var got []string
	for _, j := range kept {
		got = append(got, aws.ToString(j.JobArn))
	}
	if want := []string{arn("mine1"), arn("mine2")}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v in listing order", got, want)
	}
}
