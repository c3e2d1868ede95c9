package prepare

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// FormatOpenAI is the input format of an OpenAI Batch API file.
const FormatOpenAI = "openai"

// Options says what to prepare.
type Options struct {
	// Input is the table (.csv, .jsonl, .parquet) or OpenAI batch file:
	// a local path or an s3:// URI.
	Input string
	// Format overrides the format told by Input's extension: csv, jsonl,
	// parquet or openai.
	Format string
	// ModelID is the model (or inference profile) the jobs run on; it
	// chooses the request format.
	ModelID string
	// InvocationType is InvokeModel (default) or Converse.
	InvocationType string
	// Templates are the prompt templates. Without TemplateColumn each row
	// makes one record per template; with it, one record with the template
	// its cell names. Not used for OpenAI input.
	Templates []Template
	// TemplateColumn names the column whose cell chooses a row's template.
	TemplateColumn string
	// System is the system prompt, a template over the row like the
	// prompts. For OpenAI input it applies to requests without one.
	System string
	// MaxTokens, Temperature and TopP set the generation; zero and nil
	// mean the family's defaults (for OpenAI input: the request's own).
	MaxTokens   int
	Temperature *float64
	TopP        *float64
	// IDColumn names the column holding record ids; empty generates them
	// from the row number (see manifest.RowRecordID).
	IDColumn string
	// Out is the directory or s3:// prefix the manifests are written to.
	Out string
	// Name starts each manifest's file name; default: the input's file
	// name without extension, made safe for S3 keys Bedrock accepts.
	Name string
	// Limits are the quotas files and jobs are checked against.
	Limits manifest.Limits
	// RecordsPerJob is the job size asked for; 0 makes jobs as large as the
	// quotas allow. MaxRecordsPerJob and MaxConcurrentJobs are quotas
	// (0: the service's defaults, 50,000 and 20).
	RecordsPerJob     int
	MaxRecordsPerJob  int
	MaxConcurrentJobs int
	// Clamp moves an OpenAI request's temperature, top_p or max_tokens
	// that lies outside the model's range into it, with a warning, rather
	// than refusing the request.
	Clamp bool
	// DropUnsupported drops an OpenAI request's parameters that have no
	// Bedrock meaning (tools, response_format, n above 1, seed, logprobs,
	// stop for a model without stop sequences, …), with a warning, rather
	// than refusing the request.
	DropUnsupported bool
	// Encoding is the character encoding of a CSV or JSON Lines input
	// (see table.Store.Encoding); empty means UTF-8, and bytes that are
	// not UTF-8 are then an error naming the row.
	Encoding string
	// TempDir holds the spool; default the system's temporary directory.
	TempDir string
	// Store reads and writes the files; nil uses a default Store.
	Store *table.Store
	// Progress, when set, is told how far the work is.
	Progress func(Progress)
}

// Progress is a report on long work: Done of Total units of a phase
// ("read": rows read, Total 0 as the count is not known ahead; "write":
// bytes of manifests written, of Total).
type Progress struct {
	Phase       string
	Done, Total int64
}

