package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/submit"
	"github.com/bedrockbatch/bedrockbatch/watch"
)

func newWatchCmd() *cobra.Command {
	var (
		interval    time.Duration
		jsonOut     bool
		ledgerTable string
	)
	cmd := &cobra.Command{
		Use:   "watch EXECUTION_ARN",
		Short: "Follow an execution of a deployed workflow and its batch jobs until it ends, then print where the output is",
		Long: `Follows an execution of a workflow built with the BedrockBatchSfn construct:
a progress bar per batch job on a terminal (a line per change otherwise)
until the execution ends, then its status, output or error, the records and
tokens of each job, and the s3:// URIs of the output files.

Only the execution's own jobs are shown: the construct tags each job with
the execution that started it. Jobs of workflows deployed before that tag
existed are recognized by their submission time alone, so on a shared
account other jobs submitted meanwhile may show too.

Ctrl-C stops watching and leaves the execution running. The exit status is
1 when the execution does not succeed.`,
		Example: `  bedrockbatch watch arn:aws:states:us-east-1:123456789012:execution:MyMachine:run-20261204-120000-ab12
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 bedrockbatch watch "$ARN" --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runWatch(ctx, cmd.OutOrStdout(), args[0], interval, jsonOut, ledgerTable)
		},
	}
	cmd.Flags().DurationVar(&interval, "interval", 2*time.Second, "time between two looks at the execution and its jobs")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the result as one JSON object")
	cmd.Flags().StringVar(&ledgerTable, "ledger", "", "the workflow's job ledger table (its stack output "+appcontract.OutputLedgerTable+
		"): the execution's jobs are read from it rather than recognized by their tags")
	return cmd
}

func runWatch(ctx context.Context, stdout io.Writer, arn string, interval time.Duration, jsonOut bool, ledgerTable string) error {
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	desc, err := watch.Describe(ctx, awssfn.NewFromConfig(cfg), arn)
	if err != nil {
		return err
	}
	p := newPrinter(stdout, jsonOut)
	if desc.Status == sfntypes.ExecutionStatusRunning {
		p.step("watching execution %s of %s (Ctrl-C stops watching, not the execution)", aws.ToString(desc.Name), batch.ARNName(aws.ToString(desc.StateMachineArn)))
	}
	return follow(ctx, cfg, p, arn, aws.ToTime(desc.StartDate), nil, interval, ledgerTable)
}

// executionJSON is what start and watch print with --json.
type executionJSON struct {
	*submit.Started
	ExecutionArn string          `json:"executionArn"`
	Status       string          `json:"status"`
	StopDate     *time.Time      `json:"stopDate,omitempty"`
	Output       json.RawMessage `json:"output,omitempty"`
	Error        string          `json:"error,omitempty"`
	Cause        string          `json:"cause,omitempty"`
	*watch.Summary
}

func (p *printer) printJSON(v any) {
	enc := json.NewEncoder(p.w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// follow watches an execution to its end and prints how it ended; started
// is what start did, nil for watch; ledgerTable, when set, is the job
// ledger to read the execution's jobs from. Interrupted, it says how to
// watch again.
func follow(ctx context.Context, cfg aws.Config, p *printer, arn string, since time.Time, started *submit.Started, interval time.Duration, ledgerTable string) error {
	prog := p.progress()
	wc := watch.Clients{StepFunctions: awssfn.NewFromConfig(cfg), Bedrock: awsbedrock.NewFromConfig(cfg)}
	if ledgerTable != "" {
		wc.Ledger = handler.NewLedger(awsdynamodb.NewFromConfig(cfg), ledgerTable)
	}
	desc, jobs, err := watch.Execution(ctx, wc,
		arn, since, watch.Options{Interval: interval, Jobs: prog.Jobs})
	prog.close()
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return &exitError{code: 130, err: fmt.Errorf("stopped watching; the execution is still running: watch it again with\n  bedrockbatch watch %s", arn)}
		}
		return err
	}
	sum := watch.Summarize(ctx, awss3.NewFromConfig(cfg), desc, jobs)
	res := executionJSON{
		Started: started, ExecutionArn: arn, Status: string(desc.Status), StopDate: desc.StopDate,
		Error: aws.ToString(desc.Error), Cause: aws.ToString(desc.Cause), Summary: &sum,
	}
	if desc.Output != nil {
		res.Output = json.RawMessage(aws.ToString(desc.Output))
	}
	if p.json {
		p.printJSON(res)
	} else {
		p.execution(arn, res.Status, res.Output, res.Error, res.Cause, sum)
	}
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		return &exitError{code: 1, err: fmt.Errorf("execution %s %s: %s: %s", batch.ARNName(arn), desc.Status, res.Error, res.Cause)}
	}
	return nil
}
