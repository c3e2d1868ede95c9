package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Pattern is a compiled EventBridge event pattern. It supports everything
// the service documents for content filtering: exact values (strings,
// numbers compared numerically, true, false, null), arrays of alternatives,
// prefix, suffix, equals-ignore-case (also inside prefix and suffix),
// wildcard, anything-but (a value, a list, prefix, suffix,
// equals-ignore-case, wildcard), numeric ranges, exists, cidr, nested
// objects and $or. A pattern field matches an event field that holds an
// array when any element matches, and a nested pattern matches an array of
// objects when one element matches it entirely.
type Pattern struct {
	root *objectPattern
	text string
}

// PatternError says why a pattern is not valid.
type PatternError struct{ Reason string }

// Error implements error.
func (e *PatternError) Error() string { return "Event pattern is not valid. Reason: " + e.Reason }

func invalid(format string, args ...any) error {
	return &PatternError{Reason: fmt.Sprintf(format, args...)}
}

// ParsePattern compiles an event pattern written as JSON.
func ParsePattern(text string) (*Pattern, error) {
	v, err := decodeJSON([]byte(text))
	if err != nil {
		return nil, invalid("the pattern is not valid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("the pattern must be a JSON object")
	}
	if len(obj) == 0 {
		return nil, invalid("the pattern is empty; name at least one field to match")
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root, text: text}, nil
}

// String returns the pattern's JSON text.
func (p *Pattern) String() string { return p.text }

// Matches reports whether an event (JSON) matches the pattern.
func (p *Pattern) Matches(event []byte) (bool, error) {
	v, err := decodeJSON(event)
	if err != nil {
		return false, fmt.Errorf("the event is not valid JSON: %w", err)
	}
	return p.MatchesValue(v), nil
}

// MatchesValue reports whether a decoded event matches. Numbers must be
// json.Number or float64.
func (p *Pattern) MatchesValue(event any) bool { return p.root.match(event) }

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// objectPattern matches a JSON object field by field; every field and
// every $or group must match.
type objectPattern struct {
	fields []fieldPattern
	ors    [][]*objectPattern
}

type fieldPattern struct {
	name   string
	nested *objectPattern // for a nested object pattern
	leaf   []matcher      // for an array of value matchers
}

func compileObject(obj map[string]any, path string) (*objectPattern, error) {
	o := &objectPattern{}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v := obj[name]
		where := strings.TrimPrefix(path+"."+name, ".")
		if name == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, invalid("$or at %q must be an array of at least two patterns", path)
			}
			var group []*objectPattern
			for _, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok || len(ao) == 0 {
					return nil, invalid("each alternative of $or at %q must be a non-empty object", path)
				}
				c, err := compileObject(ao, path)
				if err != nil {
					return nil, err
				}
				group = append(group, c)
			}
			o.ors = append(o.ors, group)
			continue
		}
		switch val := v.(type) {
		case map[string]any:
			if len(val) == 0 {
				return nil, invalid("the object at %q is empty", where)
			}
			nested, err := compileObject(val, where)
			if err != nil {
				return nil, err
			}
			o.fields = append(o.fields, fieldPattern{name: name, nested: nested})
		case []any:
			if len(val) == 0 {
				return nil, invalid("the array at %q is empty; list at least one value", where)
			}
			var ms []matcher
			for _, item := range val {
				m, err := compileMatcher(item, where)
				if err != nil {
					return nil, err
				}
				ms = append(ms, m)
			}
			o.fields = append(o.fields, fieldPattern{name: name, leaf: ms})
		default:
			return nil, invalid("match value at %q must be an array of values or an object; write [%v]", where, jsonText(v))
		}
	}
	return o, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// match tests one event value against an object pattern.
func (o *objectPattern) match(v any) bool {
	switch val := v.(type) {
	case []any:
		for _, e := range val {
			if o.match(e) {
				return true
			}
		}
		return len(val) == 0 && o.matchAbsent()
	case map[string]any:
		for _, f := range o.fields {
			fv, present := val[f.name]
			if f.nested != nil {
				if !present {
					if !f.nested.matchAbsent() {
						return false
					}
				} else if !f.nested.match(fv) {
					return false
				}
				continue
			}
			if !matchLeaf(f.leaf, fv, present) {
				return false
			}
		}
		for _, group := range o.ors {
			ok := false
			for _, alt := range group {
				if alt.match(v) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	default:
		return o.matchAbsent()
	}
}

// matchAbsent tells whether the pattern matches when the object it applies
// to is missing: only when it asks for nothing but missing fields.
func (o *objectPattern) matchAbsent() bool {
	for _, f := range o.fields {
		if f.nested != nil {
			if !f.nested.matchAbsent() {
				return false
			}
		} else if !matchLeaf(f.leaf, nil, false) {
			return false
		}
	}
	for _, group := range o.ors {
		ok := false
		for _, alt := range group {
			if alt.matchAbsent() {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchLeaf tests a field against its alternatives. An array field
// matches when any of its elements does; an empty array counts as absent.
func matchLeaf(ms []matcher, v any, present bool) bool {
	var values []any
	if present {
		values = flatten(v, nil)
	}
	if len(values) == 0 {
		for _, m := range ms {
			if e, ok := m.(existsMatcher); ok && !bool(e) {
				return true
			}
		}
		return false
	}
	for _, m := range ms {
		if e, ok := m.(existsMatcher); ok {
			if bool(e) {
				return true
			}
			continue
		}
		for _, x := range values {
			if m.match(x) {
				return true
			}
		}
	}
	return false
}

func flatten(v any, into []any) []any {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			into = flatten(e, into)
		}
		return into
	}
	return append(into, v)
}

// numberOf returns a JSON number's value.
func numberOf(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

// equalNumbers compares numbers the way EventBridge does, to its
// precision of six decimal places.
func equalNumbers(a, b float64) bool { return math.Abs(a-b) < 5e-7 }
