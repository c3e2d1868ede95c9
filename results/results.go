// Package results reads the output of Bedrock batch jobs (.jsonl.out files
// in a directory or under an s3:// prefix) and turns it into something a
// user can use: a table (CSV, JSON Lines or Parquet) with each record's
// text or embedding, token counts and error, joined to the rows of the
// table the records were prepared from; or OpenAI Batch API output lines;
// and a manifest of the failed records to run again.
//
// Result columns have stable names: record_id, status, output (or
// embedding), input_tokens, output_tokens, stop_reason, error_code and
// error_message. Joined to a source table, a source column keeps its name
// and a result column of the same name takes the prefix "bedrock_", again
// until the name is free ("status" becomes "bedrock_status", and
// "bedrock_status" too in the source makes it "bedrock_bedrock_status").
// A token count the family's response does not report is null, not 0.
//
// The join streams: records are spread by id over partition files on disk,
// each partition is joined in memory, and the joined partitions are merged
// back into the source table's row order. Memory depends on the size of one
// partition, not on the size of the input.
package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// FormatOpenAI writes OpenAI Batch API output lines.
const FormatOpenAI = "openai"

// Options says which results to read and where to write them.
type Options struct {
	// Outputs is a directory, an s3:// prefix or one .jsonl.out file.
	Outputs string
	// Join is the source table the records were prepared from; empty
	// writes the records alone.
	Join string
	// JoinFormat overrides the format told by Join's extension.
	JoinFormat string
	// IDColumn is the column of record ids in Join, as given to prepare;
	// empty means the ids were generated from the row numbers.
	IDColumn string
	// Templates is how many prompt templates each row had in prepare
	// (their records' ids end in -001, -002, …); 0 tells from the ids.
	Templates int
	// Out is the file written; its extension chooses the format unless
	// Format is given.
	Out string
	// Format is csv, jsonl, parquet, openai (OpenAI Batch API output
	// lines) or anthropic (Message Batches result lines).
	Format string
	// Manifests are the input manifests the jobs ran (a directory, an
	// s3:// prefix or one .jsonl file). With them every input record is
	// accounted for: a record with no output line is reported as missing
	// in every format, and written to Failed with its modelInput.
	Manifests string
	// Failed is a directory or s3:// prefix where manifests of the records
	// to run again are written: the errored ones and, when Manifests are
	// given, the missing ones. One file (failed.jsonl) when they are fewer
	// than two jobs' minimum, else files failed-0001.jsonl, … each holding
	// at least the per-job minimum; nothing is written when every record
	// was answered.
	Failed string
	// Limits are the quotas the Failed manifests are cut by; zero fields
	// mean the service's defaults.
	Limits manifest.Limits
	// AllowMissing makes Run succeed when records are missing; by default
	// it writes everything and then returns an error wrapping
	// ErrMissingRecords.
	AllowMissing bool
	// ModelID is reported as the model of OpenAI output bodies. Empty
	// takes, for each answered record, the model its response names, which
	// only Anthropic's responses do; neither the manifests (a Converse
	// record must not carry modelId) nor a job's manifest.json.out name
	// the model, so for the other families an empty ModelID is an error
	// that asks for it.
	ModelID string
	// TempDir holds the partition files; default the system's.
	TempDir string
	// Store reads and writes the files; nil uses a default Store.
	Store *table.Store
	// Progress, when set, is told the bytes of output read.
	Progress func(done, total int64)
}

// Result says what Run did. Every input record is in exactly one of
// Succeeded, Failed (errored) and Missing when the input manifests are
// given (Expected = Succeeded + Failed + Missing).
type Result struct {
	Files        int   `json:"files"`
	Records      int   `json:"records"`
	Succeeded    int   `json:"succeeded"`
	Failed       int   `json:"failed"`
	InputTokens  int64 `json:"inputTokens"`
	OutputTokens int64 `json:"outputTokens"`
	// Expected is the number of records of the input manifests (0 when
	// they were not given).
	Expected int `json:"expected,omitempty"`
	// Missing counts the records (or, joined without manifests, the
	// source rows) that have no output line.
	Missing int `json:"missing,omitempty"`
	// Jobs is the number of jobs' manifest.json.out found with the
	// outputs, and Summary their counts added up; UnnamedMissing is how
	// many records they say never ran that could not be named (give the
	// input manifests to name them).
	Jobs           int               `json:"jobs,omitempty"`
	Summary        *manifest.Summary `json:"summary,omitempty"`
	UnnamedMissing int               `json:"unnamedMissing,omitempty"`
	Rows           int               `json:"rows,omitempty"`
	Orphans        int               `json:"orphans,omitempty"`
	Out            string            `json:"out"`
	Format         string            `json:"format"`
	// FailedFiles are the manifests of records to run again, and
	// FailedErrored and FailedMissing how many of their records errored
	// and never ran.
	FailedFiles   []string `json:"failedFiles,omitempty"`
	FailedErrored int      `json:"failedErrored,omitempty"`
	FailedMissing int      `json:"failedMissing,omitempty"`
}

