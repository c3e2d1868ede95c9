package localrun

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
)

// NewLedgerJobs returns the console's view of the job ledgers
// (console.Ledger): the jobs of an execution from every table the cloud
// holds that has the ledger's execution index, one per deployed stack of
// the construct. Whether a table is a ledger is asked once per table, so a
// poll costs one ListTables and one Query per ledger.
func NewLedgerJobs() console.Ledger {
	var (
		mu       sync.Mutex
		isLedger = map[string]bool{}
	)
	return func(ctx context.Context, cfg aws.Config, executionArn string) ([]console.LedgerJob, error) {
		db := awsdynamodb.NewFromConfig(cfg)
		jobs := []console.LedgerJob{}
		pg := awsdynamodb.NewListTablesPaginator(db, &awsdynamodb.ListTablesInput{})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list tables: %w", err)
			}
			for _, name := range page.TableNames {
				mu.Lock()
				ledger, known := isLedger[name]
				mu.Unlock()
				if !known {
					d, err := db.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
					if err != nil {
						return nil, fmt.Errorf("describe table %s: %w", name, err)
					}
					for _, ix := range d.Table.GlobalSecondaryIndexes {
						ledger = ledger || aws.ToString(ix.IndexName) == batch.LedgerExecutionIndex
					}
					mu.Lock()
					isLedger[name] = ledger
					mu.Unlock()
				}
				if !ledger {
					continue
				}
				entries, err := handler.NewLedger(db, name).ExecutionJobs(ctx, executionArn)
				if err != nil {
					return nil, err
				}
				for _, e := range entries {
					v := console.LedgerJob{Arn: e.JobArn, Name: e.JobName, Manifest: e.Manifest, Model: e.ModelID, State: e.State}
					if !e.SubmitTime.IsZero() {
						v.Submitted = &e.SubmitTime
					}
					jobs = append(jobs, v)
				}
			}
		}
		return jobs, nil
	}
}
