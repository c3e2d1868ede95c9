package asl

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// intrinsicCall is a parsed call of a States.* intrinsic function.
type intrinsicCall struct {
	name string
	args []intrinsicArg
	text string
}

// intrinsicArg is one argument: a literal, a path or a nested call.
type intrinsicArg struct {
	literal any
	isLit   bool
	path    *compiledPath
	call    *intrinsicCall
	// format holds a string literal split around its unescaped "{}"
	// placeholders, for States.Format's template.
	format []string
}

var intrinsicCache sync.Map // string → *intrinsicCall

// maxIntrinsicDepth bounds nesting so a hostile definition cannot exhaust
// the stack.
const maxIntrinsicDepth = 32

// parseIntrinsic parses an intrinsic function call such as
// "States.Format('Hello, {}', $.name)".
func parseIntrinsic(s string) (*intrinsicCall, error) {
	if c, ok := intrinsicCache.Load(s); ok {
		return c.(*intrinsicCall), nil
	}
	p := &intrinsicParser{s: s}
	call, err := p.call(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the closing parenthesis at offset %d", p.s[p.i:], p.i)
	}
	intrinsicCache.Store(s, call)
	return call, nil
}

type intrinsicParser struct {
	s string
	i int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *intrinsicParser) call(depth int) (*intrinsicCall, error) {
	if depth > maxIntrinsicDepth {
		return nil, fmt.Errorf("intrinsic functions nested more than %d deep", maxIntrinsicDepth)
	}
	start := p.i
	if !strings.HasPrefix(p.s[p.i:], "States.") {
		return nil, fmt.Errorf("expected a States.* function at offset %d", p.i)
	}
	p.i += len("States.")
	j := p.i
	for j < len(p.s) && (isASCIILetter(p.s[j]) || p.s[j] >= '0' && p.s[j] <= '9') {
		j++
	}
	name := "States." + p.s[p.i:j]
	p.i = j
	if _, ok := intrinsics[name]; !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q", name)
	}
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("expected \"(\" after %s", name)
	}
	p.i++
	call := &intrinsicCall{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		call.text = p.s[start:p.i]
		return call, call.checkArity()
	}
	for {
		p.space()
		arg, err := p.arg(depth)
		if err != nil {
			return nil, err
		}
		call.args = append(call.args, arg)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("missing \")\" to close %s", name)
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == ')' {
			p.i++
			break
		}
		return nil, fmt.Errorf("unexpected %q in the arguments of %s at offset %d", p.s[p.i], name, p.i)
	}
	call.text = p.s[start:p.i]
	return call, call.checkArity()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (p *intrinsicParser) arg(depth int) (intrinsicArg, error) {
	if p.i >= len(p.s) {
		return intrinsicArg{}, fmt.Errorf("missing argument at the end")
	}
	c := p.s[p.i]
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		j := p.i
		for j < len(p.s) && p.s[j] != ',' && p.s[j] != ')' && p.s[j] != ' ' {
			if p.s[j] == '[' {
				end, err := matchBracket(p.s, j)
				if err != nil {
					return intrinsicArg{}, err
				}
				j = end
			}
			j++
		}
		text := p.s[p.i:j]
		cp, err := compilePath(text)
		if err != nil {
			return intrinsicArg{}, fmt.Errorf("invalid path %q: %v", text, err)
		}
		p.i = j
		return intrinsicArg{path: cp}, nil
	case strings.HasPrefix(p.s[p.i:], "States."):
		call, err := p.call(depth + 1)
		if err != nil {
			return intrinsicArg{}, err
		}
		return intrinsicArg{call: call}, nil
	case c == '-' || c >= '0' && c <= '9':
		j := p.i + 1
		for j < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[j]) >= 0 {
			j++
		}
		text := p.s[p.i:j]
		var n json.Number
		if err := json.Unmarshal([]byte(text), &n); err != nil {
			return intrinsicArg{}, fmt.Errorf("invalid number %q", text)
		}
		p.i = j
		return intrinsicArg{literal: n, isLit: true}, nil
	}
	for _, kw := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.s[p.i:], kw.text) {
			p.i += len(kw.text)
			return intrinsicArg{literal: kw.v, isLit: true}, nil
		}
	}
	return intrinsicArg{}, fmt.Errorf("unexpected %q at offset %d: an argument is a 'string', a number, true, false, null, a path or a States.* call", c, p.i)
}

// stringLit reads a single-quoted string. A backslash escapes the next
// character; an escaped brace is not a States.Format placeholder.
func (p *intrinsicParser) stringLit() (intrinsicArg, error) {
	p.i++ // opening quote
	var val, cur strings.Builder
	var parts []string
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return intrinsicArg{}, fmt.Errorf("unterminated escape in string")
			}
			val.WriteByte(p.s[p.i+1])
			cur.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == '\'':
			p.i++
			parts = append(parts, cur.String())
			return intrinsicArg{literal: val.String(), isLit: true, format: parts}, nil
		case c == '{' && p.i+1 < len(p.s) && p.s[p.i+1] == '}':
			val.WriteString("{}")
			parts = append(parts, cur.String())
			cur.Reset()
			p.i += 2
		default:
			val.WriteByte(c)
			cur.WriteByte(c)
			p.i++
		}
	}
	return intrinsicArg{}, fmt.Errorf("unterminated string literal")
}

// arity gives each function's minimum and maximum argument count (-1: no
// maximum).
var arity = map[string][2]int{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

func (c *intrinsicCall) checkArity() error {
	a := arity[c.name]
	n := len(c.args)
	if n < a[0] || a[1] >= 0 && n > a[1] {
		if a[0] == a[1] {
			return fmt.Errorf("%s takes %d argument(s), got %d", c.name, a[0], n)
		}
		if a[1] < 0 {
			return fmt.Errorf("%s takes at least %d argument(s), got %d", c.name, a[0], n)
		}
		return fmt.Errorf("%s takes %d to %d arguments, got %d", c.name, a[0], a[1], n)
	}
	if c.name == "States.Format" {
		first := c.args[0]
		if first.isLit {
			if _, ok := first.literal.(string); !ok {
				return fmt.Errorf("the first argument of States.Format must be a string template")
			}
			if want := len(first.format) - 1; want != n-1 {
				return fmt.Errorf("States.Format template has %d placeholder(s) but %d value(s) follow it", want, n-1)
			}
		}
	}
	return nil
}

// eval evaluates the call against the state's data and the context object.
func (c *intrinsicCall) eval(data, ctx any, env *evalEnv) (any, *Error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.isLit:
			args[i] = a.literal
		case a.path != nil:
			v, ok := selectPath(a.path, data, ctx)
			if !ok {
				return nil, newError(ErrRuntime, "The JSONPath '%s' in the function '%s' could not be found in the input %s", a.path.text, c.text, truncate(encodeValue(data)))
			}
			args[i] = v
		default:
			v, err := a.call.eval(data, ctx, env)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	fn := intrinsics[c.name]
	v, err := fn(c, args, env)
	if err != nil {
		return nil, newError(ErrIntrinsicFailure, "The function '%s' had the following error: %v", c.text, err)
	}
	return v, nil
}

// truncate shortens long JSON for error causes.
func truncate(b []byte) string {
	const max = 1024
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + "..."
}
