package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ValidationError lists every problem found in a definition. Each problem
// names the state it is in, as Step Functions' CreateStateMachine does.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid state machine definition: " + e.Problems[0]
	}
	return "invalid state machine definition: " + strings.Join(e.Problems, "; ")
}

// Parse reads a state machine definition (Amazon States Language JSON) and
// validates it. The error, when not a JSON syntax error, is a
// *ValidationError.
func Parse(definition []byte) (*Definition, error) {
	v, err := decodeValue(definition)
	if err != nil {
		return nil, fmt.Errorf("state machine definition is not valid JSON: %w", err)
	}
	p := &parser{}
	def := p.definition(v, "", queryJSONPath)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.problems}
	}
	return def, nil
}

type parser struct {
	problems []string
}

func (p *parser) addf(format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

var stateFields = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Assign", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default", "Assign"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Assign", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Assign", "Branches", "Retry", "Catch"},
	"Map":      {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Assign", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Retry", "Catch", "Label", "ItemBatcher", "ItemReader", "ResultWriter"},
}

// where formats the location of a state for messages: nested definitions
// carry the path of the Parallel or Map state that holds them.
func where(prefix, name string) string {
	if prefix == "" {
		return fmt.Sprintf("state %q", name)
	}
	return fmt.Sprintf("state %q (in %s)", name, prefix)
}

func (p *parser) definition(v any, prefix, ql string) *Definition {
	at := "the top level"
	if prefix != "" {
		at = prefix
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s must be a JSON object", at)
		return nil
	}
	def := &Definition{States: map[string]*State{}}
	for k, val := range m {
		switch k {
		case "Comment":
			def.Comment, _ = val.(string)
		case "StartAt":
			s, ok := val.(string)
			if !ok {
				p.addf("StartAt at %s must be a string", at)
			}
			def.StartAt = s
		case "Version":
			def.Version, _ = val.(string)
		case "TimeoutSeconds":
			n, ok := intField(val)
			if !ok || n <= 0 {
				p.addf("TimeoutSeconds at %s must be a positive integer", at)
			}
			def.TimeoutSeconds = &n
		case "QueryLanguage":
			def.QueryLanguage, _ = val.(string)
			if def.QueryLanguage != queryJSONPath && def.QueryLanguage != queryJSONata {
				p.addf("QueryLanguage at %s must be \"JSONPath\" or \"JSONata\"", at)
			}
		case "States":
		case "ProcessorConfig":
		default:
			p.addf("unknown field %q at %s", k, at)
		}
	}
	if def.QueryLanguage == "" {
		def.QueryLanguage = ql
	} else if ql == queryJSONata && def.QueryLanguage == queryJSONPath {
		p.addf("QueryLanguage at %s cannot be JSONPath inside a JSONata state machine", at)
	}
	if def.StartAt == "" {
		p.addf("StartAt is missing at %s", at)
	}
	states, ok := m["States"].(map[string]any)
	if !ok {
		p.addf("States at %s must be an object of states", at)
		return def
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if st := p.state(name, states[name], prefix, def.QueryLanguage); st != nil {
			def.States[name] = st
		}
	}
	if def.StartAt != "" {
		if _, ok := states[def.StartAt]; !ok {
			p.addf("StartAt %q at %s does not name a state", def.StartAt, at)
		}
	}
	p.checkTransitions(def, prefix)
	return def
}

// checkTransitions checks that every Next names a state and every state can
// be reached from StartAt.
func (p *parser) checkTransitions(def *Definition, prefix string) {
	names := make([]string, 0, len(def.States))
	for n := range def.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, next := range def.States[n].successors() {
			if _, ok := def.States[next]; !ok {
				p.addf("%s: Next %q does not name a state in the same scope", where(prefix, n), next)
			}
		}
	}
	if _, ok := def.States[def.StartAt]; !ok {
		return
	}
	seen := map[string]bool{def.StartAt: true}
	queue := []string{def.StartAt}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, next := range def.States[n].successors() {
			if _, ok := def.States[next]; ok && !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	for _, n := range names {
		if !seen[n] {
			p.addf("%s is not reachable from StartAt %q", where(prefix, n), def.StartAt)
		}
	}
}

