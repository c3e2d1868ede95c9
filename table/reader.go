package table

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// Row is one row of a table.
type Row struct {
	// Index is the row's 1-based number among the data rows.
	Index int
	// Line is the line the row starts on, 0 for Parquet.
	Line int
	// Values maps column names to values: strings for CSV; strings,
	// json.Number, bool, nil, maps and slices for JSON Lines; the column's
	// Go value for Parquet.
	Values map[string]any
}

// Reader streams the rows of a table.
type Reader interface {
	// Columns lists the column names in the table's order. For JSON Lines
	// it grows as rows bring new members; it is complete at io.EOF.
	Columns() []string
	// Next returns the next row, or io.EOF after the last. A malformed
	// row is a *RowError.
	Next() (Row, error)
	Close() error
}

// OpenTable opens a table for reading. name is the file's name in errors
// (the path when empty); tmp is where an S3 Parquet file is copied ("" for
// the system's temporary directory).
func (s *Store) OpenTable(ctx context.Context, path string, format Format, tmp string) (Reader, error) {
	switch format {
	case CSV, JSONL:
		r, _, err := s.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		if r, err = decoded(r, s.Encoding); err != nil {
			return nil, err
		}
		if format == CSV {
			return newCSVReader(r, path)
		}
		return &jsonlReader{closer: r, br: bufio.NewReaderSize(r, 256<<10), file: path}, nil
	case Parquet:
		if s.Encoding != "" {
			return nil, fmt.Errorf("%s: Parquet strings are UTF-8 by the format's definition: leave out the encoding", path)
		}
		local, cleanup, err := s.LocalCopy(ctx, path, tmp)
		if err != nil {
			return nil, err
		}
		r, err := newParquetReader(local, path)
		if err != nil {
			cleanup()
			return nil, err
		}
		r.cleanup = cleanup
		return r, nil
	}
	return nil, fmt.Errorf("%s: unknown table format %q", path, format)
}

type csvReader struct {
	closer io.Closer
	r      *csv.Reader
	file   string
	cols   []string
	n      int
}

func newCSVReader(rc io.ReadCloser, file string) (*csvReader, error) {
	br := bufio.NewReaderSize(rc, 256<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		rc.Close()
		if errors.Is(err, io.EOF) {
			return nil, &RowError{File: file, Msg: "the file is empty: a CSV table starts with a header line naming its columns"}
		}
		return nil, &RowError{File: file, Line: 1, Msg: fmt.Sprintf("cannot read the header line: %v", csvCause(err))}
	}
	cols := make([]string, len(header))
	seen := map[string]int{}
	for i, h := range header {
		if h == "" {
			rc.Close()
			return nil, &RowError{File: file, Line: 1, Msg: fmt.Sprintf("column %d of the header has no name: name every column", i+1)}
		}
		if j, dup := seen[h]; dup {
			rc.Close()
			return nil, &RowError{File: file, Line: 1, Msg: fmt.Sprintf("columns %d and %d are both named %q: give each column its own name", j+1, i+1, h)}
		}
		seen[h] = i
		cols[i] = h
	}
	return &csvReader{closer: rc, r: r, file: file, cols: cols}, nil
}

func csvCause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (c *csvReader) Columns() []string { return c.cols }
func (c *csvReader) Close() error      { return c.closer.Close() }

func (c *csvReader) Next() (Row, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.n++
			msg := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				msg = fmt.Sprintf("the row has a different number of fields than the header's %d: quote fields that hold commas, or add the missing fields", len(c.cols))
			} else if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				msg += `: a field holding quotes must be quoted as a whole, with each quote doubled ("")`
			}
			return Row{}, &RowError{File: c.file, Row: c.n, Line: pe.StartLine, Msg: msg}
		}
		return Row{}, fmt.Errorf("read %s: %w", c.file, err)
	}
	c.n++
	line, _ := c.r.FieldPos(0)
	vals := make(map[string]any, len(c.cols))
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return Row{}, &RowError{File: c.file, Row: c.n, Line: line, Msg: notUTF8(fmt.Sprintf("column %q", c.cols[i]), v)}
		}
		vals[c.cols[i]] = v
	}
	return Row{Index: c.n, Line: line, Values: vals}, nil
}

type jsonlReader struct {
	closer io.Closer
	br     *bufio.Reader
	file   string
	cols   []string
	known  map[string]bool
	line   int
	n      int
	long   []byte
}

func (j *jsonlReader) Columns() []string { return j.cols }
func (j *jsonlReader) Close() error      { return j.closer.Close() }

// maxLine bounds one JSON Lines row.
const maxLine = 32 << 20

