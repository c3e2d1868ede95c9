package dynamodb

import (
	"sort"
	"strconv"
	"strings"
)

// pathPart is one step of a document path: an attribute or map key
// (name), or a list index.
type pathPart struct {
	name    string
	index   int
	isIndex bool
}

// docPath is a document path such as a.b[1].c, with placeholders resolved.
type docPath []pathPart

// String formats the path the way DynamoDB's messages do: [a, b, [1], c].
func (p docPath) String() string {
	parts := make([]string, len(p))
	for i, s := range p {
		if s.isIndex {
			parts[i] = "[" + strconv.Itoa(s.index) + "]"
		} else {
			parts[i] = s.name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// operand is a value in an expression: a path, a placeholder value or a
// function of operands.
type operand interface{ isOperand() }

type pathOp struct{ path docPath }
type valueOp struct {
	name string
	v    *Value
}
type sizeOp struct{ arg operand }
type arithOp struct {
	op   string // + or -
	l, r operand
}
type ifNotExistsOp struct {
	path docPath
	def  operand
}
type listAppendOp struct{ a, b operand }

func (pathOp) isOperand()        {}
func (valueOp) isOperand()       {}
func (sizeOp) isOperand()        {}
func (arithOp) isOperand()       {}
func (ifNotExistsOp) isOperand() {}
func (listAppendOp) isOperand()  {}

// condition is a boolean expression.
type condition interface{ isCondition() }

type compareCond struct {
	op   string
	l, r operand
}
type betweenCond struct{ x, lo, hi operand }
type inCond struct {
	x    operand
	list []operand
}
type andCond struct{ l, r condition }
type orCond struct{ l, r condition }
type notCond struct{ c condition }
type funcCond struct {
	name string
	args []operand
}

func (compareCond) isCondition() {}
func (betweenCond) isCondition() {}
func (inCond) isCondition()      {}
func (andCond) isCondition()     {}
func (orCond) isCondition()      {}
func (notCond) isCondition()     {}
func (funcCond) isCondition()    {}

// exprEnv holds a request's ExpressionAttributeNames and Values and which of
// them the request's expressions used.
type exprEnv struct {
	names     map[string]string
	values    map[string]*Value
	usedNames map[string]bool
	usedVals  map[string]bool
}

func newExprEnv(names map[string]string, values map[string]*Value) *exprEnv {
	return &exprEnv{names: names, values: values, usedNames: map[string]bool{}, usedVals: map[string]bool{}}
}

// checkUnused reports placeholders that no expression used, as DynamoDB
// does.
func (e *exprEnv) checkUnused() error {
	var names, vals []string
	for k := range e.names {
		if !e.usedNames[k] {
			names = append(names, k)
		}
	}
	for k := range e.values {
		if !e.usedVals[k] {
			vals = append(vals, k)
		}
	}
	sort.Strings(names)
	sort.Strings(vals)
	if len(names) > 0 {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(names, ", "))
	}
	if len(vals) > 0 {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(vals, ", "))
	}
	return nil
}

// parser reads one expression. Syntax errors stop it at once; the first
// semantic error (an undefined placeholder, a reserved word, a misused
// function) is kept and reported only if the whole expression parses, as
// DynamoDB reports a syntax error before any other.
type parser struct {
	src      string
	toks     []token
	pos      int
	env      *exprEnv
	what     string // "ConditionExpression", "UpdateExpression", …
	semantic map[string]error
	update   bool // functions of update expressions are allowed
}

// The order in which DynamoDB reports the kinds of semantic error of an
// expression when it has several.
var (
	conditionErrorOrder  = []string{"parens", "unknownFunction", "misusedFunction", "reserved", "attrName", "attrVal", "count", "distinct", "function"}
	updateErrorOrder     = []string{"reserved", "unknownFunction", "misusedFunction", "section", "attrName", "attrVal", "pathOverlap", "pathConflict", "operand", "count", "function"}
	projectionErrorOrder = []string{"reserved", "attrName", "pathOverlap", "pathConflict"}
)

// syntaxError is raised by panic inside the parser and recovered at its
// entry points.
type syntaxError struct{ err error }

func newParser(what, src string, env *exprEnv) *parser {
	return &parser{src: src, toks: lex(src), env: env, what: what}
}

func (p *parser) peek() token           { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token    { return p.toks[min(p.pos+n, len(p.toks)-1)] }
func (p *parser) next() token           { t := p.toks[p.pos]; p.pos = min(p.pos+1, len(p.toks)-1); return t }
func (p *parser) isPunct(s string) bool { t := p.peek(); return t.kind == tokPunct && t.text == s }
func (p *parser) isKeyword(s string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, s)
}

// fail raises a syntax error at the current token. DynamoDB names the
// token and the text around it (the tokens before and after).
func (p *parser) fail() {
	t := p.peek()
	from, to := t.start, t.end
	if p.pos > 0 {
		from = p.toks[p.pos-1].start
	}
	if t.kind != tokEOF && p.pos+1 < len(p.toks) {
		to = p.toks[p.pos+1].end
	}
	panic(syntaxError{p.errorf("Syntax error; token: \"%s\", near: \"%s\"", t.text, p.src[from:to])})
}

func (p *parser) errorf(format string, args ...any) error {
	return validation("Invalid "+p.what+": "+format, args...)
}

// semanticf keeps the first semantic error of a kind.
func (p *parser) semanticf(kind, format string, args ...any) {
	if p.semantic == nil {
		p.semantic = map[string]error{}
	}
	if p.semantic[kind] == nil {
		p.semantic[kind] = p.errorf(format, args...)
	}
}

func (p *parser) expect(s string) {
	if !p.isPunct(s) {
		p.fail()
	}
	p.next()
}

// run parses with fn and returns the first error: a syntax error, trailing
// tokens, or the first semantic error.
func (p *parser) run(fn func()) (err error) {
	if strings.TrimSpace(p.src) == "" {
		return p.errorf("The expression can not be empty;")
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = se.err
		}
	}()
	fn()
	if p.peek().kind != tokEOF {
		p.fail()
	}
	order := conditionErrorOrder
	switch p.what {
	case "UpdateExpression":
		order = updateErrorOrder
	case "ProjectionExpression":
		order = projectionErrorOrder
	}
	for _, kind := range order {
		if err := p.semantic[kind]; err != nil {
			return err
		}
	}
	return nil
}

