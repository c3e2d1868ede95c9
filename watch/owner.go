package watch

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
)

// owner is what a job's tags say about the execution that started it.
type owner int

const (
	// untagged: the job carries no execution tag (a state machine deployed
	// before the construct tagged jobs, or a job made elsewhere).
	untagged owner = iota
	ours
	theirs
)

// JobFilter keeps the jobs of one execution among those listed by
// submission time. A job tagged with the execution belongs to it; a job
// tagged with another execution does not. A job without the tag (from a
// deployment older than the tag) is kept only while no job of the
// execution carries the tag: for such deployments the execution's jobs are
// told apart only by the time window, which on a shared account also
// catches jobs that others submitted meanwhile.
//
// Each job's tags are read once (one ListTagsForResource per job, not per
// look). A JobFilter is safe for concurrent use.
type JobFilter struct {
	br *bedrock.Client
	// tagValue is the execution tag the execution's jobs carry.
	tagValue     string
	executionArn string
	// ledger, when set, holds the execution's jobs (WithLedger).
	ledger *handler.Ledger

	mu     sync.Mutex
	owners map[string]owner // by job ARN, from the tags
	tagged bool             // a job of the execution carries the tag
	// recorded holds the owner of each job found in the ledger, and
	// inLedger says a job of the execution was found there.
	recorded map[string]owner
	inLedger bool
}

// NewJobFilter returns a filter for the jobs of the execution executionArn.
func NewJobFilter(br *bedrock.Client, executionArn string) *JobFilter {
	return &JobFilter{br: br, tagValue: batch.ExecutionTagValue(executionArn), executionArn: executionArn, owners: map[string]owner{}, recorded: map[string]owner{}}
}

// Keep returns the jobs of jobs that belong to the execution, in order.
func (f *JobFilter) Keep(ctx context.Context, jobs []bedrocktypes.ModelInvocationJobSummary) []bedrocktypes.ModelInvocationJobSummary {
	if f.ledger != nil {
		if kept, ok := f.keepByLedger(ctx, jobs); ok {
			return kept
		}
	}
	owners := make([]owner, len(jobs))
	for i, j := range jobs {
		owners[i] = f.ownerOf(ctx, aws.ToString(j.JobArn))
	}
	f.mu.Lock()
	tagged := f.tagged
	f.mu.Unlock()
	var kept []bedrocktypes.ModelInvocationJobSummary
	for i, j := range jobs {
		if owners[i] == ours || (owners[i] == untagged && !tagged) {
			kept = append(kept, j)
		}
	}
	return kept
}

// ownerOf reads a job's tags the first time it is seen. A job whose tags
// cannot be read (a permission the caller lacks, a job just deleted) counts
// as untagged, so the watch goes on by the time window.
func (f *JobFilter) ownerOf(ctx context.Context, jobArn string) owner {
	f.mu.Lock()
	o, known := f.owners[jobArn]
	f.mu.Unlock()
	if known {
		return o
	}
	o = untagged
	out, err := f.br.ListTagsForResource(ctx, &bedrock.ListTagsForResourceInput{ResourceARN: aws.String(jobArn)})
	if err != nil && ctx.Err() != nil {
		return untagged // not remembered: the next look asks again
	}
	if err == nil {
		for _, t := range out.Tags {
			if aws.ToString(t.Key) == batch.ExecutionTag {
				o = theirs
				if aws.ToString(t.Value) == f.tagValue {
					o = ours
				}
			}
		}
	}
	f.mu.Lock()
	f.owners[jobArn] = o
	if o == ours {
		f.tagged = true
	}
	f.mu.Unlock()
	return o
}

// ExecutionJobs lists the jobs of one execution: those submitted since
// since (its start) that filter keeps, oldest first.
func ExecutionJobs(ctx context.Context, filter *JobFilter, since time.Time) ([]bedrocktypes.ModelInvocationJobSummary, error) {
	jobs, err := ListJobs(ctx, filter.br, since)
	if err != nil {
		return nil, err
	}
	return filter.Keep(ctx, jobs), nil
}