func (s *State) successors() []string {
	var out []string
	if s.Next != "" {
		out = append(out, s.Next)
	}
	if s.Default != "" {
		out = append(out, s.Default)
	}
	for _, c := range s.Choices {
		if c.Next != "" {
			out = append(out, c.Next)
		}
	}
	for _, c := range s.Catch {
		if c.Next != "" {
			out = append(out, c.Next)
		}
	}
	return out
}

func intField(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func floatField(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func (p *parser) state(name string, v any, prefix, ql string) *State {
	w := where(prefix, name)
	if len(name) == 0 || len(name) > 80 {
		p.addf("%s: a state name must be 1 to 80 characters", w)
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s must be a JSON object", w)
		return nil
	}
	st := &State{Name: name}
	typ, _ := m["Type"].(string)
	st.Type = typ
	allowed, known := stateFields[typ]
	if !known {
		if typ == "" {
			p.addf("%s: Type is missing", w)
		} else {
			p.addf("%s: unknown Type %q (want Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map)", w, typ)
		}
		return nil
	}
	if sql, ok := m["QueryLanguage"]; ok {
		s, _ := sql.(string)
		switch {
		case s != queryJSONPath && s != queryJSONata:
			p.addf("%s: QueryLanguage must be \"JSONPath\" or \"JSONata\"", w)
		case ql == queryJSONata && s == queryJSONPath:
			p.addf("%s: a state cannot use JSONPath in a JSONata state machine", w)
		default:
			ql = s
		}
	}
	if ql == queryJSONata {
		return p.jsonataState(st, m, w, prefix)
	}
	st.QueryLanguage = queryJSONPath
	allowedSet := map[string]bool{"Type": true, "Comment": true, "QueryLanguage": true}
	for _, f := range allowed {
		allowedSet[f] = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowedSet[k] {
			switch k {
			case "Arguments", "Output", "Items":
				p.addf("%s: field %q belongs to JSONata mode (set \"QueryLanguage\": \"JSONata\")", w, k)
			default:
				p.addf("%s: field %q is not allowed in a %s state", w, k, typ)
			}
		}
	}
	st.Comment, _ = m["Comment"].(string)

	str := func(field string) string {
		val, ok := m[field]
		if !ok {
			return ""
		}
		s, ok := val.(string)
		if !ok {
			p.addf("%s: %s must be a string", w, field)
		}
		return s
	}
	optPath := func(field string, ref bool) OptionalPath {
		val, ok := m[field]
		if !ok {
			return OptionalPath{}
		}
		if val == nil {
			return OptionalPath{Set: true, Null: true}
		}
		s, ok := val.(string)
		if !ok {
			p.addf("%s: %s must be a path string or null", w, field)
			return OptionalPath{}
		}
		p.checkPath(w, field, s, ref)
		return OptionalPath{Set: true, Path: s}
	}
	pathField := func(field string) string {
		s := str(field)
		if _, ok := m[field]; ok {
			p.checkPath(w, field, s, false)
		}
		return s
	}
	intPtr := func(field string, min int64) *int64 {
		val, ok := m[field]
		if !ok {
			return nil
		}
		n, ok := intField(val)
		if !ok || n < min {
			p.addf("%s: %s must be an integer of at least %d", w, field, min)
		}
		return &n
	}

	st.Next = str("Next")
	if e, ok := m["End"]; ok {
		b, ok := e.(bool)
		if !ok {
			p.addf("%s: End must be a boolean", w)
		}
		st.End = b
	}
	switch typ {
	case "Choice", "Succeed", "Fail":
	default:
		if st.Next == "" && !st.End {
			p.addf("%s: a %s state needs Next or \"End\": true", w, typ)
		}
		if st.Next != "" && st.End {
			p.addf("%s: Next and End cannot both be set", w)
		}
	}
	st.InputPath = optPath("InputPath", false)
	st.OutputPath = optPath("OutputPath", false)
	st.ResultPath = optPath("ResultPath", true)
	if val, ok := m["Parameters"]; ok {
		p.checkTemplate(w, "Parameters", val)
		st.Parameters = val
	}
	if val, ok := m["ResultSelector"]; ok {
		p.checkTemplate(w, "ResultSelector", val)
		st.ResultSelector = val
	}
	if val, ok := m["Result"]; ok {
		st.Result, st.HasResult = val, true
	}
	if val, ok := m["Assign"]; ok {
		st.Assign = p.jsonPathAssign(w, val)
	}

	switch typ {
	case "Task":
		st.Resource = str("Resource")
		if st.Resource == "" {
			p.addf("%s: Resource is missing", w)
		}
		st.TimeoutSeconds = intPtr("TimeoutSeconds", 1)
		st.TimeoutSecondsPath = pathField("TimeoutSecondsPath")
		st.HeartbeatSeconds = intPtr("HeartbeatSeconds", 1)
		st.HeartbeatSecondsPath = pathField("HeartbeatSecondsPath")
		if st.TimeoutSeconds != nil && st.TimeoutSecondsPath != "" {
			p.addf("%s: TimeoutSeconds and TimeoutSecondsPath cannot both be set", w)
		}
		if st.HeartbeatSeconds != nil && st.HeartbeatSecondsPath != "" {
			p.addf("%s: HeartbeatSeconds and HeartbeatSecondsPath cannot both be set", w)
		}
		if st.HeartbeatSeconds != nil && st.TimeoutSeconds != nil && *st.HeartbeatSeconds >= *st.TimeoutSeconds {
			p.addf("%s: HeartbeatSeconds (%d) must be smaller than TimeoutSeconds (%d)", w, *st.HeartbeatSeconds, *st.TimeoutSeconds)
		}
	case "Choice":
		st.Default = str("Default")
		list, ok := m["Choices"].([]any)
		if !ok || len(list) == 0 {
			p.addf("%s: Choices must be a non-empty array of rules", w)
		}
		for i, r := range list {
			st.Choices = append(st.Choices, p.choiceRule(fmt.Sprintf("%s: Choices[%d]", w, i), r, true))
		}
	case "Wait":
		n := 0
		if val, ok := m["Seconds"]; ok {
			n++
			s, ok := intField(val)
			if !ok || s < 0 {
				p.addf("%s: Seconds must be a non-negative integer", w)
			}
			st.Seconds = &s
		}
		if _, ok := m["Timestamp"]; ok {
			n++
			st.Timestamp = str("Timestamp")
			if _, err := parseTimestamp(st.Timestamp); err != nil {
				p.addf("%s: Timestamp %q is not an RFC 3339 timestamp", w, st.Timestamp)
			}
		}
		if _, ok := m["SecondsPath"]; ok {
			n++
			st.SecondsPath = pathField("SecondsPath")
		}
		if _, ok := m["TimestampPath"]; ok {
			n++
			st.TimestampPath = pathField("TimestampPath")
		}
		if n != 1 {
			p.addf("%s: a Wait state needs exactly one of Seconds, Timestamp, SecondsPath or TimestampPath", w)
		}
	case "Fail":
		st.Error = str("Error")
		st.Cause = str("Cause")
		st.ErrorPath = str("ErrorPath")
		st.CausePath = str("CausePath")
		if _, ok := m["Error"]; ok && st.ErrorPath != "" {
			p.addf("%s: Error and ErrorPath cannot both be set", w)
		}
		if _, ok := m["Cause"]; ok && st.CausePath != "" {
			p.addf("%s: Cause and CausePath cannot both be set", w)
		}
		for _, f := range []string{"ErrorPath", "CausePath"} {
			if s, _ := m[f].(string); s != "" {
				p.checkPathOrIntrinsic(w, f, s)
			}
		}
	case "Parallel":
		list, ok := m["Branches"].([]any)
		if !ok || len(list) == 0 {
			p.addf("%s: Branches must be a non-empty array of state machines", w)
		}
		for i, b := range list {
			if d := p.definition(b, fmt.Sprintf("%s Branches[%d]", w, i), queryJSONPath); d != nil {
				st.Branches = append(st.Branches, d)
			}
		}
	case "Map":
		proc, hasProc := m["ItemProcessor"]
		if it, ok := m["Iterator"]; ok {
			if hasProc {
				p.addf("%s: ItemProcessor and Iterator cannot both be set", w)
			}
			proc, hasProc = it, true
		}
		if !hasProc {
			p.addf("%s: a Map state needs ItemProcessor (or Iterator)", w)
		} else {
			st.ItemProcessor = p.definition(proc, fmt.Sprintf("%s ItemProcessor", w), queryJSONPath)
		}
		st.Distributed = p.distributedFields(w, m, proc, queryJSONPath)
		st.ItemsPath = optPath("ItemsPath", true)
		if val, ok := m["ItemSelector"]; ok {
			if _, both := m["Parameters"]; both {
				p.addf("%s: ItemSelector and Parameters cannot both be set", w)
			}
			p.checkTemplate(w, "ItemSelector", val)
			st.ItemSelector = val
		}
		st.MaxConcurrency = intPtr("MaxConcurrency", 0)
		st.MaxConcurrencyPath = pathField("MaxConcurrencyPath")
		if val, ok := m["ToleratedFailurePercentage"]; ok {
			f, ok := floatField(val)
			if !ok || f < 0 || f > 100 {
				p.addf("%s: ToleratedFailurePercentage must be a number from 0 to 100", w)
			}
			st.ToleratedFailurePercentage = &f
		}
		st.ToleratedFailurePercentagePath = pathField("ToleratedFailurePercentagePath")
		st.ToleratedFailureCount = intPtr("ToleratedFailureCount", 0)
		st.ToleratedFailureCountPath = pathField("ToleratedFailureCountPath")
	}

	if val, ok := m["Retry"]; ok {
		st.Retry = p.retriers(w, val)
	}
	if val, ok := m["Catch"]; ok {
		st.Catch = p.catchers(w, val)
	}
	return st
}

func (p *parser) errorEquals(w, field string, m map[string]any, last bool) []string {
	list, ok := m["ErrorEquals"].([]any)
	if !ok || len(list) == 0 {
		p.addf("%s: %s ErrorEquals must be a non-empty array of error names", w, field)
		return nil
	}
	var out []string
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			p.addf("%s: %s ErrorEquals must hold strings", w, field)
			continue
		}
		out = append(out, s)
	}
	for _, s := range out {
		if s == ErrAll && (len(out) != 1 || !last) {
			p.addf("%s: %s: States.ALL must appear alone and in the last entry", w, field)
		}
	}
	return out
}

