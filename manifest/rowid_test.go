package manifest

import (
	"encoding/json"
	"strings"
	"testing"
)

// A row's record id is its id cell as text, trimmed, or the generated id of
// its number; an id that is missing, empty or spans lines is refused with a
// message naming the column.
func TestRowRecordID(t *testing.T) {
	for _, tc := range []struct {
		name    string
		values  map[string]any
		column  string
		want    string
		wantErr string
	}{
		{"generated", map[string]any{"sku": "a"}, "", "REC00000042", ""},
		{"string trimmed", map[string]any{"sku": "  a-1 "}, "sku", "a-1", ""},
		{"bytes", map[string]any{"sku": []byte("b")}, "sku", "b", ""},
		{"number", map[string]any{"sku": json.Number("17")}, "sku", "17", ""},
		{"int", map[string]any{"sku": int64(9)}, "sku", "9", ""},
		{"missing", map[string]any{"name": "x"}, "sku", "", `no column "sku"`},
		{"null", map[string]any{"sku": nil}, "sku", "", `column "sku" is empty`},
		{"blank", map[string]any{"sku": " \t"}, "sku", "", `column "sku" is empty`},
		{"two lines", map[string]any{"sku": "a\nb"}, "sku", "", `column "sku" spans lines`},
	} {
		got, err := RowRecordID(42, tc.values, tc.column)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: id %q, error %v; want an error with %q", tc.name, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