// parseCondition parses a condition, filter or key condition expression.
func parseCondition(what, src string, env *exprEnv) (condition, error) {
	p := newParser(what, src, env)
	var c condition
	err := p.run(func() { c = p.orExpr() })
	return c, err
}

func (p *parser) orExpr() condition {
	l := p.andExpr()
	for p.isKeyword("OR") {
		p.next()
		l = orCond{l, p.andExpr()}
	}
	return l
}

func (p *parser) andExpr() condition {
	l := p.notExpr()
	for p.isKeyword("AND") {
		p.next()
		l = andCond{l, p.notExpr()}
	}
	return l
}

func (p *parser) notExpr() condition {
	if p.isKeyword("NOT") {
		p.next()
		return notCond{p.notExpr()}
	}
	return p.primary()
}

// conditionFunctions answer true or false; size is the only function that
// is an operand of a condition.
var conditionFunctions = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2,
}

func (p *parser) primary() condition {
	if p.isPunct("(") {
		// "(" starts a condition or, failing that, an operand such as
		// "(a) BETWEEN b AND c": try the condition first.
		var c condition
		open := p.pos
		if p.attempt(func() { p.next(); c = p.orExpr(); p.expect(")") }) {
			p.checkParens(open)
			return c
		}
	}
	if t := p.peek(); t.kind == tokIdent && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "(" {
		if _, ok := conditionFunctions[t.text]; ok {
			c := p.conditionFunction()
			if p.isComparator() || p.isKeyword("BETWEEN") || p.isKeyword("IN") {
				p.semanticf("misusedFunction", "The function is not allowed to be used this way in an expression; function: %s", t.text)
				p.next()
				p.operand()
			}
			return c
		}
	}
	l := p.operand()
	switch {
	case p.isComparator():
		op := p.next().text
		r := p.operand()
		p.checkDistinct(op, l, r)
		return compareCond{op, l, r}
	case p.isKeyword("BETWEEN"):
		p.next()
		lo := p.operand()
		if !p.isKeyword("AND") {
			p.fail()
		}
		p.next()
		hi := p.operand()
		p.checkDistinct("BETWEEN", l, lo, hi)
		p.checkBounds(lo, hi)
		return betweenCond{l, lo, hi}
	case p.isKeyword("IN"):
		p.next()
		p.expect("(")
		list := []operand{p.operand()}
		for p.isPunct(",") {
			p.next()
			list = append(list, p.operand())
		}
		p.expect(")")
		p.checkDistinct("IN", append([]operand{l}, list...)...)
		return inCond{l, list}
	}
	p.fail()
	return nil
}

