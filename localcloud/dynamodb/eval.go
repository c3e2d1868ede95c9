package dynamodb

import (
	"strings"
	"unicode/utf8"
)

// resolve finds the value at a path in an item, or nil.
func resolve(it Item, p docPath) *Value {
	if len(p) == 0 {
		return nil
	}
	v := it[p[0].name]
	for _, s := range p[1:] {
		if v == nil {
			return nil
		}
		switch {
		case s.isIndex && v.Type == "L":
			if s.index >= len(v.List) {
				return nil
			}
			v = v.List[s.index]
		case !s.isIndex && v.Type == "M":
			v = v.Map[s.name]
		default:
			return nil
		}
	}
	return v
}

// operandValue evaluates an operand of a condition against an item; nil
// means no value (a missing attribute, or size of a type without one).
func operandValue(it Item, o operand) *Value {
	switch x := o.(type) {
	case pathOp:
		return resolve(it, x.path)
	case valueOp:
		return x.v
	case sizeOp:
		v := operandValue(it, x.arg)
		if v == nil {
			return nil
		}
		n, ok := sizeOf(v)
		if !ok {
			return nil
		}
		return numValue(number{coef: bigInt(int64(n))})
	}
	return nil
}

// sizeOf is the size function: characters of a string, bytes of a binary,
// members of a set, list or map
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions).
func sizeOf(v *Value) (int, bool) {
	switch v.Type {
	case "S":
		return utf8.RuneCountInString(v.Str), true
	case "B":
		return len(v.Str), true
	case "SS", "NS", "BS":
		return len(v.Set), true
	case "L":
		return len(v.List), true
	case "M":
		return len(v.Map), true
	}
	return 0, false
}

// eval decides a condition for an item (nil: the item does not exist).
func eval(it Item, c condition) bool {
	switch x := c.(type) {
	case andCond:
		return eval(it, x.l) && eval(it, x.r)
	case orCond:
		return eval(it, x.l) || eval(it, x.r)
	case notCond:
		return !eval(it, x.c)
	case compareCond:
		l, r := operandValue(it, x.l), operandValue(it, x.r)
		if l == nil || r == nil {
			// A missing attribute is unequal to everything.
			return x.op == "<>" && (l != nil || r != nil)
		}
		switch x.op {
		case "=":
			return l.equal(r)
		case "<>":
			return !l.equal(r)
		}
		cmp, ok := compare(l, r)
		if !ok {
			return false
		}
		switch x.op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		}
		return cmp >= 0
	case betweenCond:
		v, lo, hi := operandValue(it, x.x), operandValue(it, x.lo), operandValue(it, x.hi)
		if v == nil || lo == nil || hi == nil {
			return false
		}
		a, ok1 := compare(lo, v)
		b, ok2 := compare(v, hi)
		return ok1 && ok2 && a <= 0 && b <= 0
	case inCond:
		v := operandValue(it, x.x)
		if v == nil {
			return false
		}
		for _, o := range x.list {
			if w := operandValue(it, o); w != nil && v.equal(w) {
				return true
			}
		}
		return false
	case funcCond:
		return evalFunction(it, x)
	}
	return false
}

func evalFunction(it Item, f funcCond) bool {
	if len(f.args) != conditionFunctions[f.name] {
		return false
	}
	a := operandValue(it, f.args[0])
	switch f.name {
	case "attribute_exists":
		return a != nil
	case "attribute_not_exists":
		return a == nil
	}
	b := operandValue(it, f.args[1])
	if a == nil || b == nil {
		return false
	}
	switch f.name {
	case "attribute_type":
		return b.Type == "S" && a.Type == b.Str
	case "begins_with":
		return (a.Type == "S" || a.Type == "B") && a.Type == b.Type && strings.HasPrefix(a.Str, b.Str)
	case "contains":
		switch a.Type {
		case "S":
			return b.Type == "S" && strings.Contains(a.Str, b.Str)
		case "SS", "NS", "BS":
			return b.Type == a.Type[:1] && containsString(a.Set, b.Str)
		case "L":
			for _, e := range a.List {
				if e.equal(b) {
					return true
				}
			}
		}
	}
	return false
}

// project keeps only the given paths of an item, keeping their nesting;
// projected list elements keep their order and close up.
func project(it Item, paths []docPath) Item {
	root := &mask{}
	for _, p := range paths {
		n := root
		for _, s := range p {
			n = n.child(s)
		}
		n.leaf = true
	}
	out := Item{}
	for name, n := range root.names {
		if v, ok := it[name]; ok {
			if c := n.copy(v); c != nil {
				out[name] = c
			}
		}
	}
	return out
}

// mask is the tree of projected paths.
type mask struct {
	leaf    bool
	names   map[string]*mask
	indexes map[int]*mask
}

func (m *mask) child(s pathPart) *mask {
	if s.isIndex {
		if m.indexes == nil {
			m.indexes = map[int]*mask{}
		}
		if m.indexes[s.index] == nil {
			m.indexes[s.index] = &mask{}
		}
		return m.indexes[s.index]
	}
	if m.names == nil {
		m.names = map[string]*mask{}
	}
	if m.names[s.name] == nil {
		m.names[s.name] = &mask{}
	}
	return m.names[s.name]
}

// copy returns the part of v the mask selects, or nil.
func (m *mask) copy(v *Value) *Value {
	if m.leaf {
		return v.clone()
	}
	switch {
	case v.Type == "M" && m.names != nil:
		out := &Value{Type: "M", Map: map[string]*Value{}}
		for name, n := range m.names {
			if e, ok := v.Map[name]; ok {
				if c := n.copy(e); c != nil {
					out.Map[name] = c
				}
			}
		}
		if len(out.Map) == 0 {
			return nil
		}
		return out
	case v.Type == "L" && m.indexes != nil:
		out := &Value{Type: "L"}
		for i, e := range v.List {
			if n, ok := m.indexes[i]; ok {
				if c := n.copy(e); c != nil {
					out.List = append(out.List, c)
				}
			}
		}
		if len(out.List) == 0 {
			return nil
		}
		return out
	}
	return nil
}