func (p *parser) retriers(w string, v any) []Retrier {
	list, ok := v.([]any)
	if !ok {
		p.addf("%s: Retry must be an array", w)
		return nil
	}
	var out []Retrier
	for i, e := range list {
		field := fmt.Sprintf("Retry[%d]", i)
		m, ok := e.(map[string]any)
		if !ok {
			p.addf("%s: %s must be an object", w, field)
			continue
		}
		r := Retrier{ErrorEquals: p.errorEquals(w, field, m, i == len(list)-1)}
		for k, val := range m {
			switch k {
			case "ErrorEquals", "Comment":
			case "IntervalSeconds":
				n, ok := intField(val)
				if !ok || n < 1 {
					p.addf("%s: %s IntervalSeconds must be a positive integer", w, field)
				}
				r.IntervalSeconds = &n
			case "MaxAttempts":
				n, ok := intField(val)
				if !ok || n < 0 {
					p.addf("%s: %s MaxAttempts must be a non-negative integer", w, field)
				}
				r.MaxAttempts = &n
			case "BackoffRate":
				f, ok := floatField(val)
				if !ok || f < 1 {
					p.addf("%s: %s BackoffRate must be a number of at least 1.0", w, field)
				}
				r.BackoffRate = &f
			case "MaxDelaySeconds":
				n, ok := intField(val)
				if !ok || n < 1 {
					p.addf("%s: %s MaxDelaySeconds must be a positive integer", w, field)
				}
				r.MaxDelaySeconds = &n
			case "JitterStrategy":
				s, _ := val.(string)
				if s != "FULL" && s != "NONE" {
					p.addf("%s: %s JitterStrategy must be \"FULL\" or \"NONE\"", w, field)
				}
				r.JitterStrategy = s
			default:
				p.addf("%s: %s: unknown field %q", w, field, k)
			}
		}
		out = append(out, r)
	}
	return out
}

