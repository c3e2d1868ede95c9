package manifest

import (
	"fmt"
	"strings"
)

// RowRecordID is the record id of the table row numbered index (1-based)
// with the given values: the value of idColumn, trimmed, or when idColumn
// is empty an id generated from the row's number (the same every time the
// table is read: row 42 is "REC00000042"). Records made from a table
// (prepare) carry this id, and results are joined back to the rows by it
// (results), so both take it from here.
func RowRecordID(index int, values map[string]any, idColumn string) (string, error) {
	if idColumn == "" {
		return GeneratedRecordID(index), nil
	}
	v, ok := values[idColumn]
	if !ok {
		return "", fmt.Errorf("the row has no column %q for record ids: give --id-column a column the table has, or leave it out to generate ids", idColumn)
	}
	var id string
	switch x := v.(type) {
	case nil:
	case string:
		id = x
	case []byte:
		id = string(x)
	default:
		id = fmt.Sprint(v)
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return "", fmt.Errorf("column %q is empty in this row: every record needs an id; fill it in, or leave --id-column out to generate ids", idColumn)
	}
	if strings.ContainsAny(id, "\n\r") {
		return "", fmt.Errorf("the id in column %q spans lines: use a one-line id", idColumn)
	}
	return id, nil
}
