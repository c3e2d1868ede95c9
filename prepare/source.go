package prepare

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// source yields the records of an input, one emit per record.
type source interface {
	each(ctx context.Context, emit func(id string, body []byte) error, rows *int) error
	close()
}

func openSource(ctx context.Context, store *table.Store, opts Options, id model.ID) (source, string, error) {
	if f := strings.ToLower(opts.Format); f == FormatOpenAI || f == FormatAnthropic {
		if len(opts.Templates) > 0 || opts.TemplateColumn != "" || opts.IDColumn != "" {
			return nil, "", fmt.Errorf("an %s batch file carries its own prompts and custom_id: leave out prompt templates, the template column and the id column", map[string]string{FormatOpenAI: "OpenAI", FormatAnthropic: "Anthropic"}[f])
		}
		r, _, err := store.Open(ctx, opts.Input)
		if err != nil {
			return nil, "", err
		}
		if f == FormatAnthropic {
			return &anthropicSource{r: r, opts: opts, model: id}, FormatAnthropic, nil
		}
		return &openAISource{r: r, opts: opts, model: id, notes: paramNotes{
			clamped: map[string]int{}, ranges: map[string]string{}, dropped: map[string]int{},
		}}, FormatOpenAI, nil
	}
	format, err := table.FormatOf(opts.Input, opts.Format)
	if err != nil {
		return nil, "", err
	}
	if len(opts.Templates) == 0 {
		return nil, "", errors.New("no prompt template: give a prompt (a text/template over the row's columns, e.g. \"Summarize: {{.review}}\") or a prompt file")
	}
	if opts.TemplateColumn != "" && len(opts.Templates) < 2 {
		return nil, "", errors.New("a template column chooses among named prompt templates: give two or more prompt files (each named after its file) or leave the template column out")
	}
	ts, err := compile(opts.Templates)
	if err != nil {
		return nil, "", err
	}
	var system *compiled
	if opts.System != "" {
		s, err := compile([]Template{{Name: "system", Text: opts.System}})
		if err != nil {
			return nil, "", err
		}
		system = &s[0]
	}
	tr, err := store.OpenTable(ctx, opts.Input, format, opts.TempDir)
	if err != nil {
		return nil, "", err
	}
	return &tableSource{r: tr, ts: ts, system: system, opts: opts, model: id}, string(format), nil
}

type tableSource struct {
	r      table.Reader
	ts     []compiled
	system *compiled
	opts   Options
	model  model.ID
}

func (s *tableSource) close() { s.r.Close() }

func (s *tableSource) each(ctx context.Context, emit func(string, []byte) error, rows *int) error {
	var sb strings.Builder
	family := s.model.Family()
	byName := map[string]int{}
	for i, t := range s.ts {
		byName[t.name] = i
	}
	rowErr := func(row table.Row, err error) error {
		return &table.RowError{File: s.opts.Input, Row: row.Index, Line: row.Line, Msg: err.Error()}
	}
	for {
		row, err := s.r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		*rows++
		if *rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		base, err := manifest.RowRecordID(row.Index, row.Values, s.opts.IDColumn)
		if err != nil {
			return rowErr(row, err)
		}
		chosen := s.ts
		if s.opts.TemplateColumn != "" {
			v, ok := row.Values[s.opts.TemplateColumn]
			if !ok {
				return rowErr(row, fmt.Errorf("the row has no column %q to choose its prompt template", s.opts.TemplateColumn))
			}
			i, ok := byName[strings.TrimSpace(valueText(v))]
			if !ok {
				return rowErr(row, fmt.Errorf("column %q names template %q, which is not one of the prompt templates (%s)", s.opts.TemplateColumn, valueText(v), templateNames(s.ts)))
			}
			chosen = s.ts[i : i+1]
		}
		p := model.Prompt{MaxTokens: s.opts.MaxTokens, Temperature: s.opts.Temperature, TopP: s.opts.TopP}
		if s.system != nil {
			if p.System, err = s.system.render(&sb, row.Values, s.r.Columns()); err != nil {
				return rowErr(row, err)
			}
		}
		for i, t := range chosen {
			text, err := t.render(&sb, row.Values, s.r.Columns())
			if err != nil {
				return rowErr(row, err)
			}
			if strings.TrimSpace(text) == "" {
				return rowErr(row, fmt.Errorf("prompt template %q makes an empty prompt for this row: the model would refuse it; fill in the row or filter it out", t.name))
			}
			if family.Embedding() {
				p.Texts, p.Messages = []string{text}, nil
			} else {
				p.Messages = []model.Message{{Role: "user", Text: text}}
			}
			body, err := model.BuildRequest(s.model, s.opts.InvocationType, p)
			if err != nil {
				return rowErr(row, err)
			}
			if err := emit(RecordID(base, i, len(chosen)), body); err != nil {
				return err
			}
		}
		if s.opts.Progress != nil && *rows%1024 == 0 {
			s.opts.Progress(Progress{Phase: "read", Done: int64(*rows), Total: 0})
		}
	}
	return nil
}

