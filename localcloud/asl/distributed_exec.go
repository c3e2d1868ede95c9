package asl

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"math"
)

// Errors a distributed Map raises when it cannot read its items or write
// its results.
const (
	ErrItemReaderFailed   = "States.ItemReaderFailed"
	ErrResultWriterFailed = "States.ResultWriterFailed"
)

// mapEval evaluates a distributed Map's fields in the state's query
// language: template a payload template (Parameters, Arguments,
// BatchInput), number a count given as a literal, an expression, or a path.
type mapEval struct {
	template func(v any, field string) (any, *Error)
	number   func(lit any, path, field string) (float64, bool, *Error)
}

// jsonPathMapEval evaluates fields against a JSONPath-mode state's
// effective input.
func (x *execution) jsonPathMapEval(b *branchState, st *State, eff any) mapEval {
	cctx := x.pathScope(b, st, "", nil)
	return mapEval{
		template: func(v any, _ string) (any, *Error) {
			if v == nil {
				return map[string]any{}, nil
			}
			return applyTemplate(v, eff, cctx, x.engine.env)
		},
		number: func(lit any, path, field string) (float64, bool, *Error) {
			if lit != nil {
				f, _ := toFloat(lit)
				return f, true, nil
			}
			if path == "" {
				return 0, false, nil
			}
			v, err := evalPath(path, eff, cctx)
			if err != nil {
				return 0, false, err
			}
			f, ok := toFloat(v)
			if !ok || f != math.Trunc(f) || f < 0 {
				return 0, false, newError(ErrRuntime, "The %sPath field refers to value \"%s\" which is not a valid non-negative integer: %s", field, plainText(v), path)
			}
			return f, true, nil
		},
	}
}

// jsonataMapEval evaluates fields as JSONata-mode values.
func jsonataMapEval(st *State, vars jsonataVars) mapEval {
	return mapEval{
		template: func(v any, field string) (any, *Error) {
			if v == nil {
				return map[string]any{}, nil
			}
			return evalJSONataValue(v, vars, field)
		},
		number: func(lit any, _, field string) (float64, bool, *Error) {
			if lit == nil {
				return 0, false, nil
			}
			v, err := evalJSONataValue(lit, vars, field)
			if err != nil {
				return 0, false, err
			}
			f, ok := toFloat(v)
			if !ok || f != math.Trunc(f) || f < 0 {
				return 0, false, newError(ErrQueryEvaluationError, "The %s of the state '%s' must be a non-negative integer, got %s", field, st.Name, encodeValue(v))
			}
			return f, true, nil
		},
	}
}

// mapRunIDs names a distributed Map's Map Run and its child executions.
// They derive from the execution and the state visit, so that a resumed
// engine names them as before.
type mapRunIDs struct {
	runID        string
	arn          string
	childMachine string
	childPrefix  string
}

func (x *execution) mapRunIDs(b *branchState, st *State) mapRunIDs {
	var entered int64
	x.read(func() { entered = b.EnteredID })
	label := mapRunLabel(st)
	id := uuidFrom(fmt.Sprintf("%s|%s|%d", x.rec.ExecutionArn, st.Name, entered))
	region, account := x.engine.opts.Region, x.engine.opts.Account
	kind := "execution"
	if st.Distributed.ExecutionType == "EXPRESS" {
		kind = "express"
	}
	return mapRunIDs{
		runID:        id,
		arn:          fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", region, account, x.rec.StateMachine, label, id),
		childMachine: fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s/%s", region, account, x.rec.StateMachine, label),
		childPrefix:  fmt.Sprintf("arn:aws:states:%s:%s:%s:%s/%s:", region, account, kind, x.rec.StateMachine, label),
	}
}