func (j *jsonlReader) readLine() ([]byte, error) {
	j.long = j.long[:0]
	for {
		chunk, err := j.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			j.long = append(j.long, chunk...)
			if len(j.long) > maxLine {
				return nil, fmt.Errorf("line is longer than %d bytes", maxLine)
			}
			continue
		}
		if len(j.long) > 0 {
			chunk = append(j.long, chunk...)
		}
		if err != nil && !(errors.Is(err, io.EOF) && len(chunk) > 0) {
			return nil, err
		}
		j.line++
		return bytes.TrimRight(chunk, "\r\n"), nil
	}
}

func (j *jsonlReader) Next() (Row, error) {
	for {
		line, err := j.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Row{}, io.EOF
			}
			return Row{}, &RowError{File: j.file, Row: j.n + 1, Line: j.line + 1, Msg: err.Error()}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		j.n++
		if !utf8.Valid(line) {
			return Row{}, &RowError{File: j.file, Row: j.n, Line: j.line, Msg: notUTF8("the line", string(line))}
		}
		vals, err := j.parse(bytes.TrimSpace(line))
		if err != nil {
			return Row{}, &RowError{File: j.file, Row: j.n, Line: j.line, Msg: err.Error()}
		}
		return Row{Index: j.n, Line: j.line, Values: vals}, nil
	}
}

// parse reads one object, keeping the order in which members first appear
// as the column order.
func (j *jsonlReader) parse(line []byte) (map[string]any, error) {
	if line[0] != '{' || !jsonscan.Valid(line) {
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v; each line must be one JSON object", err)
		}
		return nil, fmt.Errorf("the line is not a JSON object; each line must be one object of column: value")
	}
	d := jsonscan.NewDecoder(line)
	d.BeginObject()
	vals := map[string]any{}
	for d.NextMember() {
		k, escaped, _ := d.Key()
		key := jsonscan.Unquote(k, escaped)
		raw, _ := d.Skip()
		v, err := jsonValue(raw)
		if err != nil {
			return nil, fmt.Errorf("member %q: %v", key, err)
		}
		vals[key] = v
		if !j.known[key] {
			if j.known == nil {
				j.known = map[string]bool{}
			}
			j.known[key] = true
			j.cols = append(j.cols, key)
		}
	}
	return vals, nil
}

// jsonValue decodes one JSON value, keeping numbers as written.
func jsonValue(raw []byte) (any, error) {
	switch raw[0] {
	case '"':
		text := raw[1 : len(raw)-1]
		return jsonscan.Unquote(text, bytes.IndexByte(text, '\\') >= 0), nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case 'n':
		return nil, nil
	case '{', '[':
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		err := dec.Decode(&v)
		return v, err
	}
	return json.Number(raw), nil
}

type parquetReader struct {
	f       *os.File
	r       *parquet.GenericReader[map[string]any]
	file    string
	cols    []string
	n       int
	cleanup func()
	buf     []map[string]any // rows read ahead
	next    int              // index of the next row of buf to return
}

func newParquetReader(local, file string) (*parquetReader, error) {
	f, err := os.Open(local)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, &RowError{File: file, Msg: fmt.Sprintf("not a readable Parquet file: %v", err)}
	}
	var cols []string
	for _, field := range pf.Schema().Fields() {
		cols = append(cols, field.Name())
	}
	return &parquetReader{f: f, r: parquet.NewGenericReader[map[string]any](pf, pf.Schema()), file: file, cols: cols}, nil
}

func (p *parquetReader) Columns() []string { return p.cols }

func (p *parquetReader) Close() error {
	err := p.r.Close()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if p.cleanup != nil {
		p.cleanup()
	}
	return err
}

// parquetBatch is how many rows a Parquet reader reads at once.
const parquetBatch = 128

func (p *parquetReader) Next() (Row, error) {
	if p.next == len(p.buf) {
		if p.buf == nil {
			p.buf = make([]map[string]any, parquetBatch)
		}
		p.buf = p.buf[:parquetBatch]
		for i := range p.buf {
			p.buf[i] = map[string]any{}
		}
		n, err := p.r.Read(p.buf)
		p.buf, p.next = p.buf[:n], 0
		if n == 0 {
			if err == nil || errors.Is(err, io.EOF) {
				return Row{}, io.EOF
			}
			return Row{}, &RowError{File: p.file, Row: p.n + 1, Msg: fmt.Sprintf("cannot read the row: %v", err)}
		}
	}
	vals := p.buf[p.next]
	p.next++
	p.n++
	for k, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[k] = string(b)
		}
	}
	return Row{Index: p.n, Values: vals}, nil
}
