package bedrock

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// writeOutputs writes the service's output layout for the records the job
// has finished: <output prefix><jobId>/<input name>.out for each input file
// that has started, and manifest.json.out with the counts. It returns the
// counts.
func (e *Engine) writeOutputs(s *jobState) (manifest.Summary, error) {
	e.mu.Lock()
	rec := s.rec
	e.mu.Unlock()
	sum := manifest.Summary{TotalRecordCount: rec.Job.TotalRecordCount}
	out, err := batch.ParseS3URI(rec.Job.OutputDataConfig.S3OutputDataConfig.S3URI)
	if err != nil {
		return sum, err
	}
	prefix := batch.JobOutputPrefix(out, rec.ID)
	var total tally
	for i, f := range rec.Files {
		t, err := e.writeOutputFile(out.Bucket, prefix+outputName(f), e.store.journalPath(rec.ID, i))
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
	return sum, e.cfg.Store.Put(e.ctx, out.Bucket, prefix+manifest.SummaryName, &buf)
}

// writeOutputFile streams a journal's output lines into an object.
func (e *Engine) writeOutputFile(bucket, key, journalPath string) (tally, error) {
	f, err := os.Open(journalPath)
	if err != nil {
		return tally{}, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	var t tally
	copied := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 256<<10)
		_, err := readJournal(f, func(rt tally, output []byte) error {
			t.add(rt)
			_, err := bw.Write(output)
			return err
		})
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		copied <- err
	}()
	err = e.cfg.Store.Put(e.ctx, bucket, key, pr)
	pr.CloseWithError(errors.New("output upload ended"))
	if cerr := <-copied; err == nil {
		err = cerr
	}
	return t, err
}

// withCounts returns a change that records the final counts on the job.
func withCounts(sum manifest.Summary) func(*jobRecord) {
	return func(r *jobRecord) {
		r.Job.ProcessedRecordCount = sum.ProcessedRecordCount
		r.Job.SuccessRecordCount = sum.SuccessRecordCount
		r.Job.ErrorRecordCount = sum.ErrorRecordCount
	}
}
