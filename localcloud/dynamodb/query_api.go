package dynamodb

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sort"
)

type readInput struct {
	exprInput
	TableName              string                     `json:"TableName"`
	IndexName              *string                    `json:"IndexName"`
	Select                 string                     `json:"Select"`
	Limit                  *int                       `json:"Limit"`
	ConsistentRead         bool                       `json:"ConsistentRead"`
	ExclusiveStartKey      startKey                   `json:"ExclusiveStartKey"`
	ProjectionExpression   *string                    `json:"ProjectionExpression"`
	FilterExpression       *string                    `json:"FilterExpression"`
	ReturnConsumedCapacity string                     `json:"ReturnConsumedCapacity"`
	KeyConditionExpression *string                    `json:"KeyConditionExpression"`
	ScanIndexForward       *bool                      `json:"ScanIndexForward"`
	Segment                *int                       `json:"Segment"`
	TotalSegments          *int                       `json:"TotalSegments"`
	AttributesToGet        []string                   `json:"AttributesToGet"`
	KeyConditions          map[string]legacyCondition `json:"KeyConditions"`
	QueryFilter            map[string]legacyCondition `json:"QueryFilter"`
	ScanFilter             map[string]legacyCondition `json:"ScanFilter"`
	ConditionalOperator    string                     `json:"ConditionalOperator"`
}

