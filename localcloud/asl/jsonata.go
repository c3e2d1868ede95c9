package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/blues/jsonata-go"
)

// ErrQueryEvaluationError is raised when a JSONata expression fails.
const ErrQueryEvaluationError = "States.QueryEvaluationError"

var jsonataFields = map[string][]string{
	"Pass":     {"Next", "End", "Output", "Assign"},
	"Task":     {"Next", "End", "Resource", "Arguments", "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Retry", "Catch", "Credentials"},
	"Choice":   {"Choices", "Default", "Output", "Assign"},
	"Wait":     {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"},
	"Succeed":  {"Output"},
	"Fail":     {"Error", "Cause"},
	"Parallel": {"Next", "End", "Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
	"Map":      {"Next", "End", "ItemProcessor", "Iterator", "Items", "ItemSelector", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Output", "Assign", "Retry", "Catch", "Label", "ItemReader", "ItemBatcher", "ResultWriter"},
}

// jsonataExpr returns the expression of a "{% … %}" string. The string
// must begin with "{%" and end with "%}": with anything around them (even
// a space) it is a literal, as in Step Functions.
func jsonataExpr(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	if strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") && len(s) >= 4 {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}

// checkJSONata reports every expression in v that does not compile.
func (p *parser) checkJSONata(w, field string, v any) {
	switch t := v.(type) {
	case string:
		if expr, ok := jsonataExpr(t); ok {
			if _, err := jsonata.Compile(expr); err != nil {
				p.addf("%s: %s: the JSONata expression %q does not compile: %v", w, field, expr, err)
			}
		}
	case map[string]any:
		for k, e := range t {
			p.checkJSONata(w, field, e)
			_ = k
		}
	case []any:
		for _, e := range t {
			p.checkJSONata(w, field, e)
		}
	}
}

// jsonataState parses a state in JSONata mode.
func (p *parser) jsonataState(st *State, m map[string]any, w, prefix string) *State {
	st.QueryLanguage = queryJSONata
	allowed := map[string]bool{"Type": true, "Comment": true, "QueryLanguage": true}
	for _, f := range jsonataFields[st.Type] {
		allowed[f] = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			p.addf("%s: field %q is not allowed in a %s state in JSONata mode", w, k, st.Type)
		}
	}
	st.Comment, _ = m["Comment"].(string)
	st.Next, _ = m["Next"].(string)
	st.End, _ = m["End"].(bool)
	switch st.Type {
	case "Choice", "Succeed", "Fail":
	default:
		if st.Next == "" && !st.End {
			p.addf("%s: a %s state needs Next or \"End\": true", w, st.Type)
		}
		if st.Next != "" && st.End {
			p.addf("%s: Next and End cannot both be set", w)
		}
	}
	if v, ok := m["Arguments"]; ok {
		st.Arguments, st.HasArguments = v, true
		p.checkJSONata(w, "Arguments", v)
	}
	if v, ok := m["Output"]; ok {
		st.Output, st.HasOutput = v, true
		p.checkJSONata(w, "Output", v)
	}
	if v, ok := m["Items"]; ok {
		st.Items, st.HasItems = v, true
		p.checkJSONata(w, "Items", v)
	}
	st.Assign = p.jsonataAssign(w, m["Assign"])
	st.Exprs = map[string]any{}
	for _, f := range []string{"Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "Error", "Cause"} {
		if v, ok := m[f]; ok {
			st.Exprs[f] = v
			p.checkJSONata(w, f, v)
		}
	}
	switch st.Type {
	case "Task":
		st.Resource, _ = m["Resource"].(string)
		if st.Resource == "" {
			p.addf("%s: Resource is missing", w)
		}
	case "Wait":
		_, s := m["Seconds"]
		_, ts := m["Timestamp"]
		if s == ts {
			p.addf("%s: a Wait state needs exactly one of Seconds or Timestamp", w)
		}
	case "Choice":
		st.Default, _ = m["Default"].(string)
		list, ok := m["Choices"].([]any)
		if !ok || len(list) == 0 {
			p.addf("%s: Choices must be a non-empty array of rules", w)
		}
		for i, r := range list {
			rw := fmt.Sprintf("%s: Choices[%d]", w, i)
			rm, ok := r.(map[string]any)
			if !ok {
				p.addf("%s must be an object", rw)
				continue
			}
			rule := &ChoiceRule{}
			for k, v := range rm {
				switch k {
				case "Condition":
					rule.Condition = v
					if _, isBool := v.(bool); !isBool {
						if _, isExpr := jsonataExpr(v); !isExpr {
							p.addf("%s: Condition must be a boolean or a {%% expression %%}", rw)
						}
					}
					p.checkJSONata(rw, "Condition", v)
				case "Next":
					rule.Next, _ = v.(string)
				case "Output":
					rule.Output, rule.HasOutput = v, true
					p.checkJSONata(rw, "Output", v)
				case "Assign":
					rule.Assign = p.jsonataAssign(rw, v)
				case "Comment":
				default:
					p.addf("%s: field %q is not allowed in a JSONata rule (use Condition)", rw, k)
				}
			}
			if rule.Condition == nil {
				p.addf("%s needs Condition", rw)
			}
			if rule.Next == "" {
				p.addf("%s needs Next", rw)
			}
			st.Choices = append(st.Choices, rule)
		}
	case "Parallel":
		list, ok := m["Branches"].([]any)
		if !ok || len(list) == 0 {
			p.addf("%s: Branches must be a non-empty array of state machines", w)
		}
		for i, b := range list {
			if d := p.definition(b, fmt.Sprintf("%s Branches[%d]", w, i), queryJSONata); d != nil {
				st.Branches = append(st.Branches, d)
			}
		}
	case "Map":
		proc, ok := m["ItemProcessor"]
		if !ok {
			proc, ok = m["Iterator"]
		}
		if !ok {
			p.addf("%s: a Map state needs ItemProcessor", w)
		} else {
			st.ItemProcessor = p.definition(proc, fmt.Sprintf("%s ItemProcessor", w), queryJSONata)
		}
		st.Distributed = p.distributedFields(w, m, proc, queryJSONata)
		if v, ok := m["ItemSelector"]; ok {
			st.ItemSelector = v
			p.checkJSONata(w, "ItemSelector", v)
		}
	}
	if v, ok := m["Retry"]; ok {
		st.Retry = p.retriers(w, v)
	}
	if v, ok := m["Catch"]; ok {
		list, ok := v.([]any)
		if !ok {
			p.addf("%s: Catch must be an array", w)
		}
		for i, e := range list {
			field := fmt.Sprintf("Catch[%d]", i)
			cm, ok := e.(map[string]any)
			if !ok {
				p.addf("%s: %s must be an object", w, field)
				continue
			}
			c := Catcher{ErrorEquals: p.errorEquals(w, field, cm, i == len(list)-1)}
			for k, val := range cm {
				switch k {
				case "ErrorEquals", "Comment":
				case "Next":
					c.Next, _ = val.(string)
				case "Output":
					c.Output, c.HasOutput = val, true
					p.checkJSONata(w, field+" Output", val)
				case "Assign":
					c.Assign = p.jsonataAssign(w+" "+field, val)
				default:
					p.addf("%s: %s: field %q is not allowed in JSONata mode", w, field, k)
				}
			}
			if c.Next == "" {
				p.addf("%s: %s needs Next", w, field)
			}
			st.Catch = append(st.Catch, c)
		}
	}
	_ = prefix
	return st
}

func (p *parser) jsonataAssign(w string, v any) map[string]any {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s: Assign must be an object of variable names", w)
		return nil
	}
	for k, e := range m {
		if !validVariableName(k) {
			p.addf("%s: %q is not a valid variable name (letters, digits and _, not starting with a digit)", w, k)
		}
		p.checkJSONata(w, "Assign", e)
	}
	return m
}

func validVariableName(s string) bool {
	if s == "" || s == "states" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// jsonataVars are the variables an expression sees: $states and the
// assigned variables.
type jsonataVars struct {
	input, result, errorOutput, context any
	hasResult, hasError                 bool
	vars                                map[string]any
}

func (v jsonataVars) bindings() map[string]any {
	states := map[string]any{"input": toJSONata(v.input), "context": toJSONata(v.context)}
	if v.hasResult {
		states["result"] = toJSONata(v.result)
	}
	if v.hasError {
		states["errorOutput"] = toJSONata(v.errorOutput)
	}
	out := map[string]any{"states": states}
	for k, val := range v.vars {
		out[k] = toJSONata(val)
	}
	return out
}

// evalJSONataValue evaluates a field: a "{% %}" string is evaluated, an
// object or array has each of its members evaluated, anything else is a
// literal. field locates the value in the state ("Output/result") for
// error messages.
func evalJSONataValue(v any, vars jsonataVars, field string) (any, *Error) {
	switch t := v.(type) {
	case string:
		expr, ok := jsonataExpr(t)
		if !ok {
			return t, nil
		}
		return evalJSONata(expr, vars, field)
	case map[string]any:
		out := make(map[string]any, len(t))
		keys := orderedKeys(t)
		for _, k := range keys {
			r, err := evalJSONataValue(t[k], vars, field+"/"+k)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		setKeyOrder(out, keys)
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := evalJSONataValue(e, vars, field+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// jsonataMu serializes evaluations: the JSONata library keeps per-call
// state in the function objects its built-in functions share, so two
// expressions evaluated at once (Map iterations, Parallel branches,
// concurrent executions) would corrupt each other's calls.
var jsonataMu sync.Mutex

// evalJSONata evaluates one expression; a failure is
// States.QueryEvaluationError with Step Functions' wording.
func evalJSONata(expr string, vars jsonataVars, field string) (any, *Error) {
	e, err := jsonata.Compile(expr)
	if err != nil {
		return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", expr, field, err)
	}
	if err := e.RegisterExts(sfnJSONataExts); err != nil {
		return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", expr, field, err)
	}
	if err := e.RegisterVars(vars.bindings()); err != nil {
		return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", expr, field, err)
	}
	jsonataMu.Lock()
	r, err := e.Eval(toJSONata(vars.input))
	jsonataMu.Unlock()
	if err != nil {
		if errors.Is(err, jsonata.ErrUndefined) {
			return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", expr, field)
		}
		return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", expr, field, err)
	}
	if !jsonValue(r) {
		return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", expr, field)
	}
	return fromJSONata(r), nil
}

// jsonValue reports whether an expression's result is JSON (not a
// function, nor holding one).
func jsonValue(v any) bool {
	switch t := v.(type) {
	case nil, string, bool, float64, int, int64, json.Number:
		return true
	case []any:
		for _, e := range t {
			if !jsonValue(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range t {
			if !jsonValue(e) {
				return false
			}
		}
		return true
	}
	return false
}

// jsonataTypeName names a value's JSON type as Step Functions' messages do.
func jsonataTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "number"
}

// toJSONata converts numbers to float64, the only number type the JSONata
// library computes with: the same rewrite as canonical.
func toJSONata(v any) any { return canonical(v) }

// fromJSONata converts a result back to the interpreter's values: numbers
// become json.Number, integers without a fraction.
func fromJSONata(v any) any {
	switch t := v.(type) {
	case float64:
		return json.Number(formatJSNumber(t))
	case int:
		return intValue(int64(t))
	case int64:
		return intValue(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromJSONata(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fromJSONata(e)
		}
		inheritKeyOrder(out, t)
		return out
	}
	return v
}

// formatJSNumber writes a number as JavaScript (and so JSONata in Step
// Functions) does: fixed notation from 1e-6 up to 1e21, exponent notation
// outside, with the shortest digits that read back the same.
func formatJSNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + string(sign) + exp
}
