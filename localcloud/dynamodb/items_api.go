package dynamodb

import (
	"context"
)

type putItemInput struct {
	exprInput
	TableName                           string  `json:"TableName"`
	Item                                Item    `json:"Item"`
	ConditionExpression                 *string `json:"ConditionExpression"`
	ReturnValues                        string  `json:"ReturnValues"`
	ReturnConsumedCapacity              string  `json:"ReturnConsumedCapacity"`
	ReturnValuesOnConditionCheckFailure string  `json:"ReturnValuesOnConditionCheckFailure"`
	legacyWrite
}

type itemOutput struct {
	Attributes       Item           `json:"Attributes,omitempty"`
	ConsumedCapacity map[string]any `json:"ConsumedCapacity,omitempty"`
}

// legacyWrite holds a write's legacy conditional parameters.
type legacyWrite struct {
	Expected            map[string]expectedAttribute `json:"Expected"`
	ConditionalOperator string                       `json:"ConditionalOperator"`
}

// writeCheck parses a write's condition (ConditionExpression or the
// legacy Expected) and checks the placeholders.
func writeCheck(in *exprInput, cond *string, legacy *legacyWrite) (condition, error) {
	if err := mixedParams(named("Expected", legacy.Expected != nil), named("ConditionExpression", cond != nil)); err != nil {
		return nil, err
	}
	env, err := in.env(cond != nil)
	if err != nil {
		return nil, err
	}
	if legacy.Expected != nil || legacy.ConditionalOperator != "" {
		return expectedCondition(legacy.Expected, legacy.ConditionalOperator)
	}
	c, err := conditionOf("ConditionExpression", cond, env)
	if err != nil {
		return nil, err
	}
	return c, env.checkUnused()
}

// checkCondition applies a write's condition to the current item.
func checkCondition(c condition, old Item, onFailure string) error {
	if c == nil || eval(old, c) {
		return nil
	}
	if onFailure == "ALL_OLD" {
		return conditionFailed(old.clone())
	}
	return conditionFailed(nil)
}

