package model

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// checkSpec judges body against a catalogue entry: keys the format does not
// allow, values of the wrong type, numbers out of range, arrays too long and
// missing required keys, in the words of the service (InvokeModel's schema
// messages, or Converse's validation messages when converse is set). A null
// value counts as absent, as the family parsers read it.
func checkSpec(spec FamilySpec, body []byte, converse bool) *RecordError {
	d := jsonscan.NewDecoder(bytes.TrimSpace(body))
	return checkObjectParams(&d, spec.Params, "", converse)
}

func checkObjectParams(d *jsonscan.Decoder, params []Param, path string, converse bool) *RecordError {
	if !d.BeginObject() {
		return nil // the family parser words a body that is not an object
	}
	var seen uint64
	for d.NextMember() {
		key, escaped, ok := d.Key()
		if !ok {
			return nil
		}
		k := jsonscan.Unquote(key, escaped)
		i := paramIndex(params, k)
		if i < 0 {
			if converse {
				return &RecordError{Code: 400, Message: fmt.Sprintf("extraneous key [%s] is not permitted in %s: a Converse request holds only %s",
					k, converseWhere(path), paramKeys(params))}
			}
			return malformed(pointer(path) + ": extraneous key [" + k + "] is not permitted")
		}
		seen |= 1 << i
		raw, ok := d.Skip()
		if !ok {
			return nil
		}
		if err := checkValue(params[i], raw, joinPath(path, k), converse); err != nil {
			return err
		}
	}
	var missing []string
	present := []bool{}
	for i, p := range params {
		if p.Required {
			missing = append(missing, p.Key)
			present = append(present, seen&(1<<i) != 0)
		}
	}
	if converse {
		return nil
	}
	if path != "" {
		for i := range missing {
			missing[i] = path + "/" + missing[i]
		}
	}
	return requireKeys(missing, present)
}

func paramIndex(params []Param, key string) int {
	for i, p := range params {
		if p.Key == key {
			return i
		}
	}
	return -1
}

func paramKeys(params []Param) string {
	keys := make([]string, len(params))
	for i, p := range params {
		keys[i] = p.Key
	}
	return strings.Join(keys, ", ")
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func pointer(path string) string {
	if path == "" {
		return "#"
	}
	return "#/" + path
}

func converseWhere(path string) string {
	if path == "" {
		return "the request"
	}
	return strings.ReplaceAll(path, "/", ".")
}

// valueKind tells the JSON type of raw, telling integers from other numbers.
func valueKind(raw []byte) (Kind, bool) {
	switch raw[0] {
	case '{':
		return KindObject, true
	case '[':
		return KindArray, true
	case '"':
		return KindString, true
	case 't', 'f':
		return KindBoolean, true
	case 'n':
		return KindAny, false
	}
	if bytes.ContainsAny(raw, ".eE") {
		return KindNumber, true
	}
	return KindInteger, true
}

func checkValue(p Param, raw []byte, path string, converse bool) *RecordError {
	got, notNull := valueKind(raw)
	if !notNull {
		return nil
	}
	typeOK := p.Kind == KindAny || got == p.Kind ||
		(p.Kind == KindNumber && got == KindInteger) ||
		(p.Kind == KindStringOrArray && (got == KindString || got == KindArray))
	if !typeOK {
		if converse {
			return &RecordError{Code: 400, Message: fmt.Sprintf("%s: expected type: %s, found: %s", converseWhere(path), p.Kind, jsonKind(raw))}
		}
		return malformed(fmt.Sprintf("%s: expected type: %s, found: %s", pointer(path), p.Kind, jsonKind(raw)))
	}
	switch got {
	case KindInteger, KindNumber:
		x, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return nil
		}
		if p.Enum != nil && !containsInt(p.Enum, x) {
			return malformed(fmt.Sprintf("%s: %s is not a valid enum value", pointer(path), raw))
		}
		if p.Range == nil || p.Range.Contains(x) {
			return nil
		}
		if converse {
			word, bound := "greater than or equal to", p.Range.Min
			if x > p.Range.Max {
				word, bound = "less than or equal to", p.Range.Max
			}
			return &RecordError{Code: 400, Message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value %s %s",
				raw, converseWhere(path), word, formatBound(bound))}
		}
		if x > p.Range.Max {
			return malformed(fmt.Sprintf("%s: %s is not less or equal to %s", pointer(path), raw, formatBound(p.Range.Max)))
		}
		return malformed(fmt.Sprintf("%s: %s is not greater or equal to %s", pointer(path), raw, formatBound(p.Range.Min)))
	case KindArray:
		if p.MaxItems == 0 {
			return nil
		}
		if n := countElements(raw); n > p.MaxItems {
			if converse {
				return &RecordError{Code: 400, Message: fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d",
					converseWhere(path), p.MaxItems)}
			}
			return malformed(fmt.Sprintf("%s: expected maximum item count: %d, found: %d", pointer(path), p.MaxItems, n))
		}
	case KindObject:
		if p.Nested == nil {
			return nil
		}
		d := jsonscan.NewDecoder(raw)
		return checkObjectParams(&d, p.Nested, path, converse)
	}
	return nil
}

func containsInt(list []int, x float64) bool {
	for _, v := range list {
		if float64(v) == x {
			return true
		}
	}
	return false
}

func formatBound(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func countElements(raw []byte) int {
	d := jsonscan.NewDecoder(raw)
	if !d.BeginArray() {
		return 0
	}
	n := 0
	for d.NextElement() {
		if _, ok := d.Skip(); !ok {
			return n
		}
		n++
	}
	return n
}
