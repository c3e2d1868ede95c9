// Package validate checks batch manifests for everything Amazon Bedrock
// would reject, before a job costs anything: lines that are not records,
// duplicate record ids, files and jobs outside the quotas (records per file
// and per job, file and job size), modelInput bodies the model's family
// refuses (or Converse requests carrying a modelId), and object keys with
// characters Bedrock refuses in S3 URIs. Each problem names its file and
// line and says what to change.
package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// Options says what to check.
type Options struct {
	// Paths are manifest files, directories or s3:// prefixes (their
	// *.jsonl files). Each file is one job, as the workflow runs them.
	Paths []string
	// ModelID chooses the request format the bodies are checked against.
	ModelID string
	// InvocationType is InvokeModel (default) or Converse.
	InvocationType string
	// Limits are the quotas; zero fields are the service's defaults.
	Limits manifest.Limits
	// MaxProblems bounds the problems reported per file (default 20).
	MaxProblems int
	// Store reads the files; nil uses a default Store.
	Store *table.Store
	// Progress, when set, is told the bytes checked.
	Progress func(done, total int64)
}

// Problem is one thing the service would reject.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// File is the report on one manifest.
type File struct {
	Path     string    `json:"path"`
	Records  int       `json:"records"`
	Bytes    int64     `json:"bytes"`
	Problems []Problem `json:"problems,omitempty"`
	// More counts the problems past MaxProblems.
	More int `json:"more,omitempty"`
}

// Report is the result of Run.
type Report struct {
	ModelID string `json:"modelId"`
	Files   []File `json:"files"`
	Records int    `json:"records"`
	// Problems counts every problem found, reported or not.
	Problems int `json:"problems"`
}

// OK reports whether the service would accept every file.
func (r Report) OK() bool { return r.Problems == 0 }

// Kinds of problems beyond manifest's.
const (
	KindModelInput = "ModelInput"
	KindS3Key      = "S3Key"
)

// Run checks the manifests. An error means they could not be read; what
// the service would reject is in the Report.
func Run(ctx context.Context, opts Options) (Report, error) {
	rep := Report{ModelID: opts.ModelID}
	id := model.ParseID(opts.ModelID)
	if _, err := id.RequireFamily(); err != nil {
		return rep, err
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 20
	}
	store := opts.Store
	if store == nil {
		store = &table.Store{}
	}
	var objs []table.Object
	for _, p := range opts.Paths {
		found, err := store.List(ctx, p, ".jsonl")
		if err != nil {
			return rep, err
		}
		if len(found) == 0 {
			return rep, fmt.Errorf("%s holds no manifest (*.jsonl)", p)
		}
		objs = append(objs, found...)
	}
	var total, done int64
	for _, o := range objs {
		total += o.Size
	}
	for _, o := range objs {
		f, err := checkFile(ctx, store, o, opts, id, &rep, func(n int64) {
			if opts.Progress != nil {
				opts.Progress(done+n, total)
			}
		})
		if err != nil {
			return rep, err
		}
		done += o.Size
		rep.Files = append(rep.Files, f)
		rep.Records += f.Records
	}
	return rep, nil
}

func (f *File) add(rep *Report, max int, p Problem) {
	rep.Problems++
	if len(f.Problems) < max {
		f.Problems = append(f.Problems, p)
	} else {
		f.More++
	}
}

func checkFile(ctx context.Context, store *table.Store, o table.Object, opts Options, id model.ID, rep *Report, progress func(int64)) (File, error) {
	f := File{Path: o.Path}
	problem := func(line int, kind, format string, args ...any) {
		f.add(rep, opts.MaxProblems, Problem{File: o.Path, Line: line, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	if table.IsS3(o.Path) {
		if _, err := batch.ParseS3URI(o.Path); err != nil {
			problem(0, KindS3Key, "Bedrock refuses this S3 URI: %v", err)
		}
	} else if name := path.Base(strings.ReplaceAll(o.Path, "\\", "/")); !keySafe(name) {
		problem(0, KindS3Key, "the file name %q has characters Bedrock refuses in an S3 key once uploaded: use letters, digits and -!_*'().", name)
	}
	r, _, err := store.Open(ctx, o.Path)
	if err != nil {
		return f, err
	}
	defer r.Close()
	lim := opts.Limits.WithDefaults()
	rd := manifest.NewReader(r, o.Path, lim.MaxRecordBytes)
	v := manifest.NewFileValidator(o.Path, lim)
	tooMany := false
	for n := 0; ; n++ {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if n%4096 == 0 {
			progress(rd.BytesRead())
			if err := ctx.Err(); err != nil {
				return f, err
			}
		}
		var me *manifest.Error
		if errors.As(err, &me) {
			problem(me.Line, string(me.Kind), "%s", me.Msg)
			continue
		}
		if err != nil {
			return f, err
		}
		if !tooMany {
			if err := v.Add(rec); errors.As(err, &me) {
				problem(me.Line, string(me.Kind), "%s", me.Msg)
				if me.Kind == manifest.KindTooManyRecords || me.Kind == manifest.KindFileTooLarge {
					tooMany = true
				}
			}
		}
		if _, err := model.CheckRequest(id, opts.InvocationType, rec.ModelInput); err != nil {
			problem(rec.Line, KindModelInput, "modelInput is not a request %s accepts: %v", opts.ModelID, err)
		}
	}
	progress(rd.BytesRead())
	stats, err := v.Finish(rd.BytesRead())
	var me *manifest.Error
	if errors.As(err, &me) && !tooMany {
		problem(me.Line, string(me.Kind), "%s", me.Msg)
	}
	f.Records, f.Bytes = stats.Records, stats.Bytes
	if err := manifest.ValidateJob([]manifest.FileStats{stats}, opts.Limits); errors.As(err, &me) {
		problem(0, string(me.Kind), "as one job: %s", me.Msg)
	}
	return f, nil
}

// keySafe reports whether name uses only the characters Bedrock accepts in
// an S3 key segment.
func keySafe(name string) bool {
	_, err := batch.ParseS3URI("s3://bucket/" + name)
	return err == nil
}
