package dynamodb

// applyUpdate runs an update expression's actions on a copy of an item.
// Every value on the right of SET is read from the item as it was before
// the update, as DynamoDB evaluates them
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
func applyUpdate(old Item, actions []updateAction) (Item, error) {
	it := old.clone()
	if it == nil {
		it = Item{}
	}
	values := make([]*Value, len(actions))
	for i, a := range actions {
		if a.kind != "SET" {
			continue
		}
		v, err := updateValue(old, a.value)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	// REMOVE of list elements runs from the highest index down, so that
	// removing one does not shift the others named in the same expression.
	var removes []updateAction
	for i, a := range actions {
		var err error
		switch a.kind {
		case "SET":
			err = setPath(it, a.path, values[i].clone())
		case "REMOVE":
			removes = append(removes, a)
		case "ADD":
			err = addPath(it, a.path, a.value.(valueOp).v)
		case "DELETE":
			err = deleteFromSet(it, a.path, a.value.(valueOp).v)
		}
		if err != nil {
			return nil, err
		}
	}
	for len(removes) > 0 {
		hi := 0
		for i, r := range removes {
			if lastIndex(r.path) > lastIndex(removes[hi].path) {
				hi = i
			}
		}
		removePath(it, removes[hi].path)
		removes = append(removes[:hi], removes[hi+1:]...)
	}
	return it, nil
}

func lastIndex(p docPath) int {
	if s := p[len(p)-1]; s.isIndex {
		return s.index
	}
	return -1
}

var (
	errMissingOperand = func() error {
		return validation("The provided expression refers to an attribute that does not exist in the item")
	}
	errOperandType = func() error {
		return validation("An operand in the update expression has an incorrect data type")
	}
	errBadPath = func() error {
		return validation("The document path provided in the update expression is invalid for update")
	}
)

// updateValue evaluates the right side of a SET action.
func updateValue(it Item, o operand) (*Value, error) {
	switch x := o.(type) {
	case pathOp:
		v := resolve(it, x.path)
		if v == nil {
			return nil, errMissingOperand()
		}
		return v, nil
	case valueOp:
		return x.v, nil
	case ifNotExistsOp:
		if v := resolve(it, x.path); v != nil {
			return v, nil
		}
		return updateValue(it, x.def)
	case listAppendOp:
		a, err := updateValue(it, x.a)
		if err != nil {
			return nil, err
		}
		b, err := updateValue(it, x.b)
		if err != nil {
			return nil, err
		}
		if a.Type != "L" || b.Type != "L" {
			return nil, errOperandType()
		}
		out := &Value{Type: "L", List: append(append([]*Value{}, a.List...), b.List...)}
		return out, nil
	case arithOp:
		a, err := updateValue(it, x.l)
		if err != nil {
			return nil, err
		}
		b, err := updateValue(it, x.r)
		if err != nil {
			return nil, err
		}
		if a.Type != "N" || b.Type != "N" {
			return nil, errOperandType()
		}
		n, err := mustNumber(a.Str).add(mustNumber(b.Str), x.op == "-")
		if err != nil {
			return nil, err
		}
		return numValue(n), nil
	}
	return nil, errOperandType()
}

// parentOf finds the container of a path's last step, which must exist.
func parentOf(it Item, p docPath) (*Value, error) {
	if len(p) == 1 {
		return nil, nil
	}
	parent := resolve(it, p[:len(p)-1])
	last := p[len(p)-1]
	if parent == nil || (last.isIndex && parent.Type != "L") || (!last.isIndex && parent.Type != "M") {
		return nil, errBadPath()
	}
	return parent, nil
}

// setPath writes v at p. An index past a list's end appends.
func setPath(it Item, p docPath, v *Value) error {
	parent, err := parentOf(it, p)
	if err != nil {
		return err
	}
	last := p[len(p)-1]
	switch {
	case parent == nil:
		it[last.name] = v
	case last.isIndex:
		if last.index < len(parent.List) {
			parent.List[last.index] = v
		} else {
			parent.List = append(parent.List, v)
		}
	default:
		parent.Map[last.name] = v
	}
	return nil
}

func removePath(it Item, p docPath) {
	last := p[len(p)-1]
	if len(p) == 1 {
		delete(it, last.name)
		return
	}
	parent := resolve(it, p[:len(p)-1])
	switch {
	case parent == nil:
	case last.isIndex && parent.Type == "L" && last.index < len(parent.List):
		parent.List = append(parent.List[:last.index], parent.List[last.index+1:]...)
	case !last.isIndex && parent.Type == "M":
		delete(parent.Map, last.name)
	}
}

// addPath is ADD: a number is added to, a set gains members.
func addPath(it Item, p docPath, v *Value) error {
	cur := resolve(it, p)
	if cur == nil {
		return setPath(it, p, v.clone())
	}
	if cur.Type != v.Type {
		return errOperandType()
	}
	if v.Type == "L" {
		// Only the legacy AttributeUpdates ADD appends to a list.
		cur.List = append(cur.List, v.clone().List...)
		return nil
	}
	if v.Type == "N" {
		n, err := mustNumber(cur.Str).add(mustNumber(v.Str), false)
		if err != nil {
			return err
		}
		cur.Str = n.normalized().String()
		return nil
	}
	for _, m := range v.Set {
		if !containsString(cur.Set, m) {
			cur.Set = append(cur.Set, m)
		}
	}
	return nil
}

// deleteFromSet is DELETE: members leave a set; an emptied set is removed.
func deleteFromSet(it Item, p docPath, v *Value) error {
	cur := resolve(it, p)
	if cur == nil {
		return nil
	}
	if cur.Type != v.Type {
		return errOperandType()
	}
	kept := cur.Set[:0]
	for _, m := range cur.Set {
		if !containsString(v.Set, m) {
			kept = append(kept, m)
		}
	}
	cur.Set = kept
	if len(kept) == 0 {
		removePath(it, p)
	}
	return nil
}
