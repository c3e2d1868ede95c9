package asl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
)

// compiledPath is a JSONPath as Step Functions reads it: "$..." selects from
// the state's data, "$$..." from the context object. A path that can select
// at most one node yields that node; any other path yields the array of the
// nodes it selects.
type compiledPath struct {
	context bool
	// variable names the workflow variable a "$name…" path reads from.
	variable string
	singular bool
	path     *jsonpath.Path
	text     string
	// steps, when direct is set, is the path as a chain of member names
	// and indexes ("$.a.b[0]"), walked without the JSONPath library: the
	// paths templates use most, evaluated once per state or Map item.
	steps  []pathStep
	direct bool
}

// pathStep is one member name or array index of a direct path.
type pathStep struct {
	name  string
	index int
	isIdx bool
}

// directSteps returns a query's steps when it is a chain of single member
// names and indexes.
func directSteps(q *spec.PathQuery) ([]pathStep, bool) {
	var steps []pathStep
	for _, seg := range q.Segments() {
		sels := seg.Selectors()
		if seg.IsDescendant() || len(sels) != 1 {
			return nil, false
		}
		switch sel := sels[0].(type) {
		case spec.Name:
			steps = append(steps, pathStep{name: string(sel)})
		case spec.Index:
			steps = append(steps, pathStep{index: int(sel), isIdx: true})
		default:
			return nil, false
		}
	}
	return steps, true
}

var pathCache sync.Map // string → *compiledPath

// compilePath parses a path once and caches it.
func compilePath(s string) (*compiledPath, error) {
	if c, ok := pathCache.Load(s); ok {
		return c.(*compiledPath), nil
	}
	cp := &compiledPath{text: s}
	q := s
	if strings.HasPrefix(s, "$$") {
		cp.context = true
		q = s[1:]
	} else if name := pathVariable(s); name != "" {
		cp.variable = name
		q = "$" + s[1+len(name):]
	}
	if !strings.HasPrefix(q, "$") {
		return nil, fmt.Errorf("a path must start with \"$\" (or \"$$\" for the context object)")
	}
	norm, err := normalizePath(q)
	if err != nil {
		return nil, err
	}
	p, err := jsonpath.Parse(norm)
	if err != nil {
		return nil, err
	}
	cp.path = p
	cp.singular = p.Query().Singular() != nil
	cp.steps, cp.direct = directSteps(p.Query())
	pathCache.Store(s, cp)
	return cp, nil
}

// pathVariable returns the variable name a "$name…" path starts with, or
// "" for a path on the state's data ("$", "$.…", "$[…]").
func pathVariable(s string) string {
	if !strings.HasPrefix(s, "$") {
		return ""
	}
	j := 1
	for j < len(s) && s[j] != '.' && s[j] != '[' {
		j++
	}
	if name := s[1:j]; validVariableName(name) {
		return name
	}
	return ""
}

// pathScope is what a JSONPath-mode path can read besides the state's
// data: the context object ("$$") and the workflow variables ("$name").
// Most paths never read "$$", and most that do read one field of it, so the
// context object is built the first time a path needs all of it, not with
// every scope (selectContext).
type pathScope struct {
	x     *execution
	b     *branchState
	st    *State
	token string
	item  *mapItem
	vars  map[string]any

	once sync.Once
	ctx  any
}

// context returns the scope's context object, building it on first use.
func (s *pathScope) context() any {
	s.once.Do(func() { s.ctx = s.x.contextObject(s.b, s.st, s.token, s.item) })
	return s.ctx
}

// scopeContext returns the context object of a scope (or the scope itself
// when it is a bare context object).
func scopeContext(scope any) any {
	if s, ok := scope.(*pathScope); ok {
		return s.context()
	}
	return scope
}

// scopeVariable looks a workflow variable up in a scope.
func scopeVariable(scope any, name string) (any, bool) {
	s, ok := scope.(*pathScope)
	if !ok {
		return nil, false
	}
	v, ok := s.vars[name]
	return v, ok
}

