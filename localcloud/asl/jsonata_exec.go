package asl

import (
	"context"
	"math"
	"time"
)

// jsonataStep runs a state in JSONata mode after its entered event: the
// state's work, Retry and Catch, Output and Assign. It returns the next
// state ("" at the end of the branch) and the output.
func (x *execution) jsonataStep(ctx context.Context, b *branchState, st *State) (string, any, *Error) {
	input := b.Input
	vars := jsonataVars{input: input, context: x.contextObject(b, st, "", nil), vars: b.Vars}
	next := st.Next
	if st.End {
		next = ""
	}
	switch st.Type {
	case "Pass", "Wait", "Succeed":
		if st.Type == "Wait" {
			if err := x.jsonataWait(ctx, b, st, vars); err != nil {
				return "", nil, err
			}
		}
		if st.Type == "Succeed" {
			next = ""
		}
		out, err := x.jsonataFinish(b, st.Output, st.HasOutput, st.Assign, vars, input)
		return next, out, err
	case "Choice":
		for _, r := range st.Choices {
			ok := false
			if c, isBool := r.Condition.(bool); isBool {
				ok = c
			} else {
				v, err := evalJSONataValue(r.Condition, vars, "Condition")
				if err != nil {
					return "", nil, err
				}
				c, isBool := v.(bool)
				if !isBool {
					return "", nil, newError(ErrQueryEvaluationError, "The Condition of a rule of the Choice state '%s' returned %s, not a boolean", st.Name, jsonType(v))
				}
				ok = c
			}
			if ok {
				output, hasOutput, assign := st.Output, st.HasOutput, st.Assign
				if r.HasOutput {
					output, hasOutput = r.Output, true
				}
				if r.Assign != nil {
					assign = r.Assign
				}
				out, err := x.jsonataFinish(b, output, hasOutput, assign, vars, input)
				return r.Next, out, err
			}
		}
		if st.Default == "" {
			return "", nil, newError(ErrNoChoiceMatched, "No Matches!")
		}
		out, err := x.jsonataFinish(b, st.Output, st.HasOutput, st.Assign, vars, input)
		return st.Default, out, err
	case "Fail":
		e := &Error{}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"Error", &e.Name}, {"Cause", &e.Cause}} {
			raw, ok := st.Exprs[f.name]
			if !ok {
				continue
			}
			v, err := evalJSONataValue(raw, vars, f.name)
			if err != nil {
				return "", nil, err
			}
			s, isStr := v.(string)
			if !isStr {
				return "", nil, newError(ErrQueryEvaluationError, "The %s of the Fail state '%s' must be a string, got %s", f.name, st.Name, jsonType(v))
			}
			*f.dst = s
		}
		return "", nil, e
	}
	// Task, Parallel, Map: with Retry and Catch.
	for {
		result, err := x.jsonataAttempt(ctx, b, st, vars)
		if err == nil {
			rv := vars
			rv.result, rv.hasResult = result, true
			out, ferr := x.jsonataFinish(b, st.Output, st.HasOutput, st.Assign, rv, result)
			if ferr == nil {
				return next, out, nil
			}
			err = ferr
		}
		if err == errCancelled || terminalError(err.Name) {
			return "", nil, err
		}
		if delay, ok := x.retryDelay(b, st, err); ok {
			if !x.sleep(ctx, delay) {
				return "", nil, errCancelled
			}
			x.update(b, func() { b.Fan, b.FanEnded, b.Token = nil, false, nil })
			vars.context = x.contextObject(b, st, "", nil)
			continue
		}
		if c := findCatcher(st.Catch, err.Name); c != nil {
			b.assigned = nil
			ev := vars
			ev.errorOutput, ev.hasError = errorOutput(err), true
			out, cerr := x.jsonataFinish(b, c.Output, c.HasOutput, c.Assign, ev, ev.errorOutput)
			if cerr != nil {
				return "", nil, cerr
			}
			return c.Next, out, nil
		}
		return "", nil, err
	}
}

// jsonataFinish evaluates Output (def when absent) and Assign with the same
// variables, then assigns.
func (x *execution) jsonataFinish(b *branchState, output any, hasOutput bool, assign map[string]any, vars jsonataVars, def any) (any, *Error) {
	out := def
	if hasOutput {
		v, err := evalJSONataValue(output, vars, "Output")
		if err != nil {
			return nil, err
		}
		out = v
	}
	if len(assign) > 0 {
		values := make(map[string]any, len(assign))
		for k, e := range assign {
			v, err := evalJSONataValue(e, vars, "Assign/"+k)
			if err != nil {
				return nil, err
			}
			values[k] = v
		}
		// exited sets them, once the state's output is known.
		b.assigned = values
	}
	return out, nil
}

// jsonataNumber evaluates a field that holds a number or an expression.
func jsonataNumber(st *State, field string, vars jsonataVars) (float64, bool, *Error) {
	raw, ok := st.Exprs[field]
	if !ok {
		return 0, false, nil
	}
	v, err := evalJSONataValue(raw, vars, field)
	if err != nil {
		return 0, false, err
	}
	f, isNum := toFloat(v)
	if !isNum {
		return 0, false, newError(ErrQueryEvaluationError, "The %s of the state '%s' must be a number, got %s", field, st.Name, jsonType(v))
	}
	return f, true, nil
}

