package prepare

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// BaseID is the record id of a row: the value of idColumn, or when
// idColumn is empty an id generated from the row's number (the same every
// time the table is read: row 42 is "REC00000042"). Results are joined
// back to rows by this id.
func BaseID(row table.Row, idColumn string) (string, error) {
	if idColumn == "" {
		return manifest.GeneratedRecordID(row.Index), nil
	}
	v, ok := row.Values[idColumn]
	if !ok {
		return "", fmt.Errorf("the row has no column %q for record ids: give --id-column a column the table has, or leave it out to generate ids", idColumn)
	}
	id := strings.TrimSpace(valueText(v))
	if id == "" {
		return "", fmt.Errorf("column %q is empty in this row: every record needs an id; fill it in, or leave --id-column out to generate ids", idColumn)
	}
	if strings.ContainsAny(id, "\n\r") {
		return "", fmt.Errorf("the id in column %q spans lines: use a one-line id", idColumn)
	}
	return id, nil
}

// RecordID is the id of a row's record made with template i (0-based) of
// n: the row's id alone when there is one template, else suffixed -001,
// -002, … in template order.
func RecordID(base string, i, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%s-%03d", base, i+1)
}

// valueText is how a cell reads in an id or a message.
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