func (p *parser) catchers(w string, v any) []Catcher {
	list, ok := v.([]any)
	if !ok {
		p.addf("%s: Catch must be an array", w)
		return nil
	}
	var out []Catcher
	for i, e := range list {
		field := fmt.Sprintf("Catch[%d]", i)
		m, ok := e.(map[string]any)
		if !ok {
			p.addf("%s: %s must be an object", w, field)
			continue
		}
		c := Catcher{ErrorEquals: p.errorEquals(w, field, m, i == len(list)-1)}
		for k, val := range m {
			switch k {
			case "ErrorEquals", "Comment":
			case "Next":
				c.Next, _ = val.(string)
			case "Assign":
				c.Assign = p.jsonPathAssign(w+" "+field, val)
			case "ResultPath":
				if val == nil {
					c.ResultPath = OptionalPath{Set: true, Null: true}
				} else if s, ok := val.(string); ok {
					p.checkPath(w, field+" ResultPath", s, true)
					c.ResultPath = OptionalPath{Set: true, Path: s}
				} else {
					p.addf("%s: %s ResultPath must be a path string or null", w, field)
				}
			default:
				p.addf("%s: %s: unknown field %q", w, field, k)
			}
		}
		if c.Next == "" {
			p.addf("%s: %s needs Next", w, field)
		}
		out = append(out, c)
	}
	return out
}

