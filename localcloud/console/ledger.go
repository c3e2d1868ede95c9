package console

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bedrockbatch/bedrockbatch/batch"
	jobledger "github.com/bedrockbatch/bedrockbatch/handler"
)

// ledgerJobView is one job an execution created, as the job ledger holds
// it (never its task token).
type ledgerJobView struct {
	Arn       string     `json:"arn"`
	Name      string     `json:"name"`
	Manifest  string     `json:"manifest"`
	Model     string     `json:"model"`
	State     string     `json:"state"`
	Submitted *time.Time `json:"submitted,omitempty"`
}

// ledgerJobs reads the jobs of an execution from every job ledger the
// cloud holds: the tables with the ledger's execution index, one per
// deployed stack of the construct. An execution's jobs are in one of them.
func (h *handler) ledgerJobs(ctx context.Context, executionArn string) ([]ledgerJobView, error) {
	db := awsdynamodb.NewFromConfig(h.opts.AWS)
	jobs := []ledgerJobView{}
	pg := awsdynamodb.NewListTablesPaginator(db, &awsdynamodb.ListTablesInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		for _, name := range page.TableNames {
			d, err := db.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err != nil {
				return nil, fmt.Errorf("describe table %s: %w", name, err)
			}
			ledger := false
			for _, ix := range d.Table.GlobalSecondaryIndexes {
				ledger = ledger || aws.ToString(ix.IndexName) == batch.LedgerExecutionIndex
			}
			if !ledger {
				continue
			}
			entries, err := jobledger.NewLedger(db, name).ExecutionJobs(ctx, executionArn)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				v := ledgerJobView{Arn: e.JobArn, Name: e.JobName, Manifest: e.Manifest, Model: e.ModelID, State: e.State}
				if !e.SubmitTime.IsZero() {
					v.Submitted = &e.SubmitTime
				}
				jobs = append(jobs, v)
			}
		}
	}
	return jobs, nil
}
