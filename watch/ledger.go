package watch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/handler"
)

// keepByLedger keeps the jobs of jobs that the job ledger holds for the
// execution, instead of reading each job's tags, which AWS has been seen
// to refuse for stopped jobs. Each job is read from the ledger once, the
// first time a look lists it (a GetItem), so a look costs what it lists,
// not what the execution ran before. ok is false when the ledger cannot be
// read, or holds no job of the execution yet (the first job is still being
// created, or an older deployment): the caller then goes by the tags.
func (f *JobFilter) keepByLedger(ctx context.Context, jobs []bedrocktypes.ModelInvocationJobSummary) (kept []bedrocktypes.ModelInvocationJobSummary, ok bool) {
	for _, j := range jobs {
		o, err := f.ledgerOwner(ctx, aws.ToString(j.JobArn))
		if err != nil {
			return nil, false
		}
		if o == ours {
			kept = append(kept, j)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.inLedger {
		return nil, false
	}
	return kept, true
}

// ledgerOwner is whose a job is by its ledger entry. Bedrock lists a job
// as soon as it has it, a moment before the create-job function records
// it: a job with no entry is decided by its execution tag (and asked of
// the ledger again when it is listed again), or a look would drop it for
// good.
func (f *JobFilter) ledgerOwner(ctx context.Context, jobArn string) (owner, error) {
	f.mu.Lock()
	o, known := f.recorded[jobArn]
	f.mu.Unlock()
	if known {
		return o, nil
	}
	e, found, err := f.ledger.Get(ctx, jobArn)
	if err != nil {
		return untagged, err
	}
	if !found {
		if f.br == nil {
			return untagged, nil
		}
		return f.ownerOf(ctx, jobArn), nil
	}
	o = theirs
	if e.ExecutionArn == f.executionArn {
		o = ours
	}
	f.mu.Lock()
	f.recorded[jobArn] = o
	f.inLedger = f.inLedger || o == ours
	f.mu.Unlock()
	return o, nil
}

// WithLedger makes the filter take the execution's jobs from the job
// ledger (the stack output appcontract.OutputLedgerTable names it) when it
// holds them; it returns f.
func (f *JobFilter) WithLedger(l *handler.Ledger) *JobFilter {
	f.ledger = l
	return f
}