// jsonPathAssign parses the Assign field of a JSONPath-mode state, choice
// rule or catcher: an object of variable names, where a name ending in ".$"
// takes the value of a path or intrinsic function call.
func (p *parser) jsonPathAssign(w string, v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s: Assign must be an object of variable names", w)
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, k := range names {
		name := strings.TrimSuffix(k, ".$")
		if !validVariableName(name) {
			p.addf("%s: %q is not a valid variable name (letters, digits and _, not starting with a digit)", w, name)
		}
		if seen[name] {
			p.addf("%s: Assign sets the variable %q twice (as %q and %q)", w, name, name, name+".$")
		}
		seen[name] = true
	}
	p.checkTemplate(w, "Assign", m)
	return m
}

// checkPath reports a malformed path. A reference path (ResultPath,
// ItemsPath) must select a single node and, for ResultPath, may not start
// with "$$".
func (p *parser) checkPath(w, field, s string, ref bool) {
	if ref {
		if field == "ResultPath" || strings.HasSuffix(field, " ResultPath") {
			if _, err := parseRefPath(s); err != nil {
				p.addf("%s: %s %q is not a valid reference path: %v", w, field, s, err)
			}
			return
		}
	}
	if _, err := compilePath(s); err != nil {
		p.addf("%s: %s %q is not a valid path: %v", w, field, s, err)
	}
}

func (p *parser) checkPathOrIntrinsic(w, field, s string) {
	if strings.HasPrefix(s, "States.") {
		if _, err := parseIntrinsic(s); err != nil {
			p.addf("%s: %s %q is not a valid intrinsic function call: %v", w, field, s, err)
		}
		return
	}
	p.checkPath(w, field, s, false)
}

// checkTemplate checks a payload template: every key ending in ".$" must hold
// a path or an intrinsic function call.
func (p *parser) checkTemplate(w, field string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok {
					p.addf("%s: %s field %q ends in \".$\" so its value must be a path or an intrinsic function, not %s", w, field, k, jsonType(val))
					continue
				}
				p.checkPathOrIntrinsic(w, fmt.Sprintf("%s field %q", field, k), s)
				continue
			}
			p.checkTemplate(w, field, val)
		}
	case []any:
		for _, e := range t {
			p.checkTemplate(w, field, e)
		}
	}
}
