package dynamodb

import (
	"sort"
	"strings"
)

// The legacy conditional parameters (Expected, KeyConditions, QueryFilter,
// ScanFilter, AttributeUpdates) are translated into the expressions that
// replaced them
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html).

// legacyCondition is the Condition shape.
type legacyCondition struct {
	ComparisonOperator string   `json:"ComparisonOperator"`
	AttributeValueList []*Value `json:"AttributeValueList"`
}

// expectedAttribute is the ExpectedAttributeValue shape.
type expectedAttribute struct {
	Value              *Value   `json:"Value"`
	Exists             *bool    `json:"Exists"`
	ComparisonOperator string   `json:"ComparisonOperator"`
	AttributeValueList []*Value `json:"AttributeValueList"`
}

// attributeUpdate is the AttributeValueUpdate shape.
type attributeUpdate struct {
	Action string `json:"Action"`
	Value  *Value `json:"Value"`
}

// mixedParams reports a request that uses both kinds of parameter.
func mixedParams(legacy, expr []string) error {
	if len(legacy) == 0 || len(expr) == 0 {
		return nil
	}
	return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
		strings.Join(legacy, ", "), strings.Join(expr, ", "))
}

// named lists the names whose flag is set, in order.
func named(pairs ...any) []string {
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			out = append(out, pairs[i].(string))
		}
	}
	return out
}

// operatorArity is how many values each comparison operator takes (-1:
// one or more).
var operatorArity = map[string]int{
	"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
	"CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "IN": -1, "BETWEEN": 2,
}

// legacyToCondition turns one attribute's Condition into a condition.
func legacyToCondition(name string, c legacyCondition) (condition, error) {
	op := c.ComparisonOperator
	n, ok := operatorArity[op]
	if !ok {
		return nil, validation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	vals := c.AttributeValueList
	if (n >= 0 && len(vals) != n) || (n < 0 && len(vals) == 0) {
		return nil, invalidParam("Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, v := range vals {
		scalar := v.Type == "S" || v.Type == "N" || v.Type == "B"
		switch op {
		case "LE", "LT", "GE", "GT", "BETWEEN", "IN":
			if !scalar {
				return nil, invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", op, v.Type)
			}
		case "CONTAINS", "NOT_CONTAINS":
			if !scalar {
				return nil, invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", op, v.Type)
			}
		case "BEGINS_WITH":
			if v.Type != "S" && v.Type != "B" {
				return nil, invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", op, v.Type)
			}
		}
	}
	if len(vals) > 1 {
		for _, v := range vals[1:] {
			if v.Type != vals[0].Type {
				return nil, invalidParam("AttributeValues inside AttributeValueList must be of same type")
			}
		}
	}
	path := pathOp{docPath{{name: name}}}
	val := func(i int) operand { return valueOp{v: vals[i]} }
	switch op {
	case "EQ":
		return compareCond{"=", path, val(0)}, nil
	case "NE":
		return compareCond{"<>", path, val(0)}, nil
	case "LE":
		return compareCond{"<=", path, val(0)}, nil
	case "LT":
		return compareCond{"<", path, val(0)}, nil
	case "GE":
		return compareCond{">=", path, val(0)}, nil
	case "GT":
		return compareCond{">", path, val(0)}, nil
	case "NOT_NULL":
		return funcCond{"attribute_exists", []operand{path}}, nil
	case "NULL":
		return funcCond{"attribute_not_exists", []operand{path}}, nil
	case "CONTAINS":
		return funcCond{"contains", []operand{path, val(0)}}, nil
	case "NOT_CONTAINS":
		return andCond{funcCond{"attribute_exists", []operand{path}}, notCond{funcCond{"contains", []operand{path, val(0)}}}}, nil
	case "BEGINS_WITH":
		return funcCond{"begins_with", []operand{path, val(0)}}, nil
	case "IN":
		list := make([]operand, len(vals))
		for i := range vals {
			list[i] = val(i)
		}
		return inCond{path, list}, nil
	}
	if c, _ := compare(vals[0], vals[1]); c > 0 {
		return nil, validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
	}
	return betweenCond{path, val(0), val(1)}, nil
}

// joinConditions combines conditions with AND (the default) or OR.
func joinConditions(conds []condition, op string) (condition, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	switch op {
	case "", "AND", "OR":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]", op)
	}
	c := conds[0]
	for _, x := range conds[1:] {
		if op == "OR" {
			c = orCond{c, x}
		} else {
			c = andCond{c, x}
		}
	}
	return c, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// filterCondition translates QueryFilter or ScanFilter.
func filterCondition(filter map[string]legacyCondition, op string) (condition, error) {
	var conds []condition
	for _, name := range sortedKeys(filter) {
		c, err := legacyToCondition(name, filter[name])
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	if op != "" && len(filter) == 0 {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
	}
	return joinConditions(conds, op)
}

// expectedCondition translates Expected.
func expectedCondition(expected map[string]expectedAttribute, op string) (condition, error) {
	var conds []condition
	for _, name := range sortedKeys(expected) {
		e := expected[name]
		switch {
		case e.ComparisonOperator != "":
			if e.Value != nil {
				return nil, invalidParam("Value and ComparisonOperator cannot be used together for Attribute: %s", name)
			}
			if e.Exists != nil {
				return nil, invalidParam("Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
			}
			c, err := legacyToCondition(name, legacyCondition{e.ComparisonOperator, e.AttributeValueList})
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		case e.AttributeValueList != nil:
			return nil, invalidParam("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
		case e.Exists != nil && !*e.Exists:
			if e.Value != nil {
				return nil, invalidParam("Value cannot be used when Exists is false for Attribute: %s", name)
			}
			conds = append(conds, funcCond{"attribute_not_exists", []operand{pathOp{docPath{{name: name}}}}})
		case e.Value == nil:
			return nil, invalidParam("Value must be provided when Exists is %s for Attribute: %s", map[bool]string{true: "true", false: "null"}[e.Exists != nil], name)
		default:
			conds = append(conds, compareCond{"=", pathOp{docPath{{name: name}}}, valueOp{v: e.Value}})
		}
	}
	return joinConditions(conds, op)
}

// updatesToActions translates AttributeUpdates.
func updatesToActions(updates map[string]attributeUpdate) ([]updateAction, error) {
	var out []updateAction
	for _, name := range sortedKeys(updates) {
		u := updates[name]
		path := docPath{{name: name}}
		switch u.Action {
		case "", "PUT":
			if u.Value == nil {
				return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
			}
			out = append(out, updateAction{"SET", path, valueOp{v: u.Value}})
		case "DELETE":
			if u.Value == nil {
				out = append(out, updateAction{kind: "REMOVE", path: path})
				continue
			}
			if u.Value.Type != "SS" && u.Value.Type != "NS" && u.Value.Type != "BS" {
				return nil, invalidParam("DELETE action with value is not supported for the type %s", u.Value.Type)
			}
			out = append(out, updateAction{"DELETE", path, valueOp{v: u.Value}})
		case "ADD":
			if u.Value == nil {
				return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
			}
			switch u.Value.Type {
			case "N", "SS", "NS", "BS", "L":
			default:
				return nil, invalidParam("ADD action is not supported for the type %s", u.Value.Type)
			}
			out = append(out, updateAction{"ADD", path, valueOp{v: u.Value}})
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", u.Action, name)
		}
	}
	return out, nil
}
