package bedrock

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// validate checks the job's input and output locations and every input
// record, then moves the job on to Scheduled. A problem with the input is a
// *jobFailure naming the file and line.
func (e *Engine) validate(ctx context.Context, s *jobState) error {
	e.mu.Lock()
	job := s.rec.Job
	e.mu.Unlock()
	in, err := batch.ParseS3URI(job.InputDataConfig.S3InputDataConfig.S3URI)
	if err != nil {
		return failf("input: %v", err)
	}
	out, err := batch.ParseS3URI(job.OutputDataConfig.S3OutputDataConfig.S3URI)
	if err != nil {
		return failf("output: %v", err)
	}
	if _, err := e.cfg.Store.List(ctx, out.Bucket, batch.JobOutputPrefix(out, jobID(job))); err != nil {
		return storeFailure("output location "+out.String(), err)
	}
	files, err := e.findInputs(ctx, in)
	if err != nil {
		return err
	}
	stats, err := e.validateFiles(ctx, in.Bucket, files)
	if err != nil {
		return err
	}
	if err := manifest.ValidateJob(stats, e.cfg.Limits); err != nil {
		return failf("validation failed: %v", err)
	}
	if err := e.sleep(ctx, e.cfg.StepDelay); err != nil {
		return err
	}
	var total int64
	for _, st := range stats {
		total += int64(st.Records)
	}
	e.transition(s, batch.StatusScheduled, "", func(r *jobRecord) {
		r.Files = files
		r.Job.TotalRecordCount = total
	})
	return nil
}

// findInputs lists the job's input files: the object the URI names, or the
// .jsonl objects under it as a prefix.
func (e *Engine) findInputs(ctx context.Context, in batch.S3URI) ([]inputFile, error) {
	// A URI naming an object is that object: asked for alone, rather than
	// found in a listing of every key it starts (which, for manifests
	// side by side under one prefix, lists all of them for each job).
	if in.Key != "" && !strings.HasSuffix(in.Key, "/") {
		o, err := e.cfg.Store.Head(ctx, in.Bucket, in.Key)
		if err == nil {
			return []inputFile{{Key: o.Key, Name: path.Base(o.Key), Size: o.Size}}, nil
		}
		if !errors.Is(err, ErrNoSuchKey) {
			return nil, storeFailure("input "+in.String(), err)
		}
	}
	objs, err := e.cfg.Store.List(ctx, in.Bucket, in.Key)
	if err != nil {
		return nil, storeFailure("input "+in.String(), err)
	}
	for _, o := range objs {
		if in.Key != "" && o.Key == in.Key {
			return []inputFile{{Key: o.Key, Name: path.Base(o.Key), Size: o.Size}}, nil
		}
	}
	prefix := in.Prefix()
	var files []inputFile
	for _, o := range objs {
		if strings.HasPrefix(o.Key, prefix) && strings.HasSuffix(o.Key, ".jsonl") {
			files = append(files, inputFile{Key: o.Key, Name: strings.TrimPrefix(o.Key, prefix), Size: o.Size})
		}
	}
	if len(files) == 0 {
		return nil, failf("validation failed: no input found at %s: the URI must name a .jsonl object or a prefix holding .jsonl objects", in)
	}
	return files, nil
}

// validateFiles checks the job's input files, filling in their record
// counts and taken ids, once one of the engine's checks is free.
func (e *Engine) validateFiles(ctx context.Context, bucket string, files []inputFile) ([]manifest.FileStats, error) {
	select {
	case e.checks <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.checks }()
	var stats []manifest.FileStats
	for i := range files {
		st, err := e.validateFile(ctx, bucket, files[i])
		if err != nil {
			return nil, err
		}
		files[i].Records, files[i].TakenIDs = st.Records, st.TakenIDs
		stats = append(stats, st)
	}
	return stats, nil
}

// validateFile streams one input file through the manifest checks.
func (e *Engine) validateFile(ctx context.Context, bucket string, f inputFile) (manifest.FileStats, error) {
	name := batch.S3URI{Bucket: bucket, Key: f.Key}.String()
	if f.Size > e.cfg.Limits.MaxFileBytes {
		return manifest.FileStats{}, failf("validation failed: %s is %d bytes; the most one input file may hold is %d bytes, so split it into several files",
			name, f.Size, e.cfg.Limits.MaxFileBytes)
	}
	rc, err := e.cfg.Store.Get(ctx, bucket, f.Key)
	if err != nil {
		return manifest.FileStats{}, storeFailure("input "+name, err)
	}
	defer rc.Close()
	st, err := manifest.ValidateFile(ctxReader{ctx, rc}, name, e.cfg.Limits)
	if ctx.Err() != nil {
		return st, ctx.Err()
	}
	var me *manifest.Error
	if errors.As(err, &me) {
		return st, failf("validation failed: %v", err)
	}
	if err != nil {
		return st, failf("validation failed: cannot read %s: %v", name, err)
	}
	return st, nil
}

// storeFailure words an object store error as a job failure.
func storeFailure(what string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, ErrNoSuchBucket):
		return failf("validation failed: %s: the bucket does not exist or the service role cannot access it", what)
	case errors.Is(err, ErrNoSuchKey):
		return failf("validation failed: %s does not exist", what)
	}
	return failf("validation failed: %s: %v", what, err)
}

// ctxReader stops a long read when its context ends.
type ctxReader struct {
	ctx context.Context
	r   interface{ Read([]byte) (int, error) }
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// jobID is the id at the end of a job's ARN.
func jobID(j Job) string { return j.JobArn[strings.LastIndexByte(j.JobArn, '/')+1:] }

// outputName is where an input file's output goes under the job's prefix.
func outputName(f inputFile) string { return manifest.OutputName(f.Name) }

// describe names an input file for messages.
func describe(bucket string, f inputFile) string { return fmt.Sprintf("s3://%s/%s", bucket, f.Key) }
