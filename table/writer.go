package table

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Type is the type of a column written by a Writer.
type Type int

// The column types.
const (
	// Text holds strings. Other values are written as their JSON text.
	Text Type = iota
	// Int holds whole numbers (int, int64).
	Int
	// Floats holds a list of numbers ([]float64): an embedding.
	Floats
)

// Column is a column of a written table.
type Column struct {
	Name string
	Type Type
}

// Writer writes the rows of a table.
type Writer interface {
	// Write writes one row: one value per column, nil for none.
	Write(values []any) error
	// Close finishes the table; the file exists only after it succeeds.
	Close() error
	// Abort discards the table.
	Abort()
}

// parquetRowGroup bounds the rows held in memory before a Parquet row group
// is written out.
const parquetRowGroup = 16 << 10

// CreateTable creates a table with the given columns.
func (s *Store) CreateTable(ctx context.Context, path string, format Format, cols []Column) (Writer, error) {
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.Name] {
			return nil, fmt.Errorf("%s: two columns are named %q", path, c.Name)
		}
		seen[c.Name] = true
	}
	var pw *parquetWriter
	if format == Parquet {
		var err error
		if pw, err = newParquetWriter(cols); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else if format != CSV && format != JSONL {
		return nil, fmt.Errorf("%s: unknown table format %q", path, format)
	}
	f, err := s.Create(ctx, path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	switch format {
	case CSV:
		w := &csvWriter{f: f, bw: bw, w: csv.NewWriter(bw), cols: cols, rec: make([]string, len(cols))}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		if err := w.w.Write(names); err != nil {
			f.Abort()
			return nil, err
		}
		return w, nil
	case JSONL:
		return &jsonlWriter{f: f, bw: bw, cols: cols}, nil
	}
	pw.f, pw.bw = f, bw
	pw.w = parquet.NewGenericWriter[any](bw, pw.schema, parquet.MaxRowsPerRowGroup(parquetRowGroup))
	return pw, nil
}

// text formats a value of a Text column.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case []byte:
		return string(x), true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v), true
	}
	return string(b), true
}

func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	}
	return 0, false
}

type csvWriter struct {
	f    File
	bw   *bufio.Writer
	w    *csv.Writer
	cols []Column
	rec  []string
}

func (c *csvWriter) Write(values []any) error {
	for i, col := range c.cols {
		c.rec[i] = ""
		switch col.Type {
		case Int:
			if n, ok := integer(values[i]); ok {
				c.rec[i] = strconv.FormatInt(n, 10)
			}
		case Floats:
			if v, ok := values[i].([]float64); ok && v != nil {
				c.rec[i] = string(appendFloats(nil, v))
			}
		default:
			c.rec[i], _ = text(values[i])
		}
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		c.f.Abort()
		return err
	}
	if err := c.bw.Flush(); err != nil {
		c.f.Abort()
		return err
	}
	return c.f.Close()
}

func (c *csvWriter) Abort() { c.f.Abort() }

func appendFloats(b []byte, v []float64) []byte {
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return append(b, ']')
}

type jsonlWriter struct {
	f    File
	bw   *bufio.Writer
	cols []Column
	buf  []byte
}

func (j *jsonlWriter) Write(values []any) error {
	b := append(j.buf[:0], '{')
	for i, col := range j.cols {
		if i > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(col.Name)
		b = append(b, name...)
		b = append(b, ':')
		v := values[i]
		switch {
		case v == nil:
			b = append(b, "null"...)
		case col.Type == Floats:
			f, _ := v.([]float64)
			b = appendFloats(b, f)
		default:
			if n, ok := integer(v); ok {
				b = strconv.AppendInt(b, n, 10)
				break
			}
			if num, ok := v.(json.Number); ok {
				b = append(b, num...)
				break
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("column %s: %w", col.Name, err)
			}
			b = append(b, raw...)
		}
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.bw.Write(b)
	return err
}

func (j *jsonlWriter) Close() error {
	if err := j.bw.Flush(); err != nil {
		j.f.Abort()
		return err
	}
	return j.f.Close()
}

func (j *jsonlWriter) Abort() { j.f.Abort() }

// parquetWriter writes rows through a struct type made for the columns, so
// the file keeps the columns' order and types: optional strings and
// integers, and lists of doubles.
type parquetWriter struct {
	f      File
	bw     *bufio.Writer
	w      *parquet.GenericWriter[any]
	cols   []Column
	typ    reflect.Type
	schema *parquet.Schema
}

var (
	stringPtr = reflect.TypeFor[*string]()
	int64Ptr  = reflect.TypeFor[*int64]()
	floatList = reflect.TypeFor[[]float64]()
)

func newParquetWriter(cols []Column) (*parquetWriter, error) {
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		if c.Name == "" || strings.ContainsAny(c.Name, ",\"`") {
			return nil, fmt.Errorf("column name %q cannot be written to Parquet: rename the column without commas or quotes", c.Name)
		}
		f := reflect.StructField{Name: fmt.Sprintf("C%d", i)}
		switch c.Type {
		case Int:
			f.Type, f.Tag = int64Ptr, reflect.StructTag(`parquet:"`+c.Name+`,optional"`)
		case Floats:
			f.Type, f.Tag = floatList, reflect.StructTag(`parquet:"`+c.Name+`,list"`)
		default:
			f.Type, f.Tag = stringPtr, reflect.StructTag(`parquet:"`+c.Name+`,optional"`)
		}
		fields[i] = f
	}
	typ := reflect.StructOf(fields)
	return &parquetWriter{cols: cols, typ: typ, schema: parquet.SchemaOf(reflect.New(typ).Interface())}, nil
}

func (p *parquetWriter) Write(values []any) error {
	row := reflect.New(p.typ)
	s := row.Elem()
	for i, col := range p.cols {
		switch col.Type {
		case Int:
			if n, ok := integer(values[i]); ok {
				s.Field(i).Set(reflect.ValueOf(&n))
			}
		case Floats:
			if v, ok := values[i].([]float64); ok {
				s.Field(i).Set(reflect.ValueOf(v))
			}
		default:
			if t, ok := text(values[i]); ok {
				s.Field(i).Set(reflect.ValueOf(&t))
			}
		}
	}
	_, err := p.w.Write([]any{row.Interface()})
	return err
}

func (p *parquetWriter) Close() error {
	if err := p.w.Close(); err != nil {
		p.f.Abort()
		return err
	}
	if err := p.bw.Flush(); err != nil {
		p.f.Abort()
		return err
	}
	return p.f.Close()
}

func (p *parquetWriter) Abort() { p.f.Abort() }