// normalizePath rewrites the dot-notation member names that Step Functions
// accepts but RFC 9535 shorthand does not (names with "-", "$", leading
// digits…) into bracket notation, leaving brackets and filters untouched.
func normalizePath(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('$')
	i := 1
	for i < len(s) {
		c := s[i]
		switch c {
		case '[':
			end, err := matchBracket(s, i)
			if err != nil {
				return "", err
			}
			b.WriteString(s[i : end+1])
			i = end + 1
		case '.':
			if i+1 < len(s) && s[i+1] == '.' {
				b.WriteString("..")
				i += 2
				if i < len(s) && s[i] != '[' && s[i] != '*' {
					j := memberEnd(s, i)
					writeMember(&b, s[i:j], false)
					i = j
				}
				continue
			}
			i++
			if i >= len(s) {
				return "", fmt.Errorf("path ends with \".\"")
			}
			if s[i] == '*' {
				b.WriteString(".*")
				i++
				continue
			}
			j := memberEnd(s, i)
			if j == i {
				return "", fmt.Errorf("empty member name at offset %d", i)
			}
			writeMember(&b, s[i:j], true)
			i = j
		default:
			return "", fmt.Errorf("unexpected %q at offset %d", c, i)
		}
	}
	return b.String(), nil
}

func memberEnd(s string, i int) int {
	j := i
	for j < len(s) && s[j] != '.' && s[j] != '[' {
		j++
	}
	return j
}