func (s *Service) putItem(_ context.Context, in *putItemInput) (*itemOutput, error) {
	if _, err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	rv, err := returnValues(in.ReturnValues, "NONE", "ALL_OLD")
	if err != nil {
		return nil, err
	}
	cond, err := writeCheck(&in.exprInput, in.ConditionExpression, &in.legacyWrite)
	if err != nil {
		return nil, err
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := t.checkItem(in.Item); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.items[t.keyOf(in.Item)]
	if err := checkCondition(cond, old, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	if err := t.put(in.Item.clone()); err != nil {
		return nil, err
	}
	out := &itemOutput{ConsumedCapacity: consumed(in.ReturnConsumedCapacity, t.meta.Name, writeUnits(max(in.Item.size(), old.size())))}
	if rv == "ALL_OLD" && old != nil {
		out.Attributes = old.clone()
	}
	return out, nil
}

type getItemInput struct {
	exprInput
	TableName              string   `json:"TableName"`
	Key                    Item     `json:"Key"`
	ProjectionExpression   *string  `json:"ProjectionExpression"`
	AttributesToGet        []string `json:"AttributesToGet"`
	ConsistentRead         bool     `json:"ConsistentRead"`
	ReturnConsumedCapacity string   `json:"ReturnConsumedCapacity"`
}

type getItemOutput struct {
	Item             Item           `json:"Item,omitempty"`
	ConsumedCapacity map[string]any `json:"ConsumedCapacity,omitempty"`
}

func (s *Service) getItem(_ context.Context, in *getItemInput) (*getItemOutput, error) {
	if _, err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	env, err := in.env(in.ProjectionExpression != nil)
	if err != nil {
		return nil, err
	}
	paths, err := projectionOf(in.ProjectionExpression, env)
	if err != nil {
		return nil, err
	}
	if err := env.checkUnused(); err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil {
		if paths != nil {
			return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
		}
		paths = attributesToGet(in.AttributesToGet)
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := t.checkKey(in.Key); err != nil {
		return nil, err
	}
	if err := t.checkScalarKeys(paths); err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	it := t.items[t.keyOf(in.Key)]
	out := &getItemOutput{ConsumedCapacity: consumed(in.ReturnConsumedCapacity, t.meta.Name, readUnits(it.size(), in.ConsistentRead))}
	if it != nil {
		if paths != nil {
			out.Item = project(it, paths)
		} else {
			out.Item = it.clone()
		}
	}
	return out, nil
}

type deleteItemInput struct {
	exprInput
	TableName                           string  `json:"TableName"`
	Key                                 Item    `json:"Key"`
	ConditionExpression                 *string `json:"ConditionExpression"`
	ReturnValues                        string  `json:"ReturnValues"`
	ReturnConsumedCapacity              string  `json:"ReturnConsumedCapacity"`
	ReturnValuesOnConditionCheckFailure string  `json:"ReturnValuesOnConditionCheckFailure"`
	legacyWrite
}

func (s *Service) deleteItem(_ context.Context, in *deleteItemInput) (*itemOutput, error) {
	if _, err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	rv, err := returnValues(in.ReturnValues, "NONE", "ALL_OLD")
	if err != nil {
		return nil, err
	}
	cond, err := writeCheck(&in.exprInput, in.ConditionExpression, &in.legacyWrite)
	if err != nil {
		return nil, err
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := t.checkKey(in.Key); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.items[t.keyOf(in.Key)]
	if err := checkCondition(cond, old, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	if err := t.delete(in.Key); err != nil {
		return nil, err
	}
	out := &itemOutput{ConsumedCapacity: consumed(in.ReturnConsumedCapacity, t.meta.Name, writeUnits(old.size()))}
	if rv == "ALL_OLD" && old != nil {
		out.Attributes = old.clone()
	}
	return out, nil
}

type updateItemInput struct {
	exprInput
	TableName                           string                     `json:"TableName"`
	Key                                 Item                       `json:"Key"`
	UpdateExpression                    *string                    `json:"UpdateExpression"`
	AttributeUpdates                    map[string]attributeUpdate `json:"AttributeUpdates"`
	ConditionExpression                 *string                    `json:"ConditionExpression"`
	ReturnValues                        string                     `json:"ReturnValues"`
	ReturnConsumedCapacity              string                     `json:"ReturnConsumedCapacity"`
	ReturnValuesOnConditionCheckFailure string                     `json:"ReturnValuesOnConditionCheckFailure"`
	legacyWrite
}

func (s *Service) updateItem(_ context.Context, in *updateItemInput) (*itemOutput, error) {
	if _, err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	rv, err := returnValues(in.ReturnValues, "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
	if err != nil {
		return nil, err
	}
	if err := mixedParams(named("AttributeUpdates", in.AttributeUpdates != nil, "Expected", in.Expected != nil),
		named("UpdateExpression", in.UpdateExpression != nil, "ConditionExpression", in.ConditionExpression != nil)); err != nil {
		return nil, err
	}
	env, err := in.env(in.UpdateExpression != nil || in.ConditionExpression != nil)
	if err != nil {
		return nil, err
	}
	var actions []updateAction
	if in.UpdateExpression != nil {
		if actions, err = parseUpdate(*in.UpdateExpression, env); err != nil {
			return nil, err
		}
	}
	if in.AttributeUpdates != nil {
		if actions, err = updatesToActions(in.AttributeUpdates); err != nil {
			return nil, err
		}
	}
	var cond condition
	if in.Expected != nil || in.ConditionalOperator != "" {
		cond, err = expectedCondition(in.Expected, in.ConditionalOperator)
	} else {
		cond, err = conditionOf("ConditionExpression", in.ConditionExpression, env)
	}
	if err != nil {
		return nil, err
	}
	if err := env.checkUnused(); err != nil {
		return nil, err
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := t.checkKey(in.Key); err != nil {
		return nil, err
	}
	for _, a := range actions {
		if n := a.path[0].name; n == t.primary.hash || n == t.primary.rng {
			return nil, invalidParam("Cannot update attribute %s. This attribute is part of the key", n)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.items[t.keyOf(in.Key)]
	if err := checkCondition(cond, old, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	base := old
	if base == nil {
		base = in.Key
	}
	updated, err := applyUpdate(base, actions)
	if err != nil {
		return nil, err
	}
	if err := t.checkItem(updated); err != nil {
		return nil, err
	}
	if err := t.put(updated); err != nil {
		return nil, err
	}
	out := &itemOutput{ConsumedCapacity: consumed(in.ReturnConsumedCapacity, t.meta.Name, writeUnits(max(updated.size(), old.size())))}
	paths := make([]docPath, len(actions))
	for i, a := range actions {
		paths[i] = a.path
	}
	switch rv {
	case "ALL_OLD":
		out.Attributes = old.clone()
	case "ALL_NEW":
		out.Attributes = updated.clone()
	case "UPDATED_OLD":
		if old != nil {
			out.Attributes = project(old, paths)
		}
	case "UPDATED_NEW":
		out.Attributes = project(updated, paths)
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return out, nil
}
