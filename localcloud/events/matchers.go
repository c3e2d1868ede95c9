package events

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strings"
)

// matcher tests one scalar event value.
type matcher interface {
	match(v any) bool
}

type exactString string

func (m exactString) match(v any) bool { s, ok := v.(string); return ok && s == string(m) }

type exactNumber float64

func (m exactNumber) match(v any) bool {
	n, ok := numberOf(v)
	return ok && equalNumbers(n, float64(m))
}

type exactBool bool

func (m exactBool) match(v any) bool { b, ok := v.(bool); return ok && b == bool(m) }

type nullMatcher struct{}

func (nullMatcher) match(v any) bool { return v == nil }

// existsMatcher is handled by matchLeaf, which knows whether the field is
// there at all.
type existsMatcher bool

func (existsMatcher) match(any) bool { return false }

type prefixMatcher struct {
	prefix     string
	ignoreCase bool
}

func (m prefixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.ignoreCase {
		return len(s) >= len(m.prefix) && strings.EqualFold(s[:len(m.prefix)], m.prefix)
	}
	return strings.HasPrefix(s, m.prefix)
}

type suffixMatcher struct {
	suffix     string
	ignoreCase bool
}

func (m suffixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.ignoreCase {
		return len(s) >= len(m.suffix) && strings.EqualFold(s[len(s)-len(m.suffix):], m.suffix)
	}
	return strings.HasSuffix(s, m.suffix)
}

type ignoreCaseMatcher string

func (m ignoreCaseMatcher) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, string(m))
}

// wildcardMatcher matches "*" against any run of characters; "\*" is a
// literal star.
type wildcardMatcher struct{ parts []string } // literal parts between stars

func (m wildcardMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	parts := m.parts
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

// anythingBut matches every value its inner matchers do not (and only
// values of the kind they test: strings for prefix, suffix and the like).
type anythingBut struct {
	not     []matcher
	strings bool // only string values can match
}

func (m anythingBut) match(v any) bool {
	if _, isString := v.(string); m.strings && !isString {
		return false
	}
	for _, n := range m.not {
		if n.match(v) {
			return false
		}
	}
	return true
}

type numericMatcher struct {
	conds []numericCond
}

type numericCond struct {
	op    string
	value float64
}

func (m numericMatcher) match(v any) bool {
	n, ok := numberOf(v)
	if !ok {
		return false
	}
	for _, c := range m.conds {
		var ok bool
		switch c.op {
		case "=":
			ok = equalNumbers(n, c.value)
		case "<":
			ok = n < c.value && !equalNumbers(n, c.value)
		case "<=":
			ok = n < c.value || equalNumbers(n, c.value)
		case ">":
			ok = n > c.value && !equalNumbers(n, c.value)
		case ">=":
			ok = n > c.value || equalNumbers(n, c.value)
		}
		if !ok {
			return false
		}
	}
	return true
}

type cidrMatcher netip.Prefix

func (m cidrMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && netip.Prefix(m).Contains(addr)
}

// compileMatcher compiles one element of a pattern array.
func compileMatcher(item any, where string) (matcher, error) {
	switch v := item.(type) {
	case string:
		return exactString(v), nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil, invalid("the number %s at %q is out of range", v, where)
		}
		return exactNumber(f), nil
	case bool:
		return exactBool(v), nil
	case nil:
		return nullMatcher{}, nil
	case map[string]any:
		if len(v) != 1 {
			return nil, invalid("the object in the array at %q must have exactly one operator (prefix, suffix, anything-but, numeric, exists, cidr, equals-ignore-case, wildcard)", where)
		}
		for op, arg := range v {
			return compileOperator(op, arg, where)
		}
	case []any:
		return nil, invalid("the array at %q contains an array; list values directly", where)
	}
	return nil, invalid("match value at %q must be a string, number, true, false, null or an operator object", where)
}

func compileOperator(op string, arg any, where string) (matcher, error) {
	switch op {
	case "prefix", "suffix":
		s, ignoreCase, err := stringOrIgnoreCase(op, arg, where)
		if err != nil {
			return nil, err
		}
		if op == "prefix" {
			return prefixMatcher{s, ignoreCase}, nil
		}
		return suffixMatcher{s, ignoreCase}, nil
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, invalid("equals-ignore-case at %q must be given a string", where)
		}
		return ignoreCaseMatcher(s), nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return nil, invalid("wildcard at %q must be given a string", where)
		}
		return compileWildcard(s, where)
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return nil, invalid("exists at %q must be true or false", where)
		}
		return existsMatcher(b), nil
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return nil, invalid("cidr at %q must be given a string such as \"10.0.0.0/24\"", where)
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, invalid("cidr %q at %q is not a valid CIDR block", s, where)
		}
		return cidrMatcher(p.Masked()), nil
	case "numeric":
		return compileNumeric(arg, where)
	case "anything-but":
		return compileAnythingBut(arg, where)
	}
	return nil, invalid("unrecognized match type %q at %q", op, where)
}