func writeMember(b *strings.Builder, name string, dot bool) {
	if isShorthandName(name) {
		if dot {
			b.WriteByte('.')
		}
		b.WriteString(name)
		return
	}
	b.WriteString("['")
	for _, r := range name {
		switch r {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, "\\u%04x", r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteString("']")
}

func isShorthandName(name string) bool {
	for i, r := range name {
		switch {
		case r == '_' || r >= 0x80 && unicode.IsPrint(r) && !unicode.IsSpace(r):
		case r < 0x80 && unicode.IsLetter(r):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return name != ""
}

// matchBracket returns the index of the "]" closing the "[" at i, skipping
// quoted strings and nested brackets.
func matchBracket(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\'', '"':
			q := s[j]
			j++
			for j < len(s) && s[j] != q {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return 0, fmt.Errorf("unterminated string in path")
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, fmt.Errorf("unclosed \"[\" at offset %d", i)
}

// selectPath evaluates a path. found is false when a singular path selects
// nothing; a non-singular path always succeeds, possibly with an empty array.
func selectPath(cp *compiledPath, data, ctx any) (v any, found bool) {
	root := data
	switch {
	case cp.context:
		if s, ok := ctx.(*pathScope); ok && cp.direct {
			if v, found, ok := s.selectContext(cp.steps); ok {
				return v, found
			}
		}
		root = scopeContext(ctx)
	case cp.variable != "":
		val, ok := scopeVariable(ctx, cp.variable)
		if !ok {
			return nil, false
		}
		root = val
	}
	if cp.direct {
		if v, found, ok := walkSteps(cp.steps, root); ok {
			return v, found
		}
	}
	nodes := cp.path.Select(root)
	if cp.singular {
		if len(nodes) == 0 {
			return nil, false
		}
		return nodes[0], true
	}
	out := make([]any, len(nodes))
	copy(out, nodes)
	return out, true
}

// walkSteps evaluates a direct path on JSON values as the JSONPath
// library does: a name selects a member of an object, an index (negative
// from the end) an element of an array, anything else selects nothing. ok
// is false on a node of another Go type, left to the library.
func walkSteps(steps []pathStep, node any) (v any, found, ok bool) {
	for _, s := range steps {
		switch n := node.(type) {
		case map[string]any:
			if s.isIdx {
				return nil, false, true
			}
			v, has := n[s.name]
			if !has {
				return nil, false, true
			}
			node = v
		case []any:
			if !s.isIdx {
				return nil, false, true
			}
			i := s.index
			if i < 0 {
				i += len(n)
			}
			if i < 0 || i >= len(n) {
				return nil, false, true
			}
			node = n[i]
		case nil, string, bool, json.Number, float64:
			return nil, false, true
		default:
			return nil, false, false
		}
	}
	return node, true, true
}

// evalPath compiles and evaluates a path, failing with States.Runtime when a
// singular path selects nothing. what names the field for the message.
func evalPath(path string, data, ctx any) (any, *Error) {
	cp, err := compilePath(path)
	if err != nil {
		return nil, newError(ErrRuntime, "Invalid path '%s': %v", path, err)
	}
	v, ok := selectPath(cp, data, ctx)
	if !ok {
		return nil, newError(ErrRuntime, "Invalid path '%s' : No results for path: %s", path, normalizedPathText(cp))
	}
	return v, nil
}

// normalizedPathText writes a path in the normalized form Step Functions'
// messages use: $['name'][0].
func normalizedPathText(cp *compiledPath) string {
	t := cp.path.String()
	t = strings.ReplaceAll(t, `["`, `['`)
	return strings.ReplaceAll(t, `"]`, `']`)
}

// refSegment is one step of a reference path: a member name or an index.
type refSegment struct {
	name  string
	index int
	isIdx bool
}

// parseRefPath parses a reference path as ResultPath uses it: "$" followed
// by member names and array indexes only.
func parseRefPath(s string) ([]refSegment, error) {
	if strings.HasPrefix(s, "$$") {
		return nil, fmt.Errorf("a ResultPath cannot refer to the context object")
	}
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("a reference path must start with \"$\"")
	}
	var segs []refSegment
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			j := memberEnd(s, i)
			name := s[i:j]
			if name == "" || name == "*" || strings.HasPrefix(name, ".") {
				return nil, fmt.Errorf("only member names and indexes are allowed in a reference path")
			}
			segs = append(segs, refSegment{name: name})
			i = j
		case '[':
			end, err := matchBracket(s, i)
			if err != nil {
				return nil, err
			}
			inner := strings.TrimSpace(s[i+1 : end])
			switch {
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				name, err := unquotePathString(inner)
				if err != nil {
					return nil, err
				}
				segs = append(segs, refSegment{name: name})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("%q: only member names and non-negative indexes are allowed in a reference path", s[i:end+1])
				}
				segs = append(segs, refSegment{index: n, isIdx: true})
			}
			i = end + 1
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", s[i], i)
		}
	}
	return segs, nil
}

func unquotePathString(q string) (string, error) {
	body := q[1 : len(q)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String(), nil
}

// applyResultPath places result into input at a reference path, copying
// the objects along the way so that input is not modified.
func applyResultPath(rp OptionalPath, input, result any) (any, *Error) {
	if !rp.Set {
		return result, nil
	}
	if rp.Null {
		return input, nil
	}
	segs, err := parseRefPath(rp.Path)
	if err != nil {
		return nil, newError(ErrRuntime, "Invalid ResultPath '%s': %v", rp.Path, err)
	}
	if len(segs) == 0 {
		return result, nil
	}
	out, ok := setRef(input, segs, result)
	if !ok {
		return nil, newError(ErrResultPathMatchFailure, "Unable to apply step \"%s\" to input %s", rp.Path, encodeValue(input))
	}
	return out, nil
}

func setRef(node any, segs []refSegment, v any) (any, bool) {
	if len(segs) == 0 {
		return v, true
	}
	seg := segs[0]
	if seg.isIdx {
		arr, ok := node.([]any)
		if !ok || seg.index >= len(arr) {
			return nil, false
		}
		child, ok := setRef(arr[seg.index], segs[1:], v)
		if !ok {
			return nil, false
		}
		cp := make([]any, len(arr))
		copy(cp, arr)
		cp[seg.index] = child
		return cp, true
	}
	var obj map[string]any
	switch n := node.(type) {
	case map[string]any:
		obj = n
	case nil:
		obj = nil
	default:
		return nil, false
	}
	child, ok := setRef(obj[seg.name], segs[1:], v)
	if !ok {
		return nil, false
	}
	// An existing key keeps its place; a new one goes at the end.
	cp := make(map[string]any, len(obj)+1)
	keys := append(orderedKeys(obj), seg.name)
	for k, val := range obj {
		cp[k] = val
	}
	cp[seg.name] = child
	setKeyOrder(cp, keys)
	return cp, true
}

// jsonType names a value's JSON type for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
