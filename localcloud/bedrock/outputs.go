package bedrock

import (
	"bytes"
	"errors"
	"io/fs"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// writeOutputs completes the service's output layout for the records the
// job has finished: <output prefix><jobId>/<input name>.out for each input
// file that has started, and manifest.json.out with the counts. It returns
// the counts.
func (e *Engine) writeOutputs(s *jobState) (manifest.Summary, error) {
	e.mu.Lock()
	rec := s.rec
	e.mu.Unlock()
	sum := manifest.Summary{TotalRecordCount: rec.Job.TotalRecordCount}
	bucket, prefix, err := outputLocation(rec)
	if err != nil {
		return sum, err
	}
	var total tally
	for i, f := range rec.Files {
		t, err := e.finishOutput(e.ctx, e.store.journalPath(rec.ID, i), bucket, prefix+outputName(f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // the job ended before it reached this file
		}
		if err != nil {
			return sum, err
		}
		total.add(t)
	}
	sum.ProcessedRecordCount = total.processed()
	sum.SuccessRecordCount = total.success
	sum.ErrorRecordCount = total.errors
	sum.InputTokenCount = total.inTokens
	sum.OutputTokenCount = total.outTokens
	var buf bytes.Buffer
	if err := manifest.WriteSummary(&buf, sum); err != nil {
		return sum, err
	}
	return sum, e.cfg.Store.Put(e.ctx, bucket, prefix+manifest.SummaryName, bytes.NewReader(buf.Bytes()))
}

// outputLocation is the bucket and key prefix of a job's output objects.
func outputLocation(rec jobRecord) (bucket, prefix string, err error) {
	out, err := batch.ParseS3URI(rec.Job.OutputDataConfig.S3OutputDataConfig.S3URI)
	if err != nil {
		return "", "", err
	}
	return out.Bucket, batch.JobOutputPrefix(out, rec.ID), nil
}

// withCounts returns a change that records the final counts on the job.
func withCounts(sum manifest.Summary) func(*jobRecord) {
	return func(r *jobRecord) {
		r.Job.ProcessedRecordCount = sum.ProcessedRecordCount
		r.Job.SuccessRecordCount = sum.SuccessRecordCount
		r.Job.ErrorRecordCount = sum.ErrorRecordCount
	}
}
