package asl

import (
	"strings"
)

// applyTemplate builds a payload from a Parameters, ResultSelector or
// ItemSelector template: a key ending in ".$" takes the value of its path
// or intrinsic function call, under the key without the suffix; every other
// value is copied, with nested objects processed the same way. The keys
// are evaluated, and placed in the result, in the template's order.
func applyTemplate(tmpl, data, ctx any, env *evalEnv) (any, *Error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		keys := orderedKeys(t)
		var small [8]string // most templates have a few keys; setKeyOrder copies them
		names := small[:0]
		for _, k := range keys {
			v := t[k]
			name, dyn := strings.CutSuffix(k, ".$")
			names = append(names, name)
			if !dyn {
				r, err := applyTemplate(v, data, ctx, env)
				if err != nil {
					return nil, err
				}
				out[k] = r
				continue
			}
			expr, _ := v.(string)
			r, err := evalExpression(expr, k, data, ctx, env)
			if err != nil {
				return nil, err
			}
			out[name] = r
		}
		setKeyOrder(out, names)
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			r, err := applyTemplate(v, data, ctx, env)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return tmpl, nil
}

// evalExpression evaluates the value of a ".$" field (or an ErrorPath or
// CausePath): a path or an intrinsic function call.
func evalExpression(expr, field string, data, ctx any, env *evalEnv) (any, *Error) {
	if strings.HasPrefix(expr, "States.") {
		call, err := parseIntrinsic(expr)
		if err != nil {
			return nil, newError(ErrRuntime, "The value of the field '%s' is not a valid intrinsic function: %v", field, err)
		}
		return call.eval(data, ctx, env)
	}
	cp, err := compilePath(expr)
	if err != nil {
		return nil, newError(ErrRuntime, "The value of the field '%s' is not a valid path: %v", field, err)
	}
	v, ok := selectPath(cp, data, ctx)
	if !ok {
		if cp.variable != "" {
			if _, ok := scopeVariable(ctx, cp.variable); !ok {
				return nil, newError(ErrRuntime, "The JSONPath '%s' specified for the field '%s' references the variable '%s', which has no value", expr, field, cp.variable)
			}
		}
		src := data
		switch {
		case cp.context:
			src = scopeContext(ctx)
		case cp.variable != "":
			src, _ = scopeVariable(ctx, cp.variable)
		}
		return nil, newError(ErrRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, field, truncate(encodeValue(src)))
	}
	return v, nil
}
