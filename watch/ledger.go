package watch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/handler"
)

// keepByLedger keeps the jobs of jobs that the job ledger holds for the
// execution: one Query of the ledger's execution index per look, instead
// of one ListTagsForResource per job, which AWS has been seen to refuse
// for stopped jobs (only a job listed before its entry is written has its
// tags read). ok is false when the ledger cannot be read; the caller
// then falls back to the tags.
func (f *JobFilter) keepByLedger(ctx context.Context, jobs []bedrocktypes.ModelInvocationJobSummary) (kept []bedrocktypes.ModelInvocationJobSummary, ok bool) {
	entries, err := f.ledger.ExecutionJobs(ctx, f.executionArn)
	if err != nil || len(entries) == 0 {
		// No entry yet (the first job is still being created) or an
		// older deployment without a ledger: the tags decide.
		return nil, false
	}
	inLedger := make(map[string]bool, len(entries))
	for _, e := range entries {
		inLedger[e.JobArn] = true
	}
	for _, j := range jobs {
		if arn := aws.ToString(j.JobArn); inLedger[arn] || f.unrecordedOurs(ctx, arn) {
			kept = append(kept, j)
		}
	}
	return kept, true
}

// unrecordedOurs reports whether a job the ledger does not list for the
// execution is the execution's all the same: Bedrock lists a job as soon as
// it has it, a moment before the create-job function records it, so a job
// with no entry at all is decided by its execution tag — else a look would
// drop it for good. A job recorded for another execution is not read
// further.
func (f *JobFilter) unrecordedOurs(ctx context.Context, jobArn string) bool {
	if _, recorded, err := f.ledger.Get(ctx, jobArn); err != nil || recorded || f.br == nil {
		return false
	}
	return f.ownerOf(ctx, jobArn) == ours
}

// WithLedger makes the filter take the execution's jobs from the job
// ledger (the stack output appcontract.OutputLedgerTable names it) when it
// holds them; it returns f.
func (f *JobFilter) WithLedger(l *handler.Ledger) *JobFilter {
	f.ledger = l
	return f
}
