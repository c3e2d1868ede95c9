package asl

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// comparison operators by the type of their operand.
var choiceOperators = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "boolean",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
	"IsBoolean": "boolean", "IsTimestamp": "boolean",
}

func isPathOperator(op string) (base string, ok bool) {
	base, ok = strings.CutSuffix(op, "Path")
	if !ok || strings.HasPrefix(op, "Is") || base == "StringMatches" {
		return "", false
	}
	_, ok = choiceOperators[base]
	return base, ok
}

func (p *parser) choiceRule(w string, v any, top bool) *ChoiceRule {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s must be an object", w)
		return &ChoiceRule{}
	}
	r := &ChoiceRule{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ops := 0
	for _, k := range keys {
		val := m[k]
		switch k {
		case "Comment":
		case "Assign":
			if !top {
				p.addf("%s: a nested rule cannot have Assign", w)
			}
			r.Assign = p.jsonPathAssign(w, val)
		case "Next":
			r.Next, _ = val.(string)
			if !top {
				p.addf("%s: a nested rule cannot have Next", w)
			}
		case "Variable":
			s, ok := val.(string)
			if !ok {
				p.addf("%s: Variable must be a path string", w)
			}
			p.checkPath(w, "Variable", s, false)
			r.Variable = s
		case "And", "Or":
			ops++
			list, ok := val.([]any)
			if !ok || len(list) == 0 {
				p.addf("%s: %s must be a non-empty array of rules", w, k)
			}
			var rules []*ChoiceRule
			for i, e := range list {
				rules = append(rules, p.choiceRule(fmt.Sprintf("%s.%s[%d]", w, k, i), e, false))
			}
			if k == "And" {
				r.And = rules
			} else {
				r.Or = rules
			}
		case "Not":
			ops++
			r.Not = p.choiceRule(w+".Not", val, false)
		default:
			if base, ok := isPathOperator(k); ok {
				ops++
				s, ok := val.(string)
				if !ok {
					p.addf("%s: %s must be a path string", w, k)
				}
				p.checkPath(w, k, s, false)
				r.Operator, r.Operand = base+"Path", s
				continue
			}
			typ, ok := choiceOperators[k]
			if !ok {
				p.addf("%s: unknown field %q", w, k)
				continue
			}
			ops++
			r.Operator, r.Operand = k, val
			switch typ {
			case "string":
				if _, ok := val.(string); !ok {
					p.addf("%s: %s needs a string", w, k)
				}
			case "number":
				if _, ok := toFloat(val); !ok {
					p.addf("%s: %s needs a number", w, k)
				}
			case "boolean":
				if _, ok := val.(bool); !ok {
					p.addf("%s: %s needs a boolean", w, k)
				}
			case "timestamp":
				s, _ := val.(string)
				if _, err := parseTimestamp(s); err != nil {
					p.addf("%s: %s needs an RFC 3339 timestamp, got %s", w, k, encodeValue(val))
				}
			}
		}
	}
	if ops != 1 {
		p.addf("%s: a rule needs exactly one comparison operator or And, Or, Not", w)
	}
	if r.Operator != "" && r.Variable == "" {
		p.addf("%s: a comparison needs Variable", w)
	}
	if top && r.Next == "" {
		p.addf("%s: a top-level rule needs Next", w)
	}
	return r
}

// parseTimestamp reads an RFC 3339 timestamp as the States Language defines
// it (an uppercase T and an explicit offset or Z).
func parseTimestamp(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// evalChoice evaluates a rule. A missing Variable is a States.Runtime error,
// except for IsPresent.
func evalChoice(r *ChoiceRule, data, ctx any) (bool, *Error) {
	switch {
	case r.And != nil:
		for _, c := range r.And {
			ok, err := evalChoice(c, data, ctx)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, c := range r.Or {
			ok, err := evalChoice(c, data, ctx)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.Not != nil:
		ok, err := evalChoice(r.Not, data, ctx)
		return !ok, err
	}
	cp, cerr := compilePath(r.Variable)
	if cerr != nil {
		return false, newError(ErrRuntime, "Invalid path '%s': %v", r.Variable, cerr)
	}
	v, found := selectPath(cp, data, ctx)
	if r.Operator == "IsPresent" {
		return found == r.Operand.(bool), nil
	}
	if !found {
		return false, newError(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
	}
	op, operand := r.Operator, r.Operand
	if base, ok := strings.CutSuffix(op, "Path"); ok {
		path, _ := operand.(string)
		ov, err := evalPath(path, data, ctx)
		if err != nil {
			return false, err
		}
		op, operand = base, ov
	}
	switch op {
	case "IsNull":
		return (v == nil) == operand.(bool), nil
	case "IsNumeric":
		_, isNum := toFloat(v)
		return isNum == operand.(bool), nil
	case "IsString":
		_, isStr := v.(string)
		return isStr == operand.(bool), nil
	case "IsBoolean":
		_, isBool := v.(bool)
		return isBool == operand.(bool), nil
	case "IsTimestamp":
		s, isStr := v.(string)
		isTS := false
		if isStr {
			_, err := parseTimestamp(s)
			isTS = err == nil
		}
		return isTS == operand.(bool), nil
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b, nil
	case "StringMatches":
		a, ok1 := v.(string)
		pat, ok2 := operand.(string)
		return ok1 && ok2 && wildcardMatch(pat, a), nil
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		return compare(op[len("String"):], strings.Compare(a, b)), nil
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := toFloat(v)
		b, ok2 := toFloat(operand)
		if !ok1 || !ok2 {
			return false, nil
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return compare(op[len("Numeric"):], c), nil
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := v.(string)
		bs, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		a, err1 := parseTimestamp(as)
		b, err2 := parseTimestamp(bs)
		if err1 != nil || err2 != nil {
			return false, nil
		}
		return compare(op[len("Timestamp"):], a.Compare(b)), nil
	}
	return false, newError(ErrRuntime, "unknown comparison operator %q", op)
}

func compare(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// wildcardMatch matches StringMatches patterns: "*" matches any run of
// characters, "\*" a literal star and "\\" a literal backslash.
func wildcardMatch(pattern, s string) bool {
	type tok struct {
		star bool
		r    rune
	}
	var toks []tok
	pr := []rune(pattern)
	for i := 0; i < len(pr); i++ {
		switch {
		case pr[i] == '\\' && i+1 < len(pr):
			i++
			toks = append(toks, tok{r: pr[i]})
		case pr[i] == '*':
			toks = append(toks, tok{star: true})
		default:
			toks = append(toks, tok{r: pr[i]})
		}
	}
	sr := []rune(s)
	// Iterative matching with backtracking to the last star.
	ti, si, starT, starS := 0, 0, -1, 0
	for si < len(sr) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].r == sr[si]:
			ti++
			si++
		case ti < len(toks) && toks[ti].star:
			starT, starS = ti, si
			ti++
		case starT >= 0:
			starS++
			si = starS
			ti = starT + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}
