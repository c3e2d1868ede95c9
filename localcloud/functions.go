package localcloud

import (
	"strings"
	"sync"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// functionRegistry maps deployed functions to in-process Go handlers:
// by logical id, function name or CDK construct path, or by a metadata
// entry of the function's template resource.
type functionRegistry struct {
	mu         sync.RWMutex
	byName     map[string]lambda.Handler
	byMetadata map[metadataEntry]lambda.Handler
}

type metadataEntry struct{ key, value string }

func newFunctionRegistry() *functionRegistry {
	return &functionRegistry{byName: map[string]lambda.Handler{}, byMetadata: map[metadataEntry]lambda.Handler{}}
}

// lookup finds the handler of a deployed function, or nil. A registration
// by name wins over one by metadata.
func (r *functionRegistry) lookup(logicalID, name string, metadata map[string]any) lambda.Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	path, _ := metadata["aws:cdk:path"].(string)
	for _, k := range []string{logicalID, name, path, strings.TrimSuffix(path, "/Resource")} {
		if fn, ok := r.byName[k]; ok && k != "" {
			return fn
		}
	}
	for k, v := range metadata {
		if s, ok := v.(string); ok {
			if fn, ok := r.byMetadata[metadataEntry{k, s}]; ok {
				return fn
			}
		}
	}
	return nil
}

// RegisterFunction makes fn the in-process handler of the deployed Lambda
// function whose logical id, function name or CDK construct path is name.
// Register before Deploy.
func (c *Cloud) RegisterFunction(name string, fn lambda.Handler) {
	c.functions.mu.Lock()
	defer c.functions.mu.Unlock()
	c.functions.byName[name] = fn
}

// RegisterFunctionByMetadata makes fn the in-process handler of every
// deployed Lambda function whose template resource has the metadata entry
// key: value, as a construct marks the functions it creates. Register
// before Deploy.
func (c *Cloud) RegisterFunctionByMetadata(key, value string, fn lambda.Handler) {
	c.functions.mu.Lock()
	defer c.functions.mu.Unlock()
	c.functions.byMetadata[metadataEntry{key, value}] = fn
}
