package dynamodb

import (
	"regexp"
	"strings"
)

// exprInput is what every item operation takes to name attributes and
// values in its expressions.
type exprInput struct {
	ExpressionAttributeNames  map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]*Value `json:"ExpressionAttributeValues"`
}

var (
	namePlaceholder  = regexp.MustCompile(`^#[A-Za-z0-9_]+$`)
	valuePlaceholder = regexp.MustCompile(`^:[A-Za-z0-9_]+$`)
)

// env checks the placeholders and returns the environment expressions
// are parsed in. exprs are the request's expressions that are set.
func (in *exprInput) env(hasExpr bool) (*exprEnv, error) {
	if in.ExpressionAttributeNames != nil {
		if !hasExpr {
			return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if len(in.ExpressionAttributeNames) == 0 {
			return nil, validation("ExpressionAttributeNames must not be empty")
		}
		for k := range in.ExpressionAttributeNames {
			if !namePlaceholder.MatchString(k) {
				return nil, validation("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	if in.ExpressionAttributeValues != nil {
		if !hasExpr {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		if len(in.ExpressionAttributeValues) == 0 {
			return nil, validation("ExpressionAttributeValues must not be empty")
		}
		for k := range in.ExpressionAttributeValues {
			if !valuePlaceholder.MatchString(k) {
				return nil, validation("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	return newExprEnv(in.ExpressionAttributeNames, in.ExpressionAttributeValues), nil
}

// conditionOf parses an optional condition or filter expression.
func conditionOf(what string, src *string, env *exprEnv) (condition, error) {
	if src == nil {
		return nil, nil
	}
	return parseCondition(what, *src, env)
}

// projectionOf parses an optional ProjectionExpression.
func projectionOf(src *string, env *exprEnv) ([]docPath, error) {
	if src == nil {
		return nil, nil
	}
	return parseProjection(*src, env)
}

// checkKey checks that key holds exactly the table's key attributes, of
// their declared types.
func (t *table) checkKey(key Item) error {
	bad := validation("The provided key element does not match the schema")
	want := 1
	if t.primary.rng != "" {
		want = 2
	}
	if len(key) != want {
		return bad
	}
	for _, name := range []string{t.primary.hash, t.primary.rng} {
		if name == "" {
			continue
		}
		v := key[name]
		if v == nil || v.Type != t.meta.attrType(name) {
			return bad
		}
		if v.Type != "N" && v.Str == "" {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyKind(v.Type), name)
		}
	}
	return nil
}

func emptyKind(t string) string {
	if t == "B" {
		return "binary"
	}
	return "string"
}

// maxItemSize is DynamoDB's item size limit, 400 KB
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items).
const maxItemSize = 400 * 1024

// checkItem checks an item to be written: its key attributes, the key
// attributes of the indexes it is in, and its size.
func (t *table) checkItem(it Item) error {
	for _, name := range []string{t.primary.hash, t.primary.rng} {
		if name == "" {
			continue
		}
		v := it[name]
		if v == nil {
			return invalidParam("Missing the key %s in the item", name)
		}
		if want := t.meta.attrType(name); v.Type != want {
			return invalidParam("Type mismatch for key %s expected: %s actual: %s", name, want, v.Type)
		}
		if v.Type != "N" && v.Str == "" {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyKind(v.Type), name)
		}
	}
	for _, ix := range t.secondary {
		for _, name := range []string{ix.hash, ix.rng} {
			v := it[name]
			if name == "" || v == nil {
				continue
			}
			if want := t.meta.attrType(name); v.Type != want {
				return invalidParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", name, want, v.Type, ix.name)
			}
			if v.Type != "N" && v.Str == "" {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyKind(v.Type), ix.name, name)
			}
		}
	}
	if it.size() > maxItemSize {
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// returnValues checks a ReturnValues member against the values an
// operation allows.
func returnValues(rv string, allowed ...string) (string, error) {
	if rv == "" {
		return "NONE", nil
	}
	all := []string{"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"}
	if !containsString(all, rv) {
		return "", validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", rv)
	}
	if !containsString(allowed, rv) {
		return "", validation("ReturnValues can only be %s", strings.Join(allowed[1:], " or ")+" or NONE")
	}
	return rv, nil
}

// consumed is the ConsumedCapacity reported when asked for.
func consumed(rcc, table string, units float64) map[string]any {
	if rcc != "TOTAL" && rcc != "INDEXES" {
		return nil
	}
	return map[string]any{"TableName": table, "CapacityUnits": units}
}
