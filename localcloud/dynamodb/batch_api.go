package dynamodb

import (
	"context"
	"sort"
)

type writeRequest struct {
	PutRequest *struct {
		Item Item `json:"Item"`
	} `json:"PutRequest"`
	DeleteRequest *struct {
		Key Item `json:"Key"`
	} `json:"DeleteRequest"`
}

type batchWriteInput struct {
	RequestItems           map[string][]writeRequest `json:"RequestItems"`
	ReturnConsumedCapacity string                    `json:"ReturnConsumedCapacity"`
}

// Limits of the batch operations
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html).
const (
	maxBatchWrite = 25
	maxBatchGet   = 100
)

func sortedTables[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Service) batchWriteItem(_ context.Context, in *batchWriteInput) (any, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	total := 0
	type plan struct {
		t    *table
		reqs []writeRequest
	}
	var plans []plan
	for _, name := range sortedTables(in.RequestItems) {
		reqs := in.RequestItems[name]
		if len(reqs) == 0 || len(reqs) > maxBatchWrite {
			return nil, validation("1 validation error detected: Value '{%s=%d}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", name, len(reqs))
		}
		total += len(reqs)
		t, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			var key string
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				if err := t.checkItem(r.PutRequest.Item); err != nil {
					return nil, err
				}
				key = t.keyOf(r.PutRequest.Item)
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if err := t.checkKey(r.DeleteRequest.Key); err != nil {
					return nil, err
				}
				key = t.keyOf(r.DeleteRequest.Key)
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if seen[key] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[key] = true
		}
		plans = append(plans, plan{t, reqs})
	}
	if total > maxBatchWrite {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	var capacity []map[string]any
	for _, p := range plans {
		p.t.mu.Lock()
		for _, r := range p.reqs {
			var err error
			if r.PutRequest != nil {
				err = p.t.put(r.PutRequest.Item.clone())
			} else {
				err = p.t.delete(r.DeleteRequest.Key)
			}
			if err != nil {
				p.t.mu.Unlock()
				return nil, err
			}
		}
		p.t.mu.Unlock()
		if c := consumed(in.ReturnConsumedCapacity, p.t.meta.Name, float64(len(p.reqs))); c != nil {
			capacity = append(capacity, c)
		}
	}
	out := map[string]any{"UnprocessedItems": map[string]any{}}
	if capacity != nil {
		out["ConsumedCapacity"] = capacity
	}
	return out, nil
}

type keysAndAttributes struct {
	exprInput
	Keys                 []Item  `json:"Keys"`
	ProjectionExpression *string `json:"ProjectionExpression"`
	ConsistentRead       bool    `json:"ConsistentRead"`
}

type batchGetInput struct {
	RequestItems           map[string]*keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                        `json:"ReturnConsumedCapacity"`
}

func (s *Service) batchGetItem(_ context.Context, in *batchGetInput) (any, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	total := 0
	responses := map[string][]Item{}
	var capacity []map[string]any
	type plan struct {
		t     *table
		req   *keysAndAttributes
		paths []docPath
	}
	var plans []plan
	for _, name := range sortedTables(in.RequestItems) {
		req := in.RequestItems[name]
		if req == nil || len(req.Keys) == 0 || len(req.Keys) > maxBatchGet {
			return nil, validation("1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1", name)
		}
		total += len(req.Keys)
		if total > maxBatchGet {
			return nil, validation("Too many items requested for the BatchGetItem call")
		}
		t, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		env, err := req.env(req.ProjectionExpression != nil)
		if err != nil {
			return nil, err
		}
		paths, err := projectionOf(req.ProjectionExpression, env)
		if err != nil {
			return nil, err
		}
		if err := env.checkUnused(); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, k := range req.Keys {
			if err := t.checkKey(k); err != nil {
				return nil, err
			}
			if seen[t.keyOf(k)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[t.keyOf(k)] = true
		}
		plans = append(plans, plan{t, req, paths})
	}
	for _, p := range plans {
		items := []Item{}
		p.t.mu.RLock()
		for _, k := range p.req.Keys {
			if it := p.t.items[p.t.keyOf(k)]; it != nil {
				if p.paths != nil {
					items = append(items, project(it, p.paths))
				} else {
					items = append(items, it.clone())
				}
			}
		}
		p.t.mu.RUnlock()
		responses[p.t.meta.Name] = items
		if c := consumed(in.ReturnConsumedCapacity, p.t.meta.Name, float64(len(p.req.Keys))/2); c != nil {
			capacity = append(capacity, c)
		}
	}
	out := map[string]any{"Responses": responses, "UnprocessedKeys": map[string]any{}}
	if capacity != nil {
		out["ConsumedCapacity"] = capacity
	}
	return out, nil
}