// ErrMissingRecords is wrapped by Run's error when records never ran and
// Options.AllowMissing is not set; the results are written all the same.
var ErrMissingRecords = errors.New("records are missing from the outputs")

// Run writes the results.
func Run(ctx context.Context, opts Options) (Result, error) {
	res := Result{Out: opts.Out}
	store := opts.Store
	if store == nil {
		store = &table.Store{}
		opts.Store = store
	}
	if opts.Out == "" {
		return res, errors.New("no output file: give a .csv, .jsonl or .parquet file (or OpenAI format) to write the results to")
	}
	lines := strings.ToLower(opts.Format)
	openai, anthropic := lines == FormatOpenAI, lines == FormatAnthropic
	var format table.Format
	if openai || anthropic {
		res.Format = lines
		if opts.Join != "" {
			return res, errors.New("batch API result lines carry each record's custom_id and need no join: leave out the source table")
		}
	} else {
		var err error
		if format, err = table.FormatOf(opts.Out, opts.Format); err != nil {
			return res, err
		}
		res.Format = string(format)
	}
	files, err := store.List(ctx, opts.Outputs, ".jsonl.out")
	if err != nil {
		return res, fmt.Errorf("outputs %s: %w", opts.Outputs, err)
	}
	if len(files) == 0 && opts.Manifests == "" {
		return res, fmt.Errorf("no .jsonl.out files under %s: give the jobs' output location (s3://bucket/output/<job name>/ on AWS, or its copy under the local cloud's data directory)", opts.Outputs)
	}
	res.Files = len(files)
	if err := readSummaries(ctx, store, opts.Outputs, &res); err != nil {
		return res, err
	}
	tmp, err := os.MkdirTemp(opts.TempDir, "results-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	scan := &scanner{opts: opts, files: files, res: &res}
	if opts.Manifests != "" {
		if scan.expect, err = loadExpected(ctx, store, opts.Manifests, tmp); err != nil {
			return res, err
		}
		defer scan.expect.close()
		res.Expected = scan.expect.records
	}
	if opts.Failed != "" {
		if scan.failed, err = newSpool(tmp); err != nil {
			return res, err
		}
		defer scan.failed.remove()
	}
	switch {
	case openai:
		err = writeOpenAI(ctx, scan)
	case anthropic:
		err = writeAnthropic(ctx, scan)
	case opts.Join == "":
		err = writeRecords(ctx, scan, format)
	default:
		err = join(ctx, scan, format, tmp)
	}
	if err != nil {
		return res, err
	}
	if err := checkTotals(&res); err != nil {
		return res, err
	}
	if scan.failed != nil && scan.failed.records > 0 {
		if err := writeFailed(ctx, scan); err != nil {
			return res, err
		}
	}
	if (res.Missing > 0 || res.UnnamedMissing > 0) && !opts.AllowMissing {
		return res, fmt.Errorf("%w: %s; the results say so for each one (pass --allow-missing to exit 0 all the same)", ErrMissingRecords, missingText(res))
	}
	return res, nil
}

// missingText says how many records never ran, for people.
func missingText(res Result) string {
	switch {
	case res.Missing > 0 && res.Expected > 0:
		return fmt.Sprintf("%d of the %d input records have no output line", res.Missing, res.Expected)
	case res.Missing > 0:
		return fmt.Sprintf("%d source rows have no output line", res.Missing)
	default:
		return fmt.Sprintf("the jobs' manifest.json.out say %d records never ran; give the input manifests (--manifests) to name them", res.UnnamedMissing)
	}
}

// scanner reads every output line once, counting, spooling the records to
// run again, noting each id for the missing-record check, and handing each
// outcome on.
type scanner struct {
	opts      Options
	files     []table.Object
	res       *Result
	failed    *spool
	expect    *expected
	embedding bool // an outcome had an embedding
	templates int  // the largest template number in the output ids
}

func (s *scanner) each(ctx context.Context, fn func(outcome) error) error {
	var total, done int64
	for _, f := range s.files {
		total += f.Size
	}
	for _, f := range s.files {
		r, _, err := s.opts.Store.Open(ctx, f.Path)
		if err != nil {
			return err
		}
		err = func() error {
			defer r.Close()
			counted := &countingReader{r: r}
			or := manifest.NewOutputReader(counted, f.Path, 0)
			for n := 0; ; n++ {
				l, err := or.Next()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				o, err := readOutcome(l, f.Path, or.Line())
				if err != nil {
					return err
				}
				s.count(o)
				if s.expect != nil {
					if err := s.expect.saw(o.ID); err != nil {
						return err
					}
				}
				if o.Failed && s.failed != nil {
					s.res.FailedErrored++
					if err := s.failed.add(l.RecordID, l.ModelInput); err != nil {
						return err
					}
				}
				if err := fn(o); err != nil {
					return err
				}
				if n%1024 == 0 && s.opts.Progress != nil {
					s.opts.Progress(done+counted.n, total)
				}
			}
		}()
		if err != nil {
			return err
		}
		done += f.Size
	}
	if s.opts.Progress != nil {
		s.opts.Progress(total, total)
	}
	return nil
}

// missing calls fn with an outcome for every input record that has no
// output line; it does nothing without the input manifests. Call it after
// each.
func (s *scanner) missing(fn func(outcome) error) error {
	if s.expect == nil {
		return nil
	}
	return s.expect.eachMissing(func(r expectedRec) error {
		s.res.Missing++
		if s.failed != nil {
			s.res.FailedMissing++
			if err := s.failed.add(r.ID, r.ModelInput); err != nil {
				return err
			}
		}
		return fn(outcome{ID: r.ID, Missing: true, ErrorMessage: missingReason})
	})
}

func (s *scanner) count(o outcome) {
	s.res.Records++
	if o.Failed {
		s.res.Failed++
	} else {
		s.res.Succeeded++
	}
	s.res.InputTokens += int64(o.InputTokens)
	s.res.OutputTokens += int64(o.OutputTokens)
	if len(o.Embeddings) > 0 {
		s.embedding = true
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// resultColumns are the columns a results table adds to the source's,
// prefixed when the source already has one of the names.
func resultColumns(source []string, embedding bool) []table.Column {
	cols := []table.Column{{Name: "record_id"}, {Name: "status"}, {Name: "output"}}
	if embedding {
		cols = append(cols, table.Column{Name: "embedding", Type: table.Floats})
	}
	cols = append(cols,
		table.Column{Name: "input_tokens", Type: table.Int},
		table.Column{Name: "output_tokens", Type: table.Int},
		table.Column{Name: "stop_reason"},
		table.Column{Name: "error_code", Type: table.Int},
		table.Column{Name: "error_message"})
	taken := map[string]bool{}
	for _, c := range source {
		taken[c] = true
	}
	for i := range cols {
		for taken[cols[i].Name] {
			cols[i].Name = "bedrock_" + cols[i].Name
		}
	}
	return cols
}

// appendResult appends an outcome's values in the order of resultColumns.
func appendResult(vals []any, o *outcome, embedding bool) []any {
	vals = append(vals, o.ID, o.Status())
	if o.Failed || o.Missing {
		vals = append(vals, nil)
	} else {
		vals = append(vals, o.Text)
	}
	if embedding {
		vals = append(vals, o.embedding())
	}
	var code, in, out any
	switch {
	case o.Failed:
		code = o.ErrorCode
	case !o.Missing:
		// A count the family's response does not report stays empty.
		if !o.NoIn {
			in = o.InputTokens
		}
		if !o.NoOut {
			out = o.OutputTokens
		}
	}
	var msg, stop any
	if o.ErrorMessage != "" {
		msg = o.ErrorMessage
	}
	if o.StopReason != "" {
		stop = o.StopReason
	}
	return append(vals, in, out, stop, code, msg)
}

// writeRecords writes one row per record, without source columns.
func writeRecords(ctx context.Context, s *scanner, format table.Format) error {
	embedding, err := peekEmbedding(ctx, s)
	if err != nil {
		return err
	}
	w, err := s.opts.Store.CreateTable(ctx, s.opts.Out, format, resultColumns(nil, embedding))
	if err != nil {
		return err
	}
	var vals []any
	write := func(o outcome) error {
		vals = appendResult(vals[:0], &o, embedding)
		return w.Write(vals)
	}
	err = s.each(ctx, write)
	if err == nil {
		err = s.missing(write)
	}
	if err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// peekEmbedding tells from the first successful record whether the
// results hold embeddings.
func peekEmbedding(ctx context.Context, s *scanner) (bool, error) {
	for _, f := range s.files {
		r, _, err := s.opts.Store.Open(ctx, f.Path)
		if err != nil {
			return false, err
		}
		or := manifest.NewOutputReader(r, f.Path, 0)
		for {
			l, err := or.Next()
			if err != nil {
				r.Close()
				if errors.Is(err, io.EOF) {
					break
				}
				return false, err
			}
			if l.Error == nil {
				r.Close()
				a, err := model.ReadAnswer(l.ModelOutput)
				return err == nil && a.Embeddings != nil, nil
			}
		}
	}
	return false, nil
}

// writeOpenAI writes each record as an OpenAI Batch API output line.
func writeOpenAI(ctx context.Context, s *scanner) error {
	created := time.Now().Unix()
	return writeLines(ctx, s, func(b []byte, o outcome) ([]byte, error) {
		modelID := s.opts.ModelID
		if modelID == "" {
			modelID = o.Model
		}
		if modelID == "" && !o.Failed && !o.Missing {
			return b, fmt.Errorf("%s line %d: record %q: its response does not name its model (only Anthropic's responses do), and OpenAI output bodies need one: give the job's model with --model", o.File, o.Line, o.ID)
		}
		return appendOpenAILine(b, o, modelID, created), nil
	})
}

// writeLines writes one line per input record — answered and errored
// records as the outputs give them, then the missing ones — each made by
// appendLine, to Options.Out; nothing is left of it on an error.
func writeLines(ctx context.Context, s *scanner, appendLine func([]byte, outcome) ([]byte, error)) error {
	f, err := s.opts.Store.Create(ctx, s.opts.Out)
	if err != nil {
		return err
	}
	var buf []byte
	write := func(o outcome) error {
		var err error
		if buf, err = appendLine(buf, o); err != nil {
			return err
		}
		if len(buf) < 256<<10 {
			return nil
		}
		_, err = f.Write(buf)
		buf = buf[:0]
		return err
	}
	err = s.each(ctx, write)
	if err == nil {
		err = s.missing(write)
	}
	if err == nil {
		_, err = f.Write(buf)
	}
	if err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// appendOpenAILine writes {"id", "custom_id", "response": {"status_code",
// "request_id", "body"}, "error": null}. A failed record gets its error
// code as the status and an error body, as OpenAI reports a request the
// endpoint refused.
func appendOpenAILine(b []byte, o outcome, modelID string, created int64) []byte {
	h := fnv.New64a()
	h.Write([]byte(o.ID))
	sum := strconv.FormatUint(h.Sum64(), 16)
	b = append(b, `{"id":"batch_req_`+sum+`","custom_id":`...)
	b = appendJSONString(b, o.ID)
	if o.Missing {
		// A request the batch never ran has no response, only an error
		// (https://platform.openai.com/docs/api-reference/batch/request-output:
		// error.code batch_expired, "The request could not be executed
		// before the completion window ended").
		b = append(b, `,"response":null,"error":{"code":"batch_expired","message":`...)
		b = appendJSONString(b, o.ErrorMessage)
		return append(b, "}}\n"...)
	}
	b = append(b, `,"response":{"status_code":`...)
	if o.Failed {
		b = strconv.AppendInt(b, int64(o.ErrorCode), 10)
	} else {
		b = append(b, "200"...)
	}
	b = append(b, `,"request_id":"req_`+sum+`","body":`...)
	if o.Failed {
		b = append(b, `{"error":{"message":`...)
		b = appendJSONString(b, o.ErrorMessage)
		b = append(b, `,"type":"bedrock_error","code":`...)
		b = appendJSONString(b, strconv.Itoa(o.ErrorCode))
		b = append(b, "}}"...)
	} else {
		b = append(b, model.OpenAIResponseBody(o.answer(), "chatcmpl-"+sum, modelID, created)...)
	}
	return append(b, `},"error":null}`+"\n"...)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
