package dynamodb

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// exprInput is what every item operation takes to name attributes and
// values in its expressions.
type exprInput struct {
	ExpressionAttributeNames  map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues exprValues        `json:"ExpressionAttributeValues"`
}

// exprValues are ExpressionAttributeValues: a value DynamoDB refuses is
// reported with its placeholder.
type exprValues map[string]*Value

func (ev *exprValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return serialization("Unexpected field type")
	}
	out := make(exprValues, len(raw))
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := new(Value)
		if err := v.UnmarshalJSON(raw[k]); err != nil {
			if e, ok := err.(*Error); ok && e.Code() == "ValidationException" {
				return validation("ExpressionAttributeValues contains invalid value: %s for key %s", e.Message, k)
			}
			return err
		}
		out[k] = v
	}
	*ev = out
	return nil
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
	return t.checkKeySizes(key)
}

// Key size limits: 2048 bytes for a partition key, 1024 for a sort key
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys).
func (t *table) checkKeySizes(it Item) error {
	if v := it[t.primary.hash]; v != nil && v.size() > 2048 {
		return invalidParam("Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if t.primary.rng != "" {
		if v := it[t.primary.rng]; v != nil && v.size() > 1024 {
			return invalidParam("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
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
	if err := t.checkKeySizes(it); err != nil {
		return err
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

// consumed is the ConsumedCapacity reported when asked for; INDEXES
// details the table's share.
func consumed(rcc, table string, units float64) map[string]any {
	switch rcc {
	case "TOTAL":
		return map[string]any{"TableName": table, "CapacityUnits": units}
	case "INDEXES":
		return map[string]any{"TableName": table, "CapacityUnits": units, "Table": map[string]any{"CapacityUnits": units}}
	}
	return nil
}

// readUnits are the read capacity units of reading size bytes: one per
// 4 KB for a strongly consistent read, half that for an eventually
// consistent one; writeUnits are one per 1 KB written
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
func readUnits(size int, consistent bool) float64 {
	u := float64(max(1, (size+4095)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

func writeUnits(size int) float64 { return float64(max(1, (size+1023)/1024)) }

// attributesToGet turns the legacy AttributesToGet into top-level paths.
func attributesToGet(names []string) []docPath {
	paths := make([]docPath, len(names))
	for i, n := range names {
		paths[i] = docPath{{name: n}}
	}
	return paths
}

// checkScalarKeys rejects a projection that reaches into a key attribute
// of the table or of an index.
func (t *table) checkScalarKeys(paths []docPath) error {
	for _, p := range paths {
		if len(p) < 2 {
			continue
		}
		if n := p[0].name; n == t.primary.hash || n == t.primary.rng {
			return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s", n)
		}
		for _, ix := range t.secondary {
			if n := p[0].name; n == ix.hash || n == ix.rng {
				return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s", n)
			}
		}
	}
	return nil
}