func (p *parser) isComparator() bool {
	t := p.peek()
	if t.kind != tokPunct {
		return false
	}
	switch t.text {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// checkDistinct rejects an operator whose first operand is a path that
// also appears among the others (a = a).
func (p *parser) checkDistinct(op string, ops ...operand) {
	first, ok := ops[0].(pathOp)
	if !ok {
		return
	}
	for _, o := range ops[1:] {
		if po, ok := o.(pathOp); ok && po.path.String() == first.path.String() {
			p.semanticf("distinct", "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, first.path)
			return
		}
	}
}

// checkBounds rejects a BETWEEN whose literal bounds are of different
// types or in the wrong order.
func (p *parser) checkBounds(lo, hi operand) {
	l, ok1 := lo.(valueOp)
	h, ok2 := hi.(valueOp)
	if !ok1 || !ok2 || l.v == nil || h.v == nil {
		return
	}
	if l.v.Type != h.v.Type {
		p.semanticf("function", "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}", brief(l.v), brief(h.v))
		return
	}
	if c, ok := compare(l.v, h.v); ok && c > 0 {
		p.semanticf("function", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}", brief(l.v), brief(h.v))
	}
}

// brief formats a scalar as DynamoDB's messages do: N:5, S:abc.
func brief(v *Value) string {
	switch v.Type {
	case "S", "N":
		return v.Type + ":" + v.Str
	}
	return v.Type
}

func (p *parser) conditionFunction() condition {
	name := p.next().text
	args := p.arguments()
	want := conditionFunctions[name]
	if len(args) != want {
		p.semanticf("count", "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
		return funcCond{name, args}
	}
	switch name {
	case "attribute_exists", "attribute_not_exists":
		p.requirePath(name, args[0])
	case "attribute_type":
		p.requirePath(name, args[0])
		if v, ok := args[1].(valueOp); ok && v.v != nil {
			if v.v.Type != "S" {
				p.semanticf("function", "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, v.v.Type)
			} else if !containsString(valueTypes, v.v.Str) {
				p.semanticf("function", "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", v.v.Str)
			}
		}
	case "begins_with":
		for _, a := range args {
			if t := p.staticType(a); t != "" && t != "S" && t != "B" {
				p.semanticf("function", "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, t)
			}
		}
	case "contains":
		if a, ok := args[0].(pathOp); ok {
			if b, ok := args[1].(pathOp); ok && a.path.String() == b.path.String() {
				p.semanticf("distinct", "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", name, a.path)
			}
		}
	}
	return funcCond{name, args}
}

// staticType is the type of an operand known before any item is read: a
// placeholder value's type, or N for size().
func (p *parser) staticType(o operand) string {
	switch x := o.(type) {
	case valueOp:
		if x.v != nil {
			return x.v.Type
		}
	case sizeOp:
		return "N"
	}
	return ""
}

func (p *parser) requirePath(fn string, o operand) {
	if _, ok := o.(pathOp); !ok {
		p.semanticf("function", "Operator or function requires a document path; operator or function: %s", fn)
	}
}

// arguments reads "(" operand {"," operand} ")".
func (p *parser) arguments() []operand {
	p.expect("(")
	args := []operand{p.operand()}
	for p.isPunct(",") {
		p.next()
		args = append(args, p.operand())
	}
	p.expect(")")
	return args
}

// attempt runs fn and reports whether it parsed; on a syntax error it
// puts the parser back where it was, forgetting what fn found.
func (p *parser) attempt(fn func()) (ok bool) {
	pos := p.pos
	semantic := map[string]error{}
	for k, v := range p.semantic {
		semantic[k] = v
	}
	names, vals := copySet(p.env.usedNames), copySet(p.env.usedVals)
	defer func() {
		if r := recover(); r != nil {
			if _, isSyntax := r.(syntaxError); !isSyntax {
				panic(r)
			}
			p.pos, p.semantic = pos, semantic
			p.env.usedNames, p.env.usedVals = names, vals
			ok = false
		}
	}()
	fn()
	return true
}

func copySet(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// checkParens reports "((x))": parentheses directly around parentheses,
// which DynamoDB refuses as redundant. open is the outer "(" and the
// parser stands just past its ")".
func (p *parser) checkParens(open int) {
	close := p.pos - 1
	if p.toks[open+1].text != "(" || p.toks[open+1].kind != tokPunct {
		return
	}
	depth := 0
	for i := open + 1; i < close; i++ {
		if p.toks[i].kind != tokPunct {
			continue
		}
		switch p.toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				if i == close-1 {
					p.semanticf("parens", "The expression has redundant parentheses;")
				}
				return
			}
		}
	}
}

// keywords cannot name attributes, not even reserved-word style: they are
// syntax.
var keywords = map[string]bool{"AND": true, "OR": true, "NOT": true, "BETWEEN": true, "IN": true}

// sections start the clauses of an update expression.
var sections = map[string]bool{"SET": true, "REMOVE": true, "ADD": true, "DELETE": true}

// operand reads a path, a :value or a function that yields a value, maybe
// in parentheses.
func (p *parser) operand() operand {
	t := p.peek()
	if t.kind == tokPunct && t.text == "(" {
		open := p.pos
		p.next()
		o := p.operand()
		p.expect(")")
		p.checkParens(open)
		return o
	}
	switch t.kind {
	case tokValue:
		p.next()
		return p.valueRef(t.text)
	case tokIdent, tokName:
		if t.kind == tokIdent && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "(" {
			return p.functionOperand()
		}
		return pathOp{p.path()}
	}
	p.fail()
	return nil
}

func (p *parser) valueRef(name string) operand {
	v, ok := p.env.values[name]
	if !ok {
		p.semanticf("attrVal", "An expression attribute value used in expression is not defined; attribute value: %s", name)
	}
	p.env.usedVals[name] = true
	return valueOp{name, v}
}

func (p *parser) functionOperand() operand {
	name := p.peek().text
	switch {
	case name == "size" && !p.update:
		p.next()
		args := p.arguments()
		if len(args) != 1 {
			p.semanticf("count", "Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
			return sizeOp{args[0]}
		}
		if t := p.staticType(args[0]); t == "N" || t == "BOOL" || t == "NULL" {
			p.semanticf("function", "Incorrect operand type for operator or function; operator or function: size, operand type: %s", t)
		}
		return sizeOp{args[0]}
	case p.update && name == "if_not_exists":
		p.next()
		args := p.arguments()
		if len(args) != 2 {
			p.semanticf("count", "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: %d", len(args))
			return ifNotExistsOp{nil, args[0]}
		}
		path, ok := args[0].(pathOp)
		if !ok {
			p.semanticf("function", "Operator or function requires a document path; operator or function: if_not_exists")
		}
		return ifNotExistsOp{path.path, args[1]}
	case p.update && name == "list_append":
		p.next()
		args := p.arguments()
		if len(args) != 2 {
			p.semanticf("count", "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: %d", len(args))
			return listAppendOp{args[0], args[0]}
		}
		for _, a := range args {
			if t := p.staticType(a); t != "" && t != "L" {
				p.semanticf("function", "Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", t)
			}
		}
		return listAppendOp{args[0], args[1]}
	}
	_, isCond := conditionFunctions[name]
	if isCond || name == "size" || name == "if_not_exists" || name == "list_append" {
		p.semanticf("misusedFunction", "The function is not allowed to be used this way in an expression; function: %s", name)
	} else {
		p.semanticf("unknownFunction", "Invalid function name; function: %s", name)
	}
	p.next()
	args := p.arguments()
	return args[0]
}

// path reads name {"." name | "[" digits "]"}, resolving #placeholders.
func (p *parser) path() docPath {
	var out docPath
	out = append(out, pathPart{name: p.pathName()})
	for {
		switch {
		case p.isPunct("."):
			p.next()
			out = append(out, pathPart{name: p.pathName()})
		case p.isPunct("["):
			p.next()
			t := p.peek()
			if t.kind != tokNumber {
				p.fail()
			}
			p.next()
			i, err := strconv.Atoi(t.text)
			if err != nil {
				p.fail()
			}
			p.expect("]")
			out = append(out, pathPart{index: i, isIndex: true})
		default:
			return out
		}
	}
}

func (p *parser) pathName() string {
	t := p.peek()
	switch t.kind {
	case tokIdent:
		if keywords[strings.ToUpper(t.text)] || (p.update && sections[strings.ToUpper(t.text)]) {
			p.fail()
		}
		p.next()
		if isReserved(t.text) {
			p.semanticf("reserved", "Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		return t.text
	case tokName:
		p.next()
		n, ok := p.env.names[t.text]
		if !ok {
			p.semanticf("attrName", "An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.env.usedNames[t.text] = true
		return n
	}
	p.fail()
	return ""
}

// parseProjection parses a ProjectionExpression: paths separated by commas.
func parseProjection(src string, env *exprEnv) ([]docPath, error) {
	p := newParser("ProjectionExpression", src, env)
	var paths []docPath
	err := p.run(func() {
		paths = append(paths, p.path())
		for p.isPunct(",") {
			p.next()
			paths = append(paths, p.path())
		}
		p.checkPaths(paths)
	})
	return paths, err
}

// checkPaths rejects two paths where one contains the other (overlap) or
// where they disagree on whether a step is a key or an index (conflict).
func (p *parser) checkPaths(paths []docPath) {
	for i := range paths {
		for j := 0; j < i; j++ {
			a, b := paths[j], paths[i]
			n := min(len(a), len(b))
			k := 0
			for k < n && a[k] == b[k] {
				k++
			}
			switch {
			case k == n:
				p.semanticf("pathOverlap", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			case k > 0 && a[k].isIndex != b[k].isIndex:
				p.semanticf("pathConflict", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			}
		}
	}
}

// updateAction is one action of an update expression.
type updateAction struct {
	kind  string // SET, REMOVE, ADD, DELETE
	path  docPath
	value operand
}

// parseUpdate parses an UpdateExpression: SET, REMOVE, ADD and DELETE
// sections, each at most once, in any order.
func parseUpdate(src string, env *exprEnv) ([]updateAction, error) {
	p := newParser("UpdateExpression", src, env)
	p.update = true
	var actions []updateAction
	err := p.run(func() {
		seen := map[string]bool{}
		for {
			t := p.peek()
			if t.kind != tokIdent {
				p.fail()
			}
			kind := strings.ToUpper(t.text)
			if kind != "SET" && kind != "REMOVE" && kind != "ADD" && kind != "DELETE" {
				p.fail()
			}
			p.next()
			if seen[kind] {
				p.semanticf("section", "The %q section can only be used once in an update expression;", kind)
			}
			seen[kind] = true
			for {
				actions = append(actions, p.updateAction(kind))
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
			if p.peek().kind == tokEOF {
				break
			}
		}
		paths := make([]docPath, len(actions))
		for i, a := range actions {
			paths[i] = a.path
		}
		p.checkPaths(paths)
	})
	return actions, err
}

func (p *parser) updateAction(kind string) updateAction {
	path := p.path()
	switch kind {
	case "SET":
		p.expect("=")
		v := p.operand()
		if p.isPunct("+") || p.isPunct("-") {
			op := p.next().text
			r := p.operand()
			for _, o := range []operand{v, r} {
				if t := p.staticType(o); t != "" && t != "N" {
					p.semanticf("operand", "Incorrect operand type for operator or function; operator: %s, operand type: %s", op, t)
				}
			}
			v = arithOp{op, v, r}
		}
		return updateAction{kind, path, v}
	case "REMOVE":
		return updateAction{kind: kind, path: path}
	}
	t := p.peek()
	if t.kind != tokValue {
		p.fail()
	}
	p.next()
	v := p.valueRef(t.text)
	if vo := v.(valueOp); vo.v != nil {
		okType := vo.v.Type == "SS" || vo.v.Type == "NS" || vo.v.Type == "BS" || (kind == "ADD" && vo.v.Type == "N")
		if !okType {
			p.semanticf("operand", "Incorrect operand type for operator or function; operator: %s, operand type: %s", kind, typeName(vo.v.Type))
		}
	}
	return updateAction{kind, path, v}
}

// typeName spells a type as DynamoDB's messages do.
func typeName(t string) string {
	switch t {
	case "S":
		return "STRING"
	case "N":
		return "NUMBER"
	case "B":
		return "BINARY"
	case "BOOL":
		return "BOOLEAN"
	case "L":
		return "LIST"
	case "M":
		return "MAP"
	case "SS":
		return "STRING SET"
	case "NS":
		return "NUMBER SET"
	case "BS":
		return "BINARY SET"
	}
	return t
}
