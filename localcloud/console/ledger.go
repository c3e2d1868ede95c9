package console

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// LedgerJob is one job an execution created, as the construct's job ledger
// holds it (never its task token).
type LedgerJob struct {
	Arn       string     `json:"arn"`
	Name      string     `json:"name"`
	Manifest  string     `json:"manifest"`
	Model     string     `json:"model"`
	State     string     `json:"state"`
	Submitted *time.Time `json:"submitted,omitempty"`
}

// Ledger reads the jobs of an execution from the job ledgers the cloud
// holds, through the SDK configuration given. The console declares it and
// whoever opens the cloud passes one in (Options.Ledger), so that the
// emulator does not depend on the construct's code.
type Ledger func(ctx context.Context, cfg aws.Config, executionArn string) ([]LedgerJob, error)

// ledgerJobs is the execution's jobs, or none without a Ledger.
func (h *handler) ledgerJobs(ctx context.Context, executionArn string) ([]LedgerJob, error) {
	if h.opts.Ledger == nil {
		return []LedgerJob{}, nil
	}
	jobs, err := h.opts.Ledger(ctx, h.opts.AWS, executionArn)
	if jobs == nil {
		jobs = []LedgerJob{}
	}
	return jobs, err
}
