package bedrock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// chunkSize is how many records travel together between the reader, the
// workers and the journal writer, to keep per-record overhead low.
const chunkSize = 64

// chunkBuffers recycles the journal-line buffers of chunk results.
var chunkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// chunkResult is a run of finished records ready for the journal.
type chunkResult struct {
	buf  *[]byte // from chunkBuffers; data lives in its backing array
	data []byte  // journal lines
	t    tally
}

// runRecords runs a scheduled or resumed job's records through the model
// backend. It returns nil once every record has finished.
func (e *Engine) runRecords(ctx context.Context, s *jobState, status batch.Status) error {
	if status == batch.StatusScheduled {
		if err := e.sleep(ctx, e.cfg.StepDelay); err != nil {
			return err
		}
	}
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return ctx.Err()
	}
	e.mu.Lock()
	rec := s.rec
	e.mu.Unlock()
	backend, err := e.cfg.Backends(rec.Job.ModelID)
	if err != nil {
		return failf("no model backend for %s: %v", rec.Job.ModelID, err)
	}
	if status == batch.StatusScheduled {
		if !e.transition(s, batch.StatusInProgress, "", func(r *jobRecord) { r.Ran = true }) {
			return ctx.Err()
		}
	}

	live := &progress{}
	for i := range rec.Files {
		t, _, _, err := scanJournal(e.store.journalPath(rec.ID, i), false)
		if err != nil {
			return failf("cannot read the job's progress: %v", err)
		}
		live.add(t)
	}
	e.mu.Lock()
	s.live = live
	e.mu.Unlock()

	in, err := batch.ParseS3URI(rec.Job.InputDataConfig.S3InputDataConfig.S3URI)
	if err != nil {
		return failf("input: %v", err)
	}
	for i, f := range rec.Files {
		j, done, err := openJournal(e.store.journalPath(rec.ID, i))
		if err != nil {
			return failf("cannot open the job's progress journal: %v", err)
		}
		if j.records < f.Records {
			err = e.runFile(ctx, s, rec.Job, backend, in.Bucket, f, j, done, live)
		}
		if cerr := j.close(); err == nil && cerr != nil {
			err = failf("cannot write the job's progress journal: %v", cerr)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *progress) add(t tally) {
	p.processed.Add(t.processed())
	p.success.Add(t.success)
	p.errors.Add(t.errors)
	p.inTokens.Add(t.inTokens)
	p.outTokens.Add(t.outTokens)
}

// runFile runs the records of one input file that are not in its journal
// yet: a reader parses them, a pool of workers calls the backend, and this
// goroutine appends the results to the journal.
func (e *Engine) runFile(ctx context.Context, s *jobState, job Job, backend model.Backend, bucket string, f inputFile,
	j *journal, done map[string]struct{}, live *progress) error {
	name := describe(bucket, f)
	rc, err := e.cfg.Store.Get(ctx, bucket, f.Key)
	if err != nil {
		return storeFailure("input "+name, err)
	}
	defer rc.Close()

	pctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	chunks := make(chan []manifest.Record, e.cfg.RecordConcurrency)
	results := make(chan chunkResult, e.cfg.RecordConcurrency)

	go func() {
		defer close(chunks)
		if err := e.readRecords(pctx, rc, name, f.TakenIDs, done, chunks); err != nil {
			fail(err)
		}
	}()
	var workers sync.WaitGroup
	for range e.cfg.RecordConcurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for c := range chunks {
				if pctx.Err() != nil {
					continue // drain
				}
				r, err := invokeChunk(pctx, backend, job, name, c)
				if len(r.data) > 0 {
					results <- r
				}
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(results)
	}()

	// Write every finished record, also after a stop: its model call is
	// done. The journal is flushed every CheckpointRecords records or
	// CheckpointInterval; the job's state, whose counters only mirror the
	// journal, is saved at most once per CheckpointInterval and at the end.
	var werr error
	pending, lastFlush, lastSave := 0, time.Now(), time.Now()
	for r := range results {
		if werr != nil {
			continue
		}
		_, err := j.w.Write(r.data)
		*r.buf = r.data[:0]
		chunkBuffers.Put(r.buf)
		if err != nil {
			werr = err
			fail(failf("cannot write the job's progress journal: %v", err))
			continue
		}
		n := int(r.t.processed())
		j.records += n
		live.add(r.t)
		pending += n
		if pending >= e.cfg.CheckpointRecords || time.Since(lastFlush) >= e.cfg.CheckpointInterval {
			if werr = j.flush(); werr != nil {
				fail(failf("cannot write the job's progress journal: %v", werr))
				continue
			}
			pending, lastFlush = 0, time.Now()
			if lastFlush.Sub(lastSave) >= e.cfg.CheckpointInterval {
				e.checkpoint(s)
				lastSave = lastFlush
			}
		}
	}
	if werr == nil {
		werr = j.flush()
	}
	if ctx.Err() != nil {
		if werr == nil {
			e.checkpoint(s) // the counters of a job that resumes later
		}
		return ctx.Err()
	}
	if pctx.Err() != nil {
		return context.Cause(pctx)
	}
	if werr != nil {
		return failf("cannot write the job's progress journal: %v", werr)
	}
	e.checkpoint(s)
	return nil
}

// readRecords parses an input file (on all CPUs) into chunks of records
// still to run; generated record ids avoid the file's taken ids.
func (e *Engine) readRecords(ctx context.Context, r io.Reader, name string, taken []string, done map[string]struct{}, out chan<- []manifest.Record) error {
	rd := manifest.NewReader(r, name, e.cfg.Limits.MaxRecordBytes)
	rd.AvoidIDs(taken)
	c := make([]manifest.Record, 0, chunkSize)
	send := func() error {
		select {
		case out <- c:
			c = make([]manifest.Record, 0, chunkSize)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := rd.ForEach(runtime.GOMAXPROCS(0), func(rec manifest.Record, err error) error {
		if err != nil {
			return failf("%v (the input changed after it was validated)", err)
		}
		if _, ok := done[rec.RecordID]; ok {
			return nil
		}
		c = append(c, rec)
		if len(c) == chunkSize {
			return send()
		}
		return nil
	})
	if err == nil && len(c) > 0 {
		err = send()
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// invokeChunk runs a chunk's records through the backend and returns their
// journal lines. It stops early when ctx ends (the records not run stay
// undone) or the backend fails other than for the record itself.
func invokeChunk(ctx context.Context, backend model.Backend, job Job, name string, c []manifest.Record) (chunkResult, error) {
	r := chunkResult{buf: chunkBuffers.Get().(*[]byte)}
	r.data = (*r.buf)[:0]
	for _, rec := range c {
		if ctx.Err() != nil {
			break
		}
		resp, err := backend.Invoke(ctx, model.Request{ModelID: job.ModelID, InvocationType: job.ModelInvocationType, Body: rec.ModelInput})
		line := manifest.OutputLine{RecordID: rec.RecordID, ModelInput: rec.ModelInput}
		var recErr *model.RecordError
		switch {
		case err == nil && jsonscan.Valid(resp.Body):
			line.ModelOutput = resp.Body
			r.t.success++
			r.t.inTokens += int64(resp.InputTokens)
			r.t.outTokens += int64(resp.OutputTokens)
		case err == nil:
			line.Error = &manifest.OutputError{ErrorCode: 500, ErrorMessage: "the model returned a response that is not valid JSON"}
			r.t.errors++
		case errors.As(err, &recErr):
			line.Error = &manifest.OutputError{ErrorCode: recErr.Code, ErrorMessage: recErr.Message}
			r.t.errors++
		case ctx.Err() != nil:
			return r, nil
		default:
			return r, failf("%s line %d (record %q): the model backend failed: %v", name, rec.Line, rec.RecordID, err)
		}
		var aerr error
		if line.Error != nil {
			r.data, aerr = appendJournalLine(r.data, line, 0, 0)
		} else {
			r.data, aerr = appendJournalLine(r.data, line, resp.InputTokens, resp.OutputTokens)
		}
		if aerr != nil {
			return r, failf("%s line %d: %v", name, rec.Line, aerr)
		}
	}
	return r, nil
}

// checkpoint saves the job's progress counters with its state (without an
// fsync: the journals, not these counters, are the record of progress).
func (e *Engine) checkpoint(s *jobState) {
	s.transition.Lock()
	defer s.transition.Unlock()
	e.mu.Lock()
	rec := s.rec
	rec.Job = s.viewLocked()
	e.mu.Unlock()
	if err := e.store.save(rec, false); err != nil {
		e.cfg.Logger.Warn("could not checkpoint a batch job", "job", rec.Job.JobArn, "error", fmt.Sprint(err))
	}
}