func templateNames(ts []compiled) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return strings.Join(names, ", ")
}

type openAISource struct {
	r     io.ReadCloser
	opts  Options
	model model.ID
	notes paramNotes
}

func (s *openAISource) close() { s.r.Close() }

func (s *openAISource) each(ctx context.Context, emit func(string, []byte) error, rows *int) error {
	return eachJSONLine(ctx, s.r, s.opts, rows, func(text []byte, line int) error {
		return s.record(text, line, emit)
	})
}

// eachJSONLine calls fn with each non-blank line of a JSON Lines request
// file and its 1-based number, counting the lines in rows.
func eachJSONLine(ctx context.Context, r io.Reader, opts Options, rows *int, fn func(text []byte, line int) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for line := 1; ; line++ {
		long = long[:0]
		var text []byte
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				long = append(long, chunk...)
				continue
			}
			if len(long) > 0 {
				chunk = append(long, chunk...)
			}
			text = chunk
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", opts.Input, err)
		}
		if t := bytes.TrimSpace(text); len(t) > 0 {
			*rows++
			if err := fn(t, line); err != nil {
				return err
			}
			if *rows%1024 == 0 {
				if opts.Progress != nil {
					opts.Progress(Progress{Phase: "read", Done: int64(*rows)})
				}
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

func (s *openAISource) record(text []byte, line int, emit func(string, []byte) error) error {
	fail := func(err error) error {
		return &table.RowError{File: s.opts.Input, Line: line, Msg: err.Error()}
	}
	req, err := model.ParseOpenAIBatchRequest(text)
	if err != nil {
		return fail(err)
	}
	p, err := req.Prompt()
	if err != nil {
		return fail(err)
	}
	family := s.model.Family()
	if family.Embedding() != (req.URL == model.OpenAIEmbeddingsURL) {
		return fail(fmt.Errorf("%s requests need a model that %s, and %s does not: choose a model for this endpoint", req.URL, map[bool]string{true: "embeds text", false: "generates text"}[req.URL == model.OpenAIEmbeddingsURL], s.opts.ModelID))
	}
	if p.System == "" && !family.Embedding() {
		p.System = s.opts.System
	}
	if p.MaxTokens == 0 {
		p.MaxTokens = s.opts.MaxTokens
	}
	if p.Temperature == nil {
		p.Temperature = s.opts.Temperature
	}
	if p.TopP == nil {
		p.TopP = s.opts.TopP
	}
	if err := s.fitOpenAI(req, &p); err != nil {
		return fail(err)
	}
	body, err := model.BuildRequest(s.model, s.opts.InvocationType, p)
	if err != nil {
		return fail(err)
	}
	return emit(req.CustomID, body)
}