type readOutput struct {
	Items            []Item         `json:"Items,omitzero"`
	Count            int            `json:"Count"`
	ScannedCount     int            `json:"ScannedCount"`
	LastEvaluatedKey Item           `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity map[string]any `json:"ConsumedCapacity,omitempty"`
	bytes            int
}

// maxPage is the 1 MB of data a Query or Scan reads at most per call
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html).
const maxPage = 1 << 20

// keyCondition is a parsed KeyConditionExpression: the partition key value
// and an optional condition on the sort key.
type keyCondition struct {
	hash  *Value
	sort  condition
	index *index
}

// read is a Query or Scan prepared for running.
type read struct {
	t          *table
	ix         *index
	filter     condition
	proj       []docPath
	count      bool
	limit      int
	forward    bool
	projectIdx bool // project the index's attributes only
	consistent bool
}

func (s *Service) prepareRead(in *readInput, query bool) (*read, *keyCondition, error) {
	if _, err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, nil, err
	}
	r := &read{forward: in.ScanIndexForward == nil || *in.ScanIndexForward}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		r.limit = *in.Limit
	}
	switch in.Select {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT":
	default:
		return nil, nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
	}
	if in.Segment != nil && in.TotalSegments == nil {
		return nil, nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.Segment == nil && in.TotalSegments != nil {
		return nil, nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	}
	if in.TotalSegments != nil && (*in.TotalSegments < 1 || *in.TotalSegments > 1000000 || *in.Segment < 0 || *in.Segment >= *in.TotalSegments) {
		return nil, nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
	}
	if in.AttributesToGet != nil && in.ProjectionExpression != nil {
		return nil, nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	legacyFilter := in.QueryFilter
	if !query {
		legacyFilter = in.ScanFilter
	}
	if err := mixedParams(
		named("AttributesToGet", in.AttributesToGet != nil, "KeyConditions", in.KeyConditions != nil, "QueryFilter", in.QueryFilter != nil, "ScanFilter", in.ScanFilter != nil, "ConditionalOperator", in.ConditionalOperator != ""),
		named("ProjectionExpression", in.ProjectionExpression != nil, "FilterExpression", in.FilterExpression != nil, "KeyConditionExpression", in.KeyConditionExpression != nil)); err != nil {
		return nil, nil, err
	}
	hasExpr := in.FilterExpression != nil || in.ProjectionExpression != nil || in.KeyConditionExpression != nil
	env, err := in.env(hasExpr)
	if err != nil {
		return nil, nil, err
	}
	var keyCond condition
	if query {
		switch {
		case in.KeyConditions != nil:
			if keyCond, err = filterCondition(in.KeyConditions, ""); err != nil {
				return nil, nil, err
			}
			if keyCond == nil {
				return nil, nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
			}
		case in.KeyConditionExpression == nil:
			return nil, nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
		default:
			if keyCond, err = parseCondition("KeyConditionExpression", *in.KeyConditionExpression, env); err != nil {
				return nil, nil, err
			}
		}
	}
	if legacyFilter != nil || in.ConditionalOperator != "" {
		r.filter, err = filterCondition(legacyFilter, in.ConditionalOperator)
	} else {
		r.filter, err = conditionOf("FilterExpression", in.FilterExpression, env)
	}
	if err != nil {
		return nil, nil, err
	}
	if r.proj, err = projectionOf(in.ProjectionExpression, env); err != nil {
		return nil, nil, err
	}
	if in.AttributesToGet != nil {
		r.proj = attributesToGet(in.AttributesToGet)
	}
	if err := env.checkUnused(); err != nil {
		return nil, nil, err
	}
	if r.proj != nil && in.Select != "" && in.Select != "SPECIFIC_ATTRIBUTES" {
		return nil, nil, validation("Cannot specify the AttributesToGet when choosing to get only the Count")
	}
	if in.Select == "ALL_PROJECTED_ATTRIBUTES" && in.IndexName == nil {
		return nil, nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	}

	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, nil, err
	}
	r.t, r.ix = t, t.primary
	if in.IndexName != nil {
		ix := t.secondary[*in.IndexName]
		if ix == nil {
			return nil, nil, validation("The table does not have the specified index: %s", *in.IndexName)
		}
		r.ix = ix
	}
	if in.ConsistentRead && r.ix != t.primary && !r.ix.local {
		return nil, nil, validation("Consistent reads are not supported on global secondary indexes")
	}
	r.count = in.Select == "COUNT"
	r.consistent = in.ConsistentRead
	r.projectIdx = r.ix != t.primary && in.Select != "ALL_ATTRIBUTES"
	var kc *keyCondition
	if query {
		if kc, err = r.keyCondition(keyCond); err != nil {
			return nil, nil, err
		}
		if r.filter != nil {
			if err := r.checkFilterKeys(r.filter); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := t.checkScalarKeys(r.proj); err != nil {
		return nil, nil, err
	}
	if in.ExclusiveStartKey != nil {
		if err := r.checkStartKey(Item(in.ExclusiveStartKey)); err != nil {
			return nil, nil, err
		}
	}
	if in.Select == "ALL_ATTRIBUTES" && r.ix != t.primary && !r.ix.local && r.ix.proj.ProjectionType != "ALL" {
		return nil, nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", r.ix.name)
	}
	return r, kc, nil
}

// checkFilterKeys rejects a Query filter on a key attribute, which belongs
// in the key condition.
func (r *read) checkFilterKeys(c condition) error {
	var bad string
	walkPaths(c, func(p docPath) {
		if n := p[0].name; bad == "" && (n == r.ix.hash || n == r.ix.rng) {
			bad = n
		}
	})
	if bad != "" {
		return validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", bad)
	}
	return nil
}

func walkPaths(c condition, fn func(docPath)) {
	ops := func(os ...operand) {
		for _, o := range os {
			switch x := o.(type) {
			case pathOp:
				fn(x.path)
			case sizeOp:
				if p, ok := x.arg.(pathOp); ok {
					fn(p.path)
				}
			}
		}
	}
	switch x := c.(type) {
	case andCond:
		walkPaths(x.l, fn)
		walkPaths(x.r, fn)
	case orCond:
		walkPaths(x.l, fn)
		walkPaths(x.r, fn)
	case notCond:
		walkPaths(x.c, fn)
	case compareCond:
		ops(x.l, x.r)
	case betweenCond:
		ops(x.x, x.lo, x.hi)
	case inCond:
		ops(append([]operand{x.x}, x.list...)...)
	case funcCond:
		ops(x.args...)
	}
}

// startKey is an ExclusiveStartKey: a value DynamoDB refuses is reported as
// an invalid starting key.
type startKey Item

func (k *startKey) UnmarshalJSON(b []byte) error {
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		if e, ok := err.(*Error); ok && e.Code() == "ValidationException" {
			return validation("The provided starting key is invalid: %s", e.Message)
		}
		return err
	}
	*k = startKey(it)
	return nil
}

func (r *read) checkStartKey(k Item) error {
	bad := validation("The provided starting key is invalid: The provided key element does not match the schema")
	if r.ix != r.t.primary {
		bad = validation("The provided starting key is invalid")
	}
	names := []string{r.t.primary.hash, r.t.primary.rng, r.ix.hash, r.ix.rng}
	want := map[string]bool{}
	for _, n := range names {
		if n != "" {
			want[n] = true
		}
	}
	if len(k) != len(want) {
		return bad
	}
	for n := range want {
		v := k[n]
		if v == nil || v.Type != r.t.meta.attrType(n) {
			return bad
		}
	}
	return nil
}

// keyCondition reads a KeyConditionExpression: equality on the partition
// key, AND at most one condition on the sort key
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html).
func (r *read) keyCondition(c condition) (*keyCondition, error) {
	var parts []condition
	var flatten func(condition) error
	flatten = func(c condition) error {
		switch x := c.(type) {
		case andCond:
			if err := flatten(x.l); err != nil {
				return err
			}
			return flatten(x.r)
		case orCond:
			return validation("Invalid operator used in KeyConditionExpression: OR")
		case notCond:
			return validation("Invalid operator used in KeyConditionExpression: NOT")
		case inCond:
			return validation("Invalid operator used in KeyConditionExpression: IN")
		}
		parts = append(parts, c)
		return nil
	}
	if err := flatten(c); err != nil {
		return nil, err
	}
	if len(parts) > 2 {
		return nil, validation("Conditions can be of length 1 or 2 only")
	}
	kc := &keyCondition{index: r.ix}
	for _, p := range parts {
		name, err := r.keyConditionName(p)
		if err != nil {
			return nil, err
		}
		switch name {
		case r.ix.hash:
			cc, ok := p.(compareCond)
			if !ok || cc.op != "=" {
				return nil, validation("Query key condition not supported")
			}
			if kc.hash != nil {
				return nil, validation("KeyConditionExpressions must only contain one condition per key")
			}
			v := operandValue(nil, cc.r)
			if _, isPath := cc.r.(pathOp); isPath {
				v = operandValue(nil, cc.l)
			}
			kc.hash = v
		case r.ix.rng:
			if kc.sort != nil {
				return nil, validation("KeyConditionExpressions must only contain one condition per key")
			}
			if cc, ok := p.(compareCond); ok && cc.op == "<>" {
				return nil, validation("Unsupported operator on KeyConditionExpression: operator: <>")
			}
			kc.sort = p
		default:
			return nil, validation("Query condition missed key schema element: %s", missingKey(r.ix, kc))
		}
	}
	if kc.hash == nil {
		return nil, validation("Query condition missed key schema element: %s", r.ix.hash)
	}
	return kc, r.checkKeyTypes(parts)
}

func missingKey(ix *index, kc *keyCondition) string {
	if kc.hash == nil {
		return ix.hash
	}
	return ix.rng
}

// keyConditionName finds the key attribute a condition is about.
func (r *read) keyConditionName(c condition) (string, error) {
	var names []string
	walkPaths(c, func(p docPath) {
		if len(p) > 1 {
			names = append(names, "\x00nested")
		}
		names = append(names, p[0].name)
	})
	if containsString(names, "\x00nested") {
		return "", validation("KeyConditionExpressions cannot have conditions on nested attributes")
	}
	switch x := c.(type) {
	case funcCond:
		if x.name != "begins_with" {
			return "", validation("Invalid operator used in KeyConditionExpression: %s", x.name)
		}
	case compareCond:
		if _, ok := x.l.(sizeOp); ok {
			return "", validation("KeyConditionExpressions cannot contain nested operations")
		}
		if _, ok := x.r.(sizeOp); ok {
			return "", validation("KeyConditionExpressions cannot contain nested operations")
		}
	}
	if len(names) == 0 {
		return "", validation("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	if len(names) > 1 {
		return "", validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
	}
	return names[0], nil
}

// checkKeyTypes checks that the values compared with key attributes have
// the keys' types.
func (r *read) checkKeyTypes(parts []condition) error {
	for _, p := range parts {
		name, _ := r.keyConditionName(p)
		want := r.t.meta.attrType(name)
		var vals []operand
		switch x := p.(type) {
		case compareCond:
			vals = []operand{x.l, x.r}
		case betweenCond:
			vals = []operand{x.lo, x.hi}
		case funcCond:
			vals = x.args
		}
		for _, o := range vals {
			if v, ok := o.(valueOp); ok && v.v != nil && v.v.Type != want {
				return invalidParam("Condition parameter type does not match schema type")
			}
		}
		if f, ok := p.(funcCond); ok && want == "N" {
			return validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: %s, operand type: N", f.name)
		}
	}
	return nil
}

func (s *Service) query(_ context.Context, in *readInput) (*readOutput, error) {
	r, kc, err := s.prepareRead(in, true)
	if err != nil {
		return nil, err
	}
	r.t.mu.Lock() // sorting a partition lazily writes
	defer r.t.mu.Unlock()
	items := r.ix.partition(kc.hash)
	var order []Item
	if kc.sort == nil {
		order = items
	} else {
		for _, it := range items {
			if eval(it, kc.sort) {
				order = append(order, it)
			}
		}
	}
	if in.ExclusiveStartKey != nil {
		if r.forward {
			order = order[r.ix.after(order, Item(in.ExclusiveStartKey)):]
		} else {
			pos := sort.Search(len(order), func(i int) bool { return !r.ix.less(order[i], Item(in.ExclusiveStartKey)) })
			order = order[:pos]
		}
	}
	if !r.forward {
		rev := make([]Item, len(order))
		for i, it := range order {
			rev[len(order)-1-i] = it
		}
		order = rev
	}
	out := &readOutput{}
	r.run(out, func(yield func(Item) bool) {
		for _, it := range order {
			if !yield(it) {
				return
			}
		}
	})
	out.ConsumedCapacity = consumed(in.ReturnConsumedCapacity, r.t.meta.Name, readUnits(out.bytes, r.consistent))
	return out, nil
}

// run reads items in order, applying the filter, Limit and the 1 MB page
// size, and fills in the output.
func (r *read) run(out *readOutput, each func(yield func(Item) bool)) {
	bytes := 0
	var last Item
	more := false
	each(func(it Item) bool {
		if (r.limit > 0 && out.ScannedCount == r.limit) || bytes > maxPage {
			more = true
			return false
		}
		out.ScannedCount++
		bytes += it.size()
		last = it
		if r.filter != nil && !eval(it, r.filter) {
			return true
		}
		out.Count++
		if !r.count {
			out.Items = append(out.Items, r.shape(it))
		}
		return true
	})
	out.bytes = bytes
	if (more || (r.limit > 0 && out.ScannedCount == r.limit)) && last != nil {
		out.LastEvaluatedKey = r.lastKey(last)
	}
	if !r.count && out.Items == nil {
		out.Items = []Item{}
	}
}

// shape returns what a read gives of an item: the projection expression's
// paths, or the index's projected attributes.
func (r *read) shape(it Item) Item {
	if r.projectIdx {
		it = r.indexProjection(it)
	}
	if r.proj != nil {
		return project(it, r.proj)
	}
	return it.clone()
}

func (r *read) indexProjection(it Item) Item {
	if r.ix.proj.ProjectionType == "ALL" {
		return it
	}
	out := Item{}
	for _, n := range append([]string{r.t.primary.hash, r.t.primary.rng, r.ix.hash, r.ix.rng}, r.ix.proj.NonKeyAttributes...) {
		if v := it[n]; n != "" && v != nil {
			out[n] = v
		}
	}
	return out
}

func (r *read) lastKey(it Item) Item {
	k := r.t.keyItem(it)
	if r.ix != r.t.primary {
		k[r.ix.hash] = it[r.ix.hash]
		if r.ix.rng != "" {
			k[r.ix.rng] = it[r.ix.rng]
		}
	}
	return k.clone()
}

func (s *Service) scan(_ context.Context, in *readInput) (*readOutput, error) {
	if in.KeyConditionExpression != nil {
		return nil, validation("KeyConditionExpression can only be used with Query")
	}
	r, _, err := s.prepareRead(in, false)
	if err != nil {
		return nil, err
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	parts := r.ix.partitions()
	startPart := 0
	if esk := in.ExclusiveStartKey; esk != nil {
		k := keyString(esk[r.ix.hash])
		startPart = sort.SearchStrings(parts, k)
	}
	out := &readOutput{}
	r.run(out, func(yield func(Item) bool) {
		for i := startPart; i < len(parts); i++ {
			if in.TotalSegments != nil && segmentOf(parts[i], *in.TotalSegments) != *in.Segment {
				continue
			}
			p := r.ix.parts[parts[i]]
			items := r.ix.partition(p.items[0][r.ix.hash])
			if in.ExclusiveStartKey != nil && i == startPart && parts[i] == keyString(Item(in.ExclusiveStartKey)[r.ix.hash]) {
				items = items[r.ix.after(items, Item(in.ExclusiveStartKey)):]
			}
			for _, it := range items {
				if !yield(it) {
					return
				}
			}
		}
	})
	out.ConsumedCapacity = consumed(in.ReturnConsumedCapacity, r.t.meta.Name, readUnits(out.bytes, r.consistent))
	return out, nil
}

// segmentOf assigns a partition to a segment of a parallel scan.
func segmentOf(partKey string, total int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(partKey))
	return int(h.Sum32() % uint32(total))
}