// File is one manifest written.
type File struct {
	Path    string `json:"path"`
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// Result is what Run did.
type Result struct {
	Input          string           `json:"input"`
	Format         string           `json:"format"`
	ModelID        string           `json:"modelId"`
	Family         string           `json:"family"`
	InvocationType string           `json:"invocationType"`
	Rows           int              `json:"rows"`
	Records        int              `json:"records"`
	Bytes          int64            `json:"bytes"`
	Plan           manifest.JobPlan `json:"plan"`
	Files          []File           `json:"files"`
	// Waves is how many rounds of jobs the concurrency quota makes.
	Waves int `json:"waves"`
	// Warnings say what was changed in translating the input (values
	// clamped, parameters dropped), one line per parameter with counts.
	Warnings []string `json:"warnings,omitempty"`
}

// Run prepares the manifests.
func Run(ctx context.Context, opts Options) (Result, error) {
	res := Result{Input: opts.Input, ModelID: opts.ModelID, InvocationType: opts.InvocationType}
	if res.InvocationType == "" {
		res.InvocationType = batch.InvocationInvokeModel
	}
	id := model.ParseID(opts.ModelID)
	family, err := id.RequireFamily()
	if err != nil {
		return res, err
	}
	res.Family = family.String()
	if err := checkSettings(opts, id); err != nil {
		return res, err
	}
	if opts.Out == "" {
		return res, errors.New("no output location: give a directory or an s3:// prefix for the manifests")
	}
	store := opts.Store
	if store == nil {
		store = &table.Store{}
	}
	if opts.Encoding != "" {
		store.Encoding = opts.Encoding
	}
	name, err := manifestName(opts)
	if err != nil {
		return res, err
	}
	if err := checkOut(ctx, store, opts.Out, name); err != nil {
		return res, err
	}
	src, format, err := openSource(ctx, store, opts, id)
	if err != nil {
		return res, err
	}
	defer src.close()
	res.Format = format

	spool, err := os.CreateTemp(opts.TempDir, "prepare-*.jsonl")
	if err != nil {
		return res, fmt.Errorf("spool file: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	sw := bufio.NewWriterSize(spool, 1<<20)
	var line []byte
	ids := newIDSet()
	emit := func(id string, body []byte) error {
		if first, dup := ids.add(id, res.Records+1); dup {
			return fmt.Errorf("%s: record ids repeat: %q appears more than once (records %d and %d): ids must be unique across the whole input (Bedrock refuses a repeated recordId, and results could not tell them apart); make the --id-column values unique, or leave --id-column out to generate ids", opts.Input, id, first, res.Records+1)
		}
		line = manifest.AppendInputLine(line[:0], manifest.Record{RecordID: id, ModelInput: body})
		res.Records++
		res.Bytes += int64(len(line))
		_, err := sw.Write(line)
		return err
	}
	if err := src.each(ctx, emit, &res.Rows); err != nil {
		return res, err
	}
	if o, ok := src.(*openAISource); ok {
		res.Warnings = o.notes.warnings(opts.ModelID)
	}
	src.close()
	if err := sw.Flush(); err != nil {
		return res, fmt.Errorf("spool file: %w", err)
	}

	lim := opts.Limits.WithDefaults()
	plan, err := manifest.PlanJobs(res.Records, lim, opts.RecordsPerJob, opts.MaxRecordsPerJob, opts.MaxConcurrentJobs)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			me.File = opts.Input
		}
		return res, err
	}
	maxBytes := min(lim.MaxFileBytes, lim.MaxJobBytes)
	// Records of uneven size can fill a file's bytes before its records:
	// plan enough files that an even share of the bytes fits with room.
	if byBytes := int((res.Bytes*10/9)/maxBytes) + 1; byBytes > plan.Files && res.Records/byBytes >= lim.MinRecordsPerJob {
		plan = manifest.JobPlan{Files: byBytes, RecordsPerFile: (res.Records + byBytes - 1) / byBytes}
	}
	res.Plan = plan
	concurrent := opts.MaxConcurrentJobs
	if concurrent <= 0 {
		concurrent = manifest.DefaultMaxConcurrentJobs
	}
	res.Waves = (plan.Files + concurrent - 1) / concurrent

	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return res, err
	}
	digits := max(4, len(fmt.Sprint(plan.Files)))
	var written int64
	set := store.NewFileSet(ctx)
	defer set.Abort()
	parts, err := manifest.Split(&progressReader{r: spool, done: func(n int64) {
		written += n
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: "write", Done: written, Total: res.Bytes})
		}
	}}, plan.RecordsPerFile, maxBytes, func(i int) (io.WriteCloser, error) {
		p := table.Join(opts.Out, fmt.Sprintf("%s-%0*d.jsonl", name, digits, i+1))
		res.Files = append(res.Files, File{Path: p})
		return set.Create(p)
	})
	if err != nil {
		res.Files = nil
		return res, err
	}
	for i, p := range parts {
		res.Files[i].Records, res.Files[i].Bytes = p.Records, p.Bytes
	}
	if n := len(parts); n > 1 && parts[n-1].Records < lim.MinRecordsPerJob {
		res.Files = nil
		return res, fmt.Errorf("%s: the records differ so much in size that the last file got only %d records, below the %d a job needs: set a smaller number of records per job so the files are cut by count", opts.Out, parts[n-1].Records, lim.MinRecordsPerJob)
	}
	// Every manifest appears now, or none does.
	if err := set.Commit(); err != nil {
		res.Files = nil
		return res, err
	}
	return res, nil
}

type progressReader struct {
	r    io.Reader
	done func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done(int64(n))
	}
	return n, err
}

// unsafeKeyChars are the characters Bedrock refuses in an S3 key segment.
var unsafeKeyChars = regexp.MustCompile(`[^-!_*'().a-zA-Z0-9]+`)

func manifestName(opts Options) (string, error) {
	name := opts.Name
	if name == "" {
		base := path.Base(strings.ReplaceAll(opts.Input, "\\", "/"))
		name = strings.TrimSuffix(base, path.Ext(base))
		name = strings.Trim(unsafeKeyChars.ReplaceAllString(name, "-"), "-.")
		if name == "" {
			name = "manifest"
		}
	}
	if unsafeKeyChars.MatchString(name) {
		return "", fmt.Errorf("manifest name %q has characters Bedrock refuses in S3 keys: use only letters, digits and the characters -!_*'() and dots", name)
	}
	return name, nil
}

// checkOut refuses an output location Bedrock could not read from, and one
// already holding manifests of this name (a job over the prefix would run
// them all).
func checkOut(ctx context.Context, store *table.Store, out, name string) error {
	if table.IsS3(out) {
		if _, err := batch.ParseS3URI(strings.TrimSuffix(out, "/") + "/" + name + ".jsonl"); err != nil {
			return fmt.Errorf("output %s: %v", out, err)
		}
	}
	existing, err := store.List(ctx, out, ".jsonl")
	if err != nil {
		if table.ErrNotFound(err) {
			return nil
		}
		return fmt.Errorf("output %s: %w", out, err)
	}
	for _, o := range existing {
		base := path.Base(strings.ReplaceAll(o.Path, "\\", "/"))
		if strings.HasPrefix(base, name+"-") {
			return fmt.Errorf("output %s already holds manifests named %s-…: remove them or choose another location", out, name)
		}
	}
	return nil
}
