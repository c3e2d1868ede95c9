package bedrock

import (
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// doneSet is the set of finished records of an input file, by their index
// among its records (0 for the first record): every index below low, and
// the ranges in above. Records are handed to the workers in file order, so
// the finished ones are a prefix of the file plus a few ranges just past
// it (chunks that finished before an earlier one): the set stays small
// however many records the file holds.
type doneSet struct {
	low   int
	above []span // sorted, disjoint, not adjacent, all above low
}

// span is the record indexes from, from+1, …, to-1.
type span struct{ from, to int }

func (d *doneSet) has(n int) bool {
	if n < d.low {
		return true
	}
	i := sort.Search(len(d.above), func(i int) bool { return d.above[i].to > n })
	return i < len(d.above) && d.above[i].from <= n
}

// add puts record n in the set.
func (d *doneSet) add(n int) {
	if d.has(n) {
		return
	}
	i := sort.Search(len(d.above), func(i int) bool { return d.above[i].from > n })
	// n is not in above[i-1], which starts at or before it, nor in
	// above[i], which starts after it.
	joinLeft := i > 0 && d.above[i-1].to == n
	joinRight := i < len(d.above) && d.above[i].from == n+1
	switch {
	case joinLeft && joinRight:
		d.above[i-1].to = d.above[i].to
		d.above = append(d.above[:i], d.above[i+1:]...)
	case joinLeft:
		d.above[i-1].to = n + 1
	case joinRight:
		d.above[i].from = n
	default:
		d.above = append(d.above, span{})
		copy(d.above[i+1:], d.above[i:])
		d.above[i] = span{n, n + 1}
	}
	if len(d.above) > 0 && d.above[0].from == d.low {
		d.low = d.above[0].to
		d.above = d.above[1:]
	}
}

// clone returns a copy that does not share memory with d.
func (d *doneSet) clone() doneSet {
	return doneSet{low: d.low, above: slices.Clone(d.above)}
}

// count is the number of records in the set.
func (d *doneSet) count() int {
	n := d.low
	for _, s := range d.above {
		n += s.to - s.from
	}
	return n
}

// appendText appends the set as journal text: low, then each range as
// from-to (to exclusive).
func (d *doneSet) appendText(dst []byte) []byte {
	dst = strconv.AppendInt(dst, int64(d.low), 10)
	for _, s := range d.above {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(s.from), 10)
		dst = append(dst, '-')
		dst = strconv.AppendInt(dst, int64(s.to), 10)
	}
	return dst
}

var errBadDoneSet = errors.New("bad set of finished records")

// parseDoneSet reads the fields appendText wrote.
func parseDoneSet(fields [][]byte) (doneSet, error) {
	if len(fields) == 0 {
		return doneSet{}, errBadDoneSet
	}
	low, err := strconv.Atoi(string(fields[0]))
	if err != nil || low < 0 {
		return doneSet{}, errBadDoneSet
	}
	d := doneSet{low: low}
	last := low
	for _, f := range fields[1:] {
		a, b, ok := strings.Cut(string(f), "-")
		from, err1 := strconv.Atoi(a)
		to, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || from <= last || to <= from {
			return doneSet{}, errBadDoneSet
		}
		d.above = append(d.above, span{from, to})
		last = to
	}
	return d, nil
}