func stringOrIgnoreCase(op string, arg any, where string) (string, bool, error) {
	switch v := arg.(type) {
	case string:
		return v, false, nil
	case map[string]any:
		if s, ok := v["equals-ignore-case"].(string); ok && len(v) == 1 {
			return s, true, nil
		}
	}
	return "", false, invalid("%s at %q must be given a string or {\"equals-ignore-case\": string}", op, where)
}

func compileWildcard(s, where string) (matcher, error) {
	if strings.Contains(s, "**") {
		return nil, invalid("wildcard %q at %q has consecutive stars", s, where)
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\'):
			cur.WriteByte(s[i+1])
			i++
		case s[i] == '*':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return wildcardMatcher{parts: append(parts, cur.String())}, nil
}

var numericOps = map[string]bool{"=": true, "<": true, "<=": true, ">": true, ">=": true}

func compileNumeric(arg any, where string) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, invalid("numeric at %q must be given one or two comparisons, like [\">\", 0, \"<=\", 5]", where)
	}
	var m numericMatcher
	lower, upper := 0, 0
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok || !numericOps[op] {
			return nil, invalid("numeric at %q: %v is not one of =, <, <=, >, >=", where, jsonText(list[i]))
		}
		n, ok := numberOf(list[i+1])
		if !ok {
			return nil, invalid("numeric at %q: %v is not a number", where, jsonText(list[i+1]))
		}
		switch op {
		case ">", ">=":
			lower++
		case "<", "<=":
			upper++
		case "=":
			if len(list) > 2 {
				return nil, invalid("numeric at %q: = cannot be combined with another comparison", where)
			}
		}
		m.conds = append(m.conds, numericCond{op, n})
	}
	if lower > 1 || upper > 1 {
		return nil, invalid("numeric at %q: give at most one lower and one upper bound", where)
	}
	if len(m.conds) == 2 {
		lo, hi := m.conds[0], m.conds[1]
		if lo.op[0] == '<' {
			lo, hi = hi, lo
		}
		if lo.value > hi.value {
			return nil, invalid("numeric at %q: the range is empty (lower bound %v above upper bound %v)", where, lo.value, hi.value)
		}
	}
	return m, nil
}

func compileAnythingBut(arg any, where string) (matcher, error) {
	switch v := arg.(type) {
	case string, json.Number, bool, nil:
		m, err := compileMatcher(v, where)
		if err != nil {
			return nil, err
		}
		return anythingBut{not: []matcher{m}}, nil
	case []any:
		if len(v) == 0 {
			return nil, invalid("anything-but at %q must not be an empty list", where)
		}
		var not []matcher
		for _, e := range v {
			switch e.(type) {
			case string, json.Number:
			default:
				return nil, invalid("anything-but lists at %q may hold only strings and numbers", where)
			}
			m, _ := compileMatcher(e, where)
			not = append(not, m)
		}
		return anythingBut{not: not}, nil
	case map[string]any:
		if len(v) != 1 {
			return nil, invalid("anything-but at %q takes one of prefix, suffix, equals-ignore-case or wildcard", where)
		}
		keys := make([]string, 0, 1)
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		op, inner := keys[0], v[keys[0]]
		switch op {
		case "prefix", "suffix", "equals-ignore-case", "wildcard":
		default:
			return nil, invalid("anything-but at %q does not take %q; use prefix, suffix, equals-ignore-case or wildcard", where, op)
		}
		var not []matcher
		add := func(e any) error {
			s, ok := e.(string)
			if !ok {
				return invalid("anything-but %s at %q must be given strings", op, where)
			}
			var m matcher
			var err error
			switch op {
			case "prefix":
				m = prefixMatcher{prefix: s}
			case "suffix":
				m = suffixMatcher{suffix: s}
			case "equals-ignore-case":
				m = ignoreCaseMatcher(s)
			case "wildcard":
				m, err = compileWildcard(s, where)
			}
			not = append(not, m)
			return err
		}
		if list, ok := inner.([]any); ok {
			if len(list) == 0 {
				return nil, invalid("anything-but %s at %q must not be an empty list", op, where)
			}
			for _, e := range list {
				if err := add(e); err != nil {
					return nil, err
				}
			}
		} else if err := add(inner); err != nil {
			return nil, err
		}
		return anythingBut{not: not, strings: true}, nil
	}
	return nil, invalid("anything-but at %q must be given a value, a list or an operator object", where)
}
