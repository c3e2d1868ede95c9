// Package results reads the output of Bedrock batch jobs (.jsonl.out files
// in a directory or under an s3:// prefix) and turns it into something a
// user can use: a table (CSV, JSON Lines or Parquet) with each record's
// text or embedding, token counts and error, joined to the rows of the
// table the records were prepared from; or OpenAI Batch API output lines;
// and a manifest of the failed records to run again.
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
	"strconv"
	"strings"

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
	// Format is csv, jsonl, parquet or openai.
	Format string
	// Failed is a directory or s3:// prefix where a manifest of the failed
	// records (failed.jsonl) is written, to run them again; nothing is
	// written when no record failed.
	Failed string
	// ModelID is reported as the model of OpenAI output bodies.
	ModelID string
	// TempDir holds the partition files; default the system's.
	TempDir string
	// Store reads and writes the files; nil uses a default Store.
	Store *table.Store
	// Progress, when set, is told the bytes of output read.
	Progress func(done, total int64)
}

// Result says what Run did.
type Result struct {
	Files        int    `json:"files"`
	Records      int    `json:"records"`
	Succeeded    int    `json:"succeeded"`
	Failed       int    `json:"failed"`
	InputTokens  int64  `json:"inputTokens"`
	OutputTokens int64  `json:"outputTokens"`
	Rows         int    `json:"rows,omitempty"`
	Missing      int    `json:"missing,omitempty"`
	Orphans      int    `json:"orphans,omitempty"`
	Out          string `json:"out"`
	Format       string `json:"format"`
	FailedFile   string `json:"failedFile,omitempty"`
}

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
	openai := strings.EqualFold(opts.Format, FormatOpenAI)
	var format table.Format
	if openai {
		res.Format = FormatOpenAI
		if opts.Join != "" {
			return res, errors.New("OpenAI output lines carry each record's custom_id and need no join: leave out the source table")
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
	if len(files) == 0 {
		return res, fmt.Errorf("no .jsonl.out files under %s: give the jobs' output location (s3://bucket/output/<job name>/ on AWS, or its copy under the local cloud's data directory)", opts.Outputs)
	}
	res.Files = len(files)
	scan := &scanner{opts: opts, files: files, res: &res}
	if opts.Failed != "" {
		res.FailedFile = table.Join(opts.Failed, "failed.jsonl")
		f, err := store.Create(ctx, res.FailedFile)
		if err != nil {
			return res, err
		}
		scan.failed = f
		defer func() {
			if scan.failed != nil {
				scan.failed.Abort()
			}
		}()
	}
	switch {
	case openai:
		err = writeOpenAI(ctx, scan)
	case opts.Join == "":
		err = writeRecords(ctx, scan, format)
	default:
		err = join(ctx, scan, format)
	}
	if err != nil {
		return res, err
	}
	if scan.failed != nil && res.Failed == 0 {
		scan.failed.Abort()
		scan.failed, res.FailedFile = nil, ""
	}
	if scan.failed != nil {
		if _, err := scan.failed.Write(scan.failedBuf); err != nil {
			return res, err
		}
		err := scan.failed.Close()
		scan.failed = nil
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// scanner reads every output line once, counting, writing the failed
// records' manifest, and handing each outcome on.
type scanner struct {
	opts      Options
	files     []table.Object
	res       *Result
	failed    table.File
	failedBuf []byte
	embedding bool // an outcome had an embedding
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
				if o.Failed && s.failed != nil {
					if err := s.writeFailed(l); err != nil {
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

func (s *scanner) writeFailed(l manifest.OutputLine) error {
	s.failedBuf = manifest.AppendInputLine(s.failedBuf, manifest.Record{RecordID: l.RecordID, ModelInput: l.ModelInput})
	if len(s.failedBuf) < 256<<10 {
		return nil
	}
	_, err := s.failed.Write(s.failedBuf)
	s.failedBuf = s.failedBuf[:0]
	return err
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
	cols := []table.Column{{Name: "record_id"}, {Name: "output"}}
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
	if o == nil {
		vals = append(vals, nil, nil)
		if embedding {
			vals = append(vals, nil)
		}
		return append(vals, nil, nil, nil, nil, nil)
	}
	vals = append(vals, o.ID)
	if o.Failed {
		vals = append(vals, nil)
	} else {
		vals = append(vals, o.Text)
	}
	if embedding {
		vals = append(vals, o.embedding())
	}
	var code, in, out any
	if o.Failed {
		code = o.ErrorCode
	} else {
		in, out = o.InputTokens, o.OutputTokens
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
	err = s.each(ctx, func(o outcome) error {
		vals = appendResult(vals[:0], &o, embedding)
		return w.Write(vals)
	})
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
	f, err := s.opts.Store.Create(ctx, s.opts.Out)
	if err != nil {
		return err
	}
	var buf []byte
	err = s.each(ctx, func(o outcome) error {
		buf = appendOpenAILine(buf, o, s.opts.ModelID)
		if len(buf) < 256<<10 {
			return nil
		}
		_, err := f.Write(buf)
		buf = buf[:0]
		return err
	})
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
func appendOpenAILine(b []byte, o outcome, modelID string) []byte {
	h := fnv.New64a()
	h.Write([]byte(o.ID))
	sum := strconv.FormatUint(h.Sum64(), 16)
	b = append(b, `{"id":"batch_req_`+sum+`","custom_id":`...)
	b = appendJSONString(b, o.ID)
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
		b = append(b, model.OpenAIResponseBody(o.answer(), "chatcmpl-"+sum, modelID, 0)...)
	}
	return append(b, `},"error":null}`+"\n"...)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