func jsonataPositiveInt(st *State, field string, vars jsonataVars, min float64) (int64, *Error) {
	f, ok, err := jsonataNumber(st, field, vars)
	if err != nil || !ok {
		return 0, err
	}
	if f < min || f != math.Trunc(f) {
		return 0, newError(ErrQueryEvaluationError, "The %s of the state '%s' must be an integer of at least %v, got %v", field, st.Name, min, f)
	}
	return int64(f), nil
}

func (x *execution) jsonataWait(ctx context.Context, b *branchState, st *State, vars jsonataVars) *Error {
	until := b.WaitUntil
	if until.IsZero() {
		if _, ok := st.Exprs["Seconds"]; ok {
			s, err := jsonataPositiveInt(st, "Seconds", vars, 0)
			if err != nil {
				return err
			}
			until = b.Entered.Add(time.Duration(s) * time.Second)
		} else {
			v, err := evalJSONataValue(st.Exprs["Timestamp"], vars, "Timestamp")
			if err != nil {
				return err
			}
			s, _ := v.(string)
			t, perr := parseTimestamp(s)
			if perr != nil {
				return newError(ErrQueryEvaluationError, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", plainText(v))
			}
			until = t
		}
		x.update(b, func() { b.WaitUntil = until })
		_ = x.checkpoint() // failures are retried, whole, at the next save
	}
	if !x.sleep(ctx, until.Sub(x.now())) {
		return errCancelled
	}
	return nil
}

// jsonataAttempt runs one try of a Task, Parallel or Map state and returns
// its result.
func (x *execution) jsonataAttempt(ctx context.Context, b *branchState, st *State, vars jsonataVars) (any, *Error) {
	switch st.Type {
	case "Task":
		return x.runTask(ctx, b, st, func(token string) (any, int64, int64, *Error) {
			tv := vars
			tv.context = x.contextObject(b, st, token, nil)
			args := any(tv.input)
			if st.HasArguments {
				v, err := evalJSONataValue(st.Arguments, tv, "Arguments")
				if err != nil {
					return nil, 0, 0, err
				}
				args = v
			}
			timeout, err := jsonataPositiveInt(st, "TimeoutSeconds", tv, 1)
			if err != nil {
				return nil, 0, 0, err
			}
			heartbeat, err := jsonataPositiveInt(st, "HeartbeatSeconds", tv, 1)
			if err != nil {
				return nil, 0, 0, err
			}
			return args, timeout, heartbeat, nil
		})
	case "Parallel":
		outs, err := x.runParallel(ctx, b, st, func() (any, *Error) {
			if st.HasArguments {
				return evalJSONataValue(st.Arguments, vars, "Arguments")
			}
			return vars.input, nil
		})
		if err != nil {
			return nil, err
		}
		return outs, nil
	case "Map":
		conc, err := jsonataPositiveInt(st, "MaxConcurrency", vars, 0)
		if err != nil {
			return nil, err
		}
		tol := tolerance{count: -1, percent: -1}
		if n, ok, err := jsonataNumber(st, "ToleratedFailureCount", vars); err != nil {
			return nil, err
		} else if ok {
			tol.count, tol.set = int64(n), true
		}
		if n, ok, err := jsonataNumber(st, "ToleratedFailurePercentage", vars); err != nil {
			return nil, err
		} else if ok {
			tol.percent, tol.set = n, true
		}
		items := func() ([]any, *Error) {
			v := vars.input
			if st.HasItems {
				r, err := evalJSONataValue(st.Items, vars, "Items")
				if err != nil {
					return nil, err
				}
				v = r
			}
			items, ok := v.([]any)
			if !ok {
				if expr, isExpr := jsonataExpr(st.Items); isExpr {
					return nil, newError(ErrQueryEvaluationError, "The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s", expr, jsonataTypeName(v), encodeValue(v))
				}
				if !st.HasItems {
					return nil, newError(ErrQueryEvaluationError, "Map state input must be an array but was: %s", encodeValue(v))
				}
				return nil, newError(ErrQueryEvaluationError, "The field 'Items' of the Map state '%s' must be an array, got %s", st.Name, jsonType(v))
			}
			return items, nil
		}
		selectItem := func(i int, item any) (any, *Error) {
			if st.ItemSelector == nil {
				return item, nil
			}
			iv := vars
			iv.context = x.contextObject(b, st, "", &mapItem{index: i, value: item})
			return evalJSONataValue(st.ItemSelector, iv, "ItemSelector")
		}
		if st.Distributed != nil {
			return x.distributedMap(ctx, b, st, conc, tol, jsonataMapEval(st, vars), items, selectItem)
		}
		outs, err := x.runMap(ctx, b, st, conc, tol, items, selectItem)
		if err != nil {
			return nil, err
		}
		return outs, nil
	}
	return nil, newError(ErrRuntime, "unknown state type %q", st.Type)
}
