package manifest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestForEachMatchesNext(t *testing.T) {
	input := jsonl(2000) + "\n\n" + "oops\n" + `{"modelInput":{"x":1}}` + "\n" +
		`{"recordId":"big","modelInput":{"t":"` + strings.Repeat("z", 5000) + `"}}` + "\n" + jsonl(700)
	type item struct {
		id   string
		line int
		end  int64
		err  string
	}
	collect := func(parallel int) []item {
		var out []item
		err := NewReader(strings.NewReader(input), "f", 4000).ForEach(parallel, func(rec Record, err error) error {
			it := item{id: rec.RecordID, line: rec.Line, end: rec.End}
			if err != nil {
				it.err = err.Error()
			}
			out = append(out, it)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var want []item
	rd := NewReader(strings.NewReader(input), "f", 4000)
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		it := item{id: rec.RecordID, line: rec.Line, end: rec.End}
		if err != nil {
			it.err = err.Error()
		}
		want = append(want, it)
	}
	for _, p := range []int{1, 2, 8} {
		got := collect(p)
		if len(got) != len(want) || len(got) != 2703 {
			t.Fatalf("parallel %d: %d items, want %d", p, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("parallel %d, item %d: %+v, want %+v", p, i, got[i], want[i])
			}
		}
	}
}

func TestForEachStopsOnError(t *testing.T) {
	stop := errors.New("enough")
	for _, p := range []int{1, 4} {
		n := 0
		err := NewReader(strings.NewReader(jsonl(5000)), "f", 0).ForEach(p, func(rec Record, err error) error {
			n++
			if rec.Line == 1234 {
				return stop
			}
			return nil
		})
		if err != stop || n != 1234 {
			t.Fatalf("parallel %d: err %v after %d records, want to stop at 1234", p, err, n)
		}
	}
}
