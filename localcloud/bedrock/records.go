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
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// chunkSize is how many records travel together between the reader, the
// workers and the output writer, to keep per-record overhead low.
const chunkSize = 64

// chunkBuffers recycles the output-line buffers of chunk results.
var chunkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// chunk is a run of records for a worker, with the index of each among
// its file's records.
type chunk struct {
	recs []manifest.Record
	idx  []int
}

// chunkResult is a run of finished records ready for the output.
type chunkResult struct {
	buf  *[]byte // from chunkBuffers; data lives in its backing array
	data []byte  // output lines
	idx  []int   // the records' indexes
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
	// The model id is parsed once for the job; no record parses it again.
	// The records go to the model behind it (for an application inference
	// profile, the model it was made from).
	call := backend.Request{Model: e.modelSource(model.ParseID(rec.Job.ModelID)), InvocationType: rec.Job.ModelInvocationType}
	be, err := e.cfg.Backends(call.Model)
	if err != nil {
		return failf("no model backend for %s: %v", rec.Job.ModelID, err)
	}
	if status == batch.StatusScheduled {
		if !e.transition(s, batch.StatusInProgress, "", func(r *jobRecord) { r.Ran = true }) {
			return ctx.Err()
		}
	}

	live := &progress{}
	started := make([]state, len(rec.Files))
	for i := range rec.Files {
		if started[i], err = scanJournal(e.store.journalPath(rec.ID, i)); err != nil {
			return failf("cannot read the job's progress: %v", err)
		}
		live.add(started[i].t)
	}
	e.mu.Lock()
	s.live = live
	e.mu.Unlock()

	in, err := batch.ParseS3URI(rec.Job.InputDataConfig.S3InputDataConfig.S3URI)
	if err != nil {
		return failf("input: %v", err)
	}
	outBucket, outPrefix, err := outputLocation(rec)
	if err != nil {
		return failf("output: %v", err)
	}
	for i, f := range rec.Files {
		if started[i].done.count() >= f.Records {
			continue
		}
		o, err := e.openOutput(ctx, e.store.journalPath(rec.ID, i), outBucket, outPrefix+outputName(f))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return failf("cannot start the output of %s: %v", describe(in.Bucket, f), err)
		}
		err = e.runFile(ctx, s, be, call, in.Bucket, f, o, live)
		if cerr := o.close(); err == nil && cerr != nil {
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

// runFile runs the records of one input file that are not finished yet: a
// reader parses them, a pool of workers calls the backend, and this
// goroutine hands the results to the output writer.
func (e *Engine) runFile(ctx context.Context, s *jobState, be backend.Backend, call backend.Request, bucket string, f inputFile,
	o *outputWriter, live *progress) error {
	name := describe(bucket, f)
	rc, err := e.cfg.Store.Get(ctx, bucket, f.Key)
	if err != nil {
		return storeFailure("input "+name, err)
	}
	defer rc.Close()

	pctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	chunks := make(chan chunk, e.cfg.RecordConcurrency)
	results := make(chan chunkResult, e.cfg.RecordConcurrency)

	skip := o.done.clone() // o.done changes as records finish
	go func() {
		defer close(chunks)
		if err := e.readRecords(pctx, rc, name, f.TakenIDs, &skip, chunks); err != nil {
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
				r, err := invokeChunk(pctx, be, e.cfg.Attempts, call, name, c)
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
	// done. A checkpoint makes them finished for good every
	// CheckpointRecords records or CheckpointInterval; the job's state,
	// whose counters only mirror the journals, is saved at most once per
	// CheckpointInterval and at the end.
	var werr error
	pending, lastFlush, lastSave := 0, time.Now(), time.Now()
	for r := range results {
		if werr != nil {
			continue
		}
		err := o.write(r)
		*r.buf = r.data[:0]
		chunkBuffers.Put(r.buf)
		if err != nil {
			werr = err
			fail(failf("cannot write the job's output: %v", err))
			continue
		}
		n := int(r.t.processed())
		live.add(r.t)
		pending += n
		if pending >= e.cfg.CheckpointRecords || time.Since(lastFlush) >= e.cfg.CheckpointInterval {
			if werr = o.checkpoint(pctx); werr != nil {
				fail(failf("cannot write the job's output: %v", werr))
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
		werr = o.checkpoint(pctx)
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
		return failf("cannot write the job's output: %v", werr)
	}
	e.checkpoint(s)
	return nil
}

// readRecords parses an input file (on all CPUs) into chunks of records
// still to run, leaving out those in done; generated record ids avoid the
// file's taken ids.
func (e *Engine) readRecords(ctx context.Context, r io.Reader, name string, taken []string, done *doneSet, out chan<- chunk) error {
	rd := manifest.NewReader(r, name, e.cfg.Limits.MaxRecordBytes)
	rd.AvoidIDs(taken)
	c := newChunk()
	index := -1
	send := func() error {
		select {
		case out <- c:
			c = newChunk()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := rd.ForEach(runtime.GOMAXPROCS(0), func(rec manifest.Record, err error) error {
		if err != nil {
			return failf("%v (the input changed after it was validated)", err)
		}
		if index++; done.has(index) {
			return nil
		}
		c.recs = append(c.recs, rec)
		c.idx = append(c.idx, index)
		if len(c.recs) == chunkSize {
			return send()
		}
		return nil
	})
	if err == nil && len(c.recs) > 0 {
		err = send()
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// newChunk returns an empty chunk.
func newChunk() chunk {
	return chunk{recs: make([]manifest.Record, 0, chunkSize), idx: make([]int, 0, chunkSize)}
}

// invokeChunk runs a chunk's records through the backend, each as call with
// the record's modelInput for body and its attempt from attempts, and
// returns their output lines. It stops early when ctx ends (the records not
// run stay undone) or the backend fails other than for the record itself.
func invokeChunk(ctx context.Context, be backend.Backend, attempts *backend.Attempts, call backend.Request, name string, c chunk) (chunkResult, error) {
	r := chunkResult{buf: chunkBuffers.Get().(*[]byte)}
	r.data = (*r.buf)[:0]
	for i, rec := range c.recs {
		if ctx.Err() != nil {
			break
		}
		call.Body = rec.ModelInput
		call.Attempt = attempts.Next(call.Model, rec.ModelInput)
		resp, err := be.Invoke(ctx, call)
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
		if r.data, aerr = manifest.AppendOutputLine(r.data, line); aerr != nil {
			return r, failf("%s line %d: %v", name, rec.Line, aerr)
		}
		r.idx = append(r.idx, c.idx[i])
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
