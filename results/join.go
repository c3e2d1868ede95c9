package results

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// partitionBytes is about how much output one partition of the join holds.
var partitionBytes int64 = 64 << 20

// maxPartitions bounds the files open at once.
const maxPartitions = 256

// srcRow is a source row in a partition file.
type srcRow struct {
	N    int    `json:"n"`
	Line int    `json:"l,omitempty"`
	ID   string `json:"i"`
	// V holds the row's values in the order of the table's columns as
	// known when the row was read (JSON Lines tables only add columns).
	V []any `json:"v"`
}

// joined is a source row with its records' outcomes, in a joined partition
// file; N is 0 for records of no source row.
type joined struct {
	N  int       `json:"n"`
	ID string    `json:"i"`
	V  []any     `json:"v,omitempty"`
	O  []outcome `json:"o,omitempty"`
}

// joinKey is the id both sides are partitioned by: every -NNN suffix
// removed, so a row and all its templates' records meet.
func joinKey(id string) string {
	for {
		base, ok := stripSuffix(id)
		if !ok {
			return id
		}
		id = base
	}
}

// templateCount is how many records each row made: as given, or the most
// -NNN records one row took in the join (ids that merely end in digits,
// such as sku-123, never count: only records a row took by its base id).
func (s *scanner) templateCount() int {
	if s.opts.Templates > 0 {
		return s.opts.Templates
	}
	return s.templates
}

// fillTemplates adds a missing outcome for each of a row's n template
// records that has none (a row whose records partly came back), in
// template order, counting them in missing. Rows of one record are left
// as they are.
func fillTemplates(j *joined, n int, missing *int) []outcome {
	if n <= 1 {
		return j.O
	}
	have := make(map[string]outcome, len(j.O))
	for _, o := range j.O {
		have[o.ID] = o
	}
	out := make([]outcome, 0, n)
	for k := 1; k <= n; k++ {
		id := fmt.Sprintf("%s-%03d", j.ID, k)
		if o, ok := have[id]; ok {
			out = append(out, o)
			delete(have, id)
			continue
		}
		*missing++
		out = append(out, outcome{ID: id, Missing: true, ErrorMessage: missingReason})
	}
	for _, o := range j.O {
		if _, left := have[o.ID]; left {
			out = append(out, o)
		}
	}
	return out
}

// stripSuffix removes one -NNN template suffix.
func stripSuffix(id string) (string, bool) {
	n := len(id)
	if n < 5 || id[n-4] != '-' {
		return id, false
	}
	for _, c := range id[n-3:] {
		if c < '0' || c > '9' {
			return id, false
		}
	}
	return id[:n-4], true
}

type partitions struct {
	files []*os.File
	ws    []*bufio.Writer
}

func newPartitions(dir, name string, n int) (*partitions, error) {
	p := &partitions{}
	for i := 0; i < n; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%03d.jsonl", name, i)))
		if err != nil {
			p.close()
			return nil, err
		}
		p.files = append(p.files, f)
		p.ws = append(p.ws, bufio.NewWriterSize(f, 64<<10))
	}
	return p, nil
}

func (p *partitions) of(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(p.ws)))
}

func (p *partitions) write(i int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w := p.ws[i]
	w.Write(b)
	return w.WriteByte('\n')
}

