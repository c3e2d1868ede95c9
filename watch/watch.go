// Package watch follows an execution of a deployed BedrockBatchSfn workflow
// and the Bedrock batch jobs it runs until the execution ends, then sums up
// what the jobs produced. It talks to the services only through the AWS
// SDK, so it works the same against AWS and against the local cloud.
package watch

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/handler"
)

// Clients are the service clients a watch uses.
type Clients struct {
	StepFunctions *sfn.Client
	Bedrock       *bedrock.Client
	// Ledger, when set, is the deployed stack's job ledger: the
	// execution's jobs are those it holds, rather than those its tags name.
	Ledger *handler.Ledger
}

// Options tune Execution.
type Options struct {
	// Interval between two looks at the execution and its jobs. Default
	// 200 ms.
	Interval time.Duration
	// Jobs, if set, receives after every look the execution's jobs that
	// are new or whose status or record counts changed since the previous
	// look, oldest first (all of them after the first look); the last time
	// after the execution ended.
	Jobs func([]bedrocktypes.ModelInvocationJobSummary)
}

// Execution polls the execution until it is no longer RUNNING and returns
// its final description and its batch jobs: those submitted since since
// (the execution's start) that a JobFilter keeps, oldest first. A look
// lists only the jobs submitted since the previous one and describes only
// the jobs that had not ended, so it costs what changed, however many jobs
// the execution has run. It returns ctx's error when ctx ends first.
func Execution(ctx context.Context, c Clients, execArn string, since time.Time, opts Options) (*sfn.DescribeExecutionOutput, []bedrocktypes.ModelInvocationJobSummary, error) {
	interval := opts.Interval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	report := opts.Jobs
	if report == nil {
		report = func([]bedrocktypes.ModelInvocationJobSummary) {}
	}
	filter := NewJobFilter(c.Bedrock, execArn)
	if c.Ledger != nil {
		filter.WithLedger(c.Ledger)
	}
	jobs := newJobWatch(c.Bedrock, filter, since)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		changed, err := jobs.look(ctx)
		if err != nil {
			return nil, nil, err
		}
		report(changed)
		desc, err := c.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		if err != nil {
			return nil, nil, describeError(execArn, err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning {
			// A last look: the jobs the execution's last steps saw end.
			if changed, err = jobs.look(ctx); err != nil {
				return nil, nil, err
			}
			report(changed)
			return desc, jobs.all(ctx), nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// ListJobs lists every batch job submitted since since, oldest first,
// whichever execution (or person) submitted it; ExecutionJobs keeps those
// of one execution.
func ListJobs(ctx context.Context, br *bedrock.Client, since time.Time) ([]bedrocktypes.ModelInvocationJobSummary, error) {
	var jobs []bedrocktypes.ModelInvocationJobSummary
	pg := bedrock.NewListModelInvocationJobsPaginator(br, &bedrock.ListModelInvocationJobsInput{
		SubmitTimeAfter: aws.Time(since.Add(-time.Second)),
		SortBy:          bedrocktypes.SortJobsByCreationTime,
		SortOrder:       bedrocktypes.SortOrderAscending,
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list batch jobs: %w", err)
		}
		jobs = append(jobs, page.InvocationJobSummaries...)
	}
	return jobs, nil
}