// uuidFrom formats a name-based UUID (version 5 layout) of s.
func uuidFrom(s string) string {
	h := sha1.Sum([]byte(s))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// distributedMap runs a distributed Map's Map Run: it reads the items
// (from the input, or through the ItemReader), selects and batches them,
// runs one child workflow per item or batch, and returns the state's
// result: the children's outputs, or where the ResultWriter put them.
func (x *execution) distributedMap(ctx context.Context, b *branchState, st *State, conc int64, tol tolerance, ev mapEval,
	items func() ([]any, *Error), selectItem func(i int, item any) (any, *Error)) (any, *Error) {
	d := st.Distributed
	ids := x.mapRunIDs(b, st)
	if conc == 0 || conc > int64(x.engine.opts.MapConcurrency) {
		conc = int64(x.engine.opts.MapConcurrency)
	}
	if !tol.set {
		// A Map Run tolerates no failure unless told otherwise.
		tol = tolerance{count: 0, percent: -1, set: true}
	}
	var inputs []any
	if b.Fan == nil {
		var list []any
		var err *Error
		if d.Reader != nil {
			list, err = x.readItems(ctx, st, ev)
		} else {
			list, err = items()
		}
		if err != nil {
			return nil, err
		}
		selected := make([]any, len(list))
		for i, item := range list {
			if selected[i], err = selectItem(i, item); err != nil {
				return nil, err
			}
		}
		inputs = selected
		if d.Batcher != nil {
			if inputs, err = batchItems(d.Batcher, ev, selected); err != nil {
				return nil, err
			}
		}
		fan := make([]*branchState, len(inputs))
		for i, in := range inputs {
			fan[i] = &branchState{State: st.ItemProcessor.StartAt, Input: in, Vars: copyVars(b.Vars)}
		}
		length := len(list)
		if d.Reader != nil {
			length = 0 // Step Functions reports the length before reading.
		}
		x.emitWith(b, func() { x.adoptLocked(b, fan) },
			HistoryEvent{Type: "MapStateStarted", MapStateStartedEventDetails: &MapStateStartedDetails{Length: length}},
			HistoryEvent{Type: "MapRunStarted", MapRunStartedEventDetails: &MapRunStartedDetails{MapRunArn: ids.arn}})
	}
	if d.Batcher != nil && inputs != nil {
		tol.weights = make([]int, len(inputs))
		for i, in := range inputs {
			tol.weights[i] = len(in.(map[string]any)["Items"].([]any))
		}
	}
	_, ferr := x.fanOut(ctx, b, st, int(conc), &tol, func(int) *Definition { return st.ItemProcessor }, false)
	if ferr == errCancelled {
		return nil, ferr
	}
	records := x.childRecords(b, ids, inputs)
	var result any
	if ferr == nil {
		var werr *Error
		result, werr = x.mapRunResult(ctx, st, ev, ids, records)
		if werr != nil {
			ferr = werr
		}
	} else if d.Writer != nil && d.Writer.Resource != "" {
		// The results of a failed Map Run are exported too.
		_, _ = x.mapRunResult(ctx, st, ev, ids, records)
	}
	if ferr != nil {
		x.fanEnded(b, HistoryEvent{Type: "MapRunFailed", MapRunFailedEventDetails: &FailureDetails{Error: ferr.Name, Cause: ferr.Cause}},
			HistoryEvent{Type: "MapStateFailed"})
		return nil, ferr
	}
	x.fanEnded(b, HistoryEvent{Type: "MapRunSucceeded"}, HistoryEvent{Type: "MapStateSucceeded"})
	return result, nil
}

// childRecord is how one child workflow of a Map Run ended.
type childRecord struct {
	index  int
	input  any
	status string // SUCCEEDED, FAILED or PENDING (never ran)
	output any
	err    *Error
	name   string
	arn    string
}

func (x *execution) childRecords(b *branchState, ids mapRunIDs, inputs []any) []childRecord {
	var out []childRecord
	x.read(func() {
		out = make([]childRecord, len(b.Fan))
		for i, c := range b.Fan {
			name := uuidFrom(fmt.Sprintf("%s|%d", ids.runID, i))
			r := childRecord{index: i, status: "PENDING", name: name, arn: ids.childPrefix + name}
			if i < len(inputs) {
				r.input = inputs[i]
			}
			switch {
			case c.Done && c.Err != nil:
				r.status, r.err = "FAILED", c.Err
			case c.Done:
				r.status, r.output = "SUCCEEDED", c.Output
			}
			out[i] = r
		}
	})
	return out
}

// metadata is a child execution's record as Step Functions writes it with
// Transformation NONE (and for every failed child).
func (r childRecord) metadata(ids mapRunIDs) map[string]any {
	m := map[string]any{
		"ExecutionArn":    r.arn,
		"Name":            r.name,
		"StateMachineArn": ids.childMachine,
		"Status":          r.status,
		"RedriveCount":    json.Number("0"),
	}
	if r.input != nil {
		m["Input"] = string(encodeValue(r.input))
		m["InputDetails"] = map[string]any{"Included": true}
	}
	switch r.status {
	case "SUCCEEDED":
		m["Output"] = string(encodeValue(r.output))
		m["OutputDetails"] = map[string]any{"Included": true}
	case "FAILED":
		m["Error"] = r.err.Name
		if r.err.Cause != "" {
			m["Cause"] = r.err.Cause
		}
	}
	return m
}

// transformResults formats the ended children's results: COMPACT gives the
// outputs, FLATTEN flattens outputs that are arrays, NONE gives every
// record; a failed child always gives its record.
func transformResults(records []childRecord, ids mapRunIDs, transformation string) []any {
	out := []any{}
	for _, r := range records {
		switch {
		case r.status == "PENDING":
			continue
		case r.status == "FAILED" || transformation == "NONE":
			out = append(out, r.metadata(ids))
		case transformation == "FLATTEN":
			if list, ok := r.output.([]any); ok {
				out = append(out, list...)
				continue
			}
			out = append(out, r.output)
		default:
			out = append(out, r.output)
		}
	}
	return out
}

// mapRunResult is a successful Map Run's result: the formatted results,
// or, with a ResultWriter that exports, where they were written.
func (x *execution) mapRunResult(ctx context.Context, st *State, ev mapEval, ids mapRunIDs, records []childRecord) (any, *Error) {
	w := st.Distributed.Writer
	if w == nil {
		return transformResults(records, ids, "COMPACT"), nil
	}
	if w.Resource == "" {
		return transformResults(records, ids, w.Transformation), nil
	}
	return x.writeResults(ctx, st, ev, ids, records)
}