func (p *partitions) close() error {
	var first error
	for i, f := range p.files {
		if err := p.ws[i].Flush(); err != nil && first == nil {
			first = err
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (p *partitions) path(i int) string { return p.files[i].Name() }

// eachLine decodes the JSON lines of a partition file into fresh values.
func eachLine[T any](path string, fn func(*T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 256<<10))
	dec.UseNumber()
	for {
		v := new(T)
		if err := dec.Decode(v); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("partition file %s: %w", path, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
}

func join(ctx context.Context, s *scanner, format table.Format, tmp string) error {
	var total int64
	for _, f := range s.files {
		total += f.Size
	}
	n := partitionCount(total)

	outs, err := newPartitions(tmp, "out", n)
	if err != nil {
		return err
	}
	fileIndex := map[string]int{}
	for i, f := range s.files {
		fileIndex[f.Path] = i
	}
	write := func(o outcome) error {
		return outs.write(outs.of(joinKey(o.ID)), struct {
			outcome
			F int `json:"fi"`
		}{o, fileIndex[o.File]})
	}
	err = s.each(ctx, write)
	if err == nil {
		err = s.missing(write)
	}
	if cerr := outs.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	srcs, columns, err := partitionSource(ctx, s, tmp, n)
	if err != nil {
		return err
	}
	joinedParts := make([]string, n)
	orphans, err := newPartitions(tmp, "orphans", 1)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if joinedParts[i], err = joinPartition(s, outs.path(i), srcs.path(i), tmp, i, orphans); err != nil {
			orphans.close()
			return err
		}
		os.Remove(outs.path(i))
		os.Remove(srcs.path(i))
	}
	if err := orphans.close(); err != nil {
		return err
	}

	cols := make([]table.Column, 0, len(columns)+8)
	for _, c := range columns {
		cols = append(cols, table.Column{Name: c})
	}
	cols = append(cols, resultColumns(columns, s.embedding)...)
	w, err := s.opts.Store.CreateTable(ctx, s.opts.Out, format, cols)
	if err != nil {
		return err
	}
	vals := make([]any, 0, len(cols))
	emit := func(j *joined) error {
		base := vals[:0]
		for i := range columns {
			if i < len(j.V) {
				base = append(base, j.V[i])
			} else {
				base = append(base, nil)
			}
		}
		switch {
		case len(j.O) == 0 && s.templateCount() <= 1:
			s.res.Missing++
			row := appendResult(base, &outcome{ID: j.ID, Missing: true, ErrorMessage: missingReason}, s.embedding)
			return w.Write(row)
		case j.N > 0:
			j.O = fillTemplates(j, s.templateCount(), &s.res.Missing)
		}
		for k := range j.O {
			if err := w.Write(appendResult(base, &j.O[k], s.embedding)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := mergeJoined(joinedParts, emit); err != nil {
		w.Abort()
		return err
	}
	err = eachLine(orphans.path(0), func(j *joined) error {
		s.res.Orphans++
		return emit(j)
	})
	if err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// partitionSource spreads the source table's rows over partition files by
// record id and returns the table's columns.
func partitionSource(ctx context.Context, s *scanner, tmp string, n int) (*partitions, []string, error) {
	format, err := table.FormatOf(s.opts.Join, s.opts.JoinFormat)
	if err != nil {
		return nil, nil, err
	}
	tr, err := s.opts.Store.OpenTable(ctx, s.opts.Join, format, tmp)
	if err != nil {
		return nil, nil, err
	}
	defer tr.Close()
	srcs, err := newPartitions(tmp, "src", n)
	if err != nil {
		return nil, nil, err
	}
	var vals []any
	for {
		row, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			srcs.close()
			return nil, nil, err
		}
		id, err := manifest.RowRecordID(row.Index, row.Values, s.opts.IDColumn)
		if err != nil {
			srcs.close()
			return nil, nil, &table.RowError{File: s.opts.Join, Row: row.Index, Line: row.Line, Msg: err.Error()}
		}
		s.res.Rows++
		vals = vals[:0]
		for _, c := range tr.Columns() {
			vals = append(vals, row.Values[c])
		}
		if err := srcs.write(srcs.of(joinKey(id)), srcRow{N: row.Index, Line: row.Line, ID: id, V: vals}); err != nil {
			srcs.close()
			return nil, nil, err
		}
	}
	return srcs, tr.Columns(), srcs.close()
}

// joinPartition joins one partition in memory: its outcomes by id, then
// its source rows in order, each taking its records. It writes the joined
// rows to a file and the outcomes no row took to orphans.
func joinPartition(s *scanner, outPath, srcPath, tmp string, i int, orphans *partitions) (string, error) {
	type held struct {
		outcome
		F     int `json:"fi"`
		taken bool
	}
	byID := map[string]*held{}
	group := map[string][]string{}
	err := eachLine(outPath, func(h *held) error {
		h.File = s.files[h.F].Path
		if prev, dup := byID[h.ID]; dup {
			return fmt.Errorf("record %q is in two output lines (%s line %d and %s line %d): the outputs of different runs are mixed; give the output location of one run", h.ID, prev.File, prev.Line, h.File, h.Line)
		}
		byID[h.ID] = h
		if base, ok := stripSuffix(h.ID); ok && s.opts.Templates != 1 {
			group[base] = append(group[base], h.ID)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(tmp, fmt.Sprintf("joined-%03d.jsonl", i))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	seen := map[string]int{}
	err = eachLine(srcPath, func(r *srcRow) error {
		if first, dup := seen[r.ID]; dup {
			return fmt.Errorf("%s: rows %d and %d have the same record id %q: ids must be unique; give --id-column a column of unique values", s.opts.Join, first, r.N, r.ID)
		}
		seen[r.ID] = r.N
		j := joined{N: r.N, ID: r.ID, V: r.V}
		if h, ok := byID[r.ID]; ok && !h.taken && s.opts.Templates <= 1 {
			h.taken = true
			j.O = append(j.O, h.outcome)
		}
		if len(j.O) == 0 && s.opts.Templates != 1 {
			ids := group[r.ID]
			sort.Strings(ids)
			for _, id := range ids {
				if h := byID[id]; !h.taken {
					h.taken = true
					j.O = append(j.O, h.outcome)
				}
			}
			s.templates = max(s.templates, len(j.O))
		}
		b, err := json.Marshal(j)
		if err != nil {
			return err
		}
		w.Write(b)
		return w.WriteByte('\n')
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	left := make([]*held, 0)
	for _, h := range byID {
		if !h.taken {
			left = append(left, h)
		}
	}
	sort.Slice(left, func(a, b int) bool { return left[a].ID < left[b].ID })
	for _, h := range left {
		if err := orphans.write(0, joined{ID: h.ID, O: []outcome{h.outcome}}); err != nil {
			return "", err
		}
	}
	return path, nil
}

// mergeJoined reads the joined partitions back in source row order.
func mergeJoined(paths []string, emit func(*joined) error) error {
	h := &joinHeap{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
		dec.UseNumber()
		c := &cursor{dec: dec, path: p}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Push(h, c)
		}
	}
	for h.Len() > 0 {
		c := (*h)[0]
		if err := emit(c.cur); err != nil {
			return err
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

type cursor struct {
	dec  *json.Decoder
	path string
	cur  *joined
}

func (c *cursor) next() (bool, error) {
	j := new(joined)
	if err := c.dec.Decode(j); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("partition file %s: %w", c.path, err)
	}
	c.cur = j
	return true, nil
}

type joinHeap []*cursor

func (h joinHeap) Len() int           { return len(h) }
func (h joinHeap) Less(i, j int) bool { return h[i].cur.N < h[j].cur.N }
func (h joinHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *joinHeap) Push(x any)        { *h = append(*h, x.(*cursor)) }
func (h *joinHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
