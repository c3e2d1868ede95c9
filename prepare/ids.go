package prepare

import (
	"fmt"
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
