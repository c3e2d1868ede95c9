package prepare

import (
	"fmt"
	"hash/fnv"
)

// RecordID is the id of a row's record made with template i (0-based) of
// n: the row's id alone when there is one template, else suffixed -001,
// -002, … in template order.
func RecordID(base string, i, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%s-%03d", base, i+1)
}

// valueText is how a cell reads as a template name or in a message.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// idSet holds the record ids seen so far as 128-bit hashes (a chance
// collision is below one in 10^25 at a billion ids), with the record number
// that first used each, so a repeat is found before anything is written in
// about 40 bytes per record.
type idSet map[[16]byte]int

func newIDSet() idSet { return idSet{} }

// add notes that record n uses id; when an earlier record did, it returns
// that record's number and true.
func (s idSet) add(id string, n int) (int, bool) {
	h := fnv.New128a()
	h.Write([]byte(id))
	var k [16]byte
	h.Sum(k[:0])
	if first, ok := s[k]; ok {
		return first, true
	}
	s[k] = n
	return 0, false
}
