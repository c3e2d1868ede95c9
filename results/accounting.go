package results

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// readSummaries adds up the manifest.json.out of every job found under the
// outputs location: Bedrock writes one per job, next to its output files,
// with the job's record counts
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html).
func readSummaries(ctx context.Context, store *table.Store, outputs string, res *Result) error {
	objs, err := store.List(ctx, outputs, manifest.SummaryName)
	if err != nil {
		return fmt.Errorf("outputs %s: %w", outputs, err)
	}
	var sum manifest.Summary
	for _, o := range objs {
		if path.Base(strings.ReplaceAll(o.Path, "\\", "/")) != manifest.SummaryName {
			continue // a single output file was given: no summaries with it
		}
		r, _, err := store.Open(ctx, o.Path)
		if err != nil {
			return err
		}
		one, err := manifest.ReadSummary(io.LimitReader(r, 1<<20))
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", o.Path, err)
		}
		sum.Add(one)
		res.Jobs++
	}
	if res.Jobs > 0 {
		res.Summary = &sum
	}
	return nil
}

// checkTotals holds what was read to the jobs' own counts: the output lines
// must be the records the jobs processed, and the records that never ran
// are the jobs' total less what they processed.
func checkTotals(res *Result) error {
	if res.Summary == nil {
		return nil
	}
	sum := *res.Summary
	if int64(res.Records) != sum.ProcessedRecordCount || int64(res.Failed) != sum.ErrorRecordCount {
		return fmt.Errorf("the outputs hold %d lines (%d errored) but the %d jobs' %s count %d processed (%d errored): the outputs given are not all of these jobs', or a job is still writing; give the whole output location of the run",
			res.Records, res.Failed, res.Jobs, manifest.SummaryName, sum.ProcessedRecordCount, sum.ErrorRecordCount)
	}
	notRun := int(sum.TotalRecordCount - sum.ProcessedRecordCount)
	if res.Expected > 0 {
		if int64(res.Expected) != sum.TotalRecordCount {
			return fmt.Errorf("the input manifests hold %d records but the %d jobs' %s count %d: give the manifests of exactly these jobs", res.Expected, res.Jobs, manifest.SummaryName, sum.TotalRecordCount)
		}
		return nil
	}
	if res.Missing < notRun {
		res.UnnamedMissing = notRun - res.Missing
	}
	return nil
}

// writeFailed cuts the spooled records into manifests under Options.Failed:
// as many files as the per-job quotas need, each with at least the per-job
// minimum when there are enough records for that, so each can run as a
// job of its own. All files appear together or none does.
func writeFailed(ctx context.Context, s *scanner) error {
	sp := s.failed
	if err := sp.w.Flush(); err != nil {
		return err
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	lim := s.opts.Limits.WithDefaults()
	per := sp.records
	if sp.records >= 2*lim.MinRecordsPerJob || sp.records > lim.MaxRecordsPerFile {
		plan, err := manifest.PlanJobs(sp.records, lim, 0, 0, 0)
		if err != nil {
			return err
		}
		per = plan.RecordsPerFile
	}
	files := ceilDiv(sp.records, max(per, 1))
	set := s.opts.Store.NewFileSet(ctx)
	defer set.Abort()
	_, err := manifest.Split(sp.f, max(per, 1), min(lim.MaxFileBytes, lim.MaxJobBytes), func(i int) (io.WriteCloser, error) {
		name := "failed.jsonl"
		if files > 1 || i > 0 {
			name = fmt.Sprintf("failed-%04d.jsonl", i+1)
		}
		return set.Create(table.Join(s.opts.Failed, name))
	})
	if err != nil {
		return fmt.Errorf("records to run again: %w", err)
	}
	if err := set.Commit(); err != nil {
		return err
	}
	s.res.FailedFiles = set.Paths()
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
