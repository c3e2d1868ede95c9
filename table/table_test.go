package table_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/table"
)

var cols = []table.Column{{Name: "id", Type: table.Text}, {Name: "n", Type: table.Int}, {Name: "vec", Type: table.Floats}, {Name: "note", Type: table.Text}}

var rows = [][]any{
	{"a", 1, []float64{0.5, -1}, "hello, \"world\"\nsecond line"},
	{"b", nil, nil, nil},
	{"c", int64(3), []float64{}, "ünïcode"},
}

func writeAll(t *testing.T, s *table.Store, path string, f table.Format) {
	t.Helper()
	w, err := s.CreateTable(context.Background(), path, f, cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, s *table.Store, path string, f table.Format) ([]string, []table.Row) {
	t.Helper()
	r, err := s.OpenTable(context.Background(), path, f, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []table.Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	return r.Columns(), out
}

func checkRoundTrip(t *testing.T, s *table.Store, path string, f table.Format) {
	t.Helper()
	writeAll(t, s, path, f)
	gotCols, got := readAll(t, s, path, f)
	if !reflect.DeepEqual(gotCols, []string{"id", "n", "vec", "note"}) {
		t.Errorf("%s: columns %v", f, gotCols)
	}
	if len(got) != len(rows) {
		t.Fatalf("%s: %d rows, want %d", f, len(got), len(rows))
	}
	for i, r := range got {
		if r.Index != i+1 {
			t.Errorf("%s: row %d has index %d", f, i+1, r.Index)
		}
		if id := r.Values["id"]; id != rows[i][0] {
			t.Errorf("%s row %d: id %v, want %v", f, i+1, id, rows[i][0])
		}
	}
	if note := got[0].Values["note"]; note != rows[0][3] {
		t.Errorf("%s: note %q, want %q", f, note, rows[0][3])
	}
	if n := got[2].Values["n"]; !strings.Contains(strings.TrimSpace(toString(n)), "3") {
		t.Errorf("%s: n of row 3 is %v", f, n)
	}
	if v := got[1].Values["note"]; v != nil && v != "" {
		t.Errorf("%s: a missing note reads as %v", f, v)
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		b, _ := jsonMarshal(x)
		return b
	}
}

func TestRoundTripLocal(t *testing.T) {
	dir := t.TempDir()
	s := &table.Store{}
	for _, f := range []table.Format{table.CSV, table.JSONL, table.Parquet} {
		checkRoundTrip(t, s, filepath.Join(dir, "sub", "t."+string(f)), f)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "sub", ".*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestRoundTripS3(t *testing.T) {
	cloudtest.S3Env(t, "tables")
	s := &table.Store{}
	for _, f := range []table.Format{table.CSV, table.JSONL, table.Parquet} {
		checkRoundTrip(t, s, "s3://tables/in/t."+string(f), f)
	}
	objs, err := s.List(context.Background(), "s3://tables/in", ".csv", ".parquet")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].Path != "s3://tables/in/t.csv" || objs[0].Size == 0 {
		t.Errorf("list: %+v", objs)
	}
	if objs, _ := s.List(context.Background(), "s3://tables/i", ".csv"); len(objs) != 0 {
		t.Errorf("prefix s3://tables/i matched %+v: a prefix names whole segments", objs)
	}
	if _, _, err := s.Open(context.Background(), "s3://tables/missing.csv"); !table.ErrNotFound(err) {
		t.Errorf("missing object: %v", err)
	}
}

func TestCSVErrorsNameLineAndFix(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		body, want string
	}{
		{"a,b\n1,2\n3\n", "t.csv:3 (row 2): the row has a different number of fields"},
		{"a,a\n1,2\n", `t.csv:1: columns 1 and 2 are both named "a"`},
		{"a,b\n1,\"x\"y\"\n", "t.csv:2 (row 1):"},
		{"", "the file is empty"},
	} {
		p := filepath.Join(dir, "t.csv")
		os.WriteFile(p, []byte(tc.body), 0o644)
		s := &table.Store{}
		r, err := s.OpenTable(context.Background(), p, table.CSV, "")
		if err == nil {
			for err == nil {
				_, err = r.Next()
			}
			r.Close()
		}
		if err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.body, err, tc.want)
		}
	}
}

func TestJSONLKeepsColumnOrderAndNamesBadLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.jsonl")
	os.WriteFile(p, []byte("{\"z\":1,\"a\":\"x\"}\n\n{\"a\":\"y\",\"m\":[1,2]}\n[1]\n"), 0o644)
	r, err := (&table.Store{}).OpenTable(context.Background(), p, table.JSONL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first, _ := r.Next()
	second, _ := r.Next()
	_, err = r.Next()
	if !reflect.DeepEqual(r.Columns(), []string{"z", "a", "m"}) {
		t.Errorf("columns %v", r.Columns())
	}
	if first.Line != 1 || second.Line != 3 || second.Index != 2 {
		t.Errorf("lines %d, %d; index %d", first.Line, second.Line, second.Index)
	}
	if err == nil || !strings.Contains(err.Error(), "t.jsonl:4 (row 3): the line is not a JSON object") {
		t.Errorf("error %v", err)
	}
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]table.Format{"a.CSV": table.CSV, "s3://b/k.ndjson": table.JSONL, "x.parquet": table.Parquet} {
		if f, err := table.FormatOf(in, ""); err != nil || f != want {
			t.Errorf("%s: %v %v", in, f, err)
		}
	}
	if _, err := table.FormatOf("a.txt", ""); err == nil || !strings.Contains(err.Error(), ".csv, .jsonl or .parquet") {
		t.Errorf("a.txt: %v", err)
	}
}

func TestParquetManyRowGroups(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.parquet")
	s := &table.Store{}
	w, err := s.CreateTable(context.Background(), p, table.Parquet, []table.Column{{Name: "n", Type: table.Int}, {Name: "s", Type: table.Text}})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 40_000
	for i := 1; i <= rows; i++ {
		if err := w.Write([]any{i, fmt.Sprint("row ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, got := readAll(t, s, p, table.Parquet)
	if len(got) != rows {
		t.Fatalf("%d rows, want %d", len(got), rows)
	}
	for _, i := range []int{0, 16383, 16384, rows - 1} {
		if got[i].Values["s"] != fmt.Sprint("row ", i+1) || got[i].Index != i+1 {
			t.Errorf("row %d: %v", i+1, got[i])
		}
	}
}
