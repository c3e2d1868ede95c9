package asl

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"math"
	"sync"
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
// They derive from the execution and the state visit (and its retry), so
// that a resumed engine names them as before.
type mapRunIDs struct {
	runID        string
	arn          string
	childMachine string
	childName    string
}

func (x *execution) mapRunIDs(b *branchState, st *State) mapRunIDs {
	var entered int64
	var retry int
	x.read(func() { entered, retry = b.EnteredID, b.RetryCount })
	label := mapRunLabel(st)
	seed := fmt.Sprintf("%s|%s|%d", x.rec.ExecutionArn, st.Name, entered)
	if retry > 0 {
		seed += fmt.Sprintf("|%d", retry)
	}
	id := uuidFrom(seed)
	region, account := x.engine.opts.Region, x.engine.opts.Account
	return mapRunIDs{
		runID:        id,
		arn:          fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", region, account, x.rec.StateMachine, label, id),
		childMachine: fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s/%s", region, account, x.rec.StateMachine, label),
		childName:    x.rec.StateMachine + "/" + label,
	}
}

// uuidFrom formats a name-based UUID (version 5 layout) of s.
func uuidFrom(s string) string {
	h := sha1.Sum([]byte(s))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// childMachine is the state machine the child workflow executions of a
// Map Run run: the ItemProcessor, named and addressed as Step Functions
// names it (<state machine>/<label>), with the parent's role.
func (x *execution) childMachine(st *State, ids mapRunIDs) (*StateMachine, *Error) {
	d := st.Distributed
	src := map[string]any{}
	if pm, ok := d.processor.(map[string]any); ok {
		for k, v := range pm {
			if k != "ProcessorConfig" {
				src[k] = v
			}
		}
	}
	if _, ok := src["QueryLanguage"]; !ok && d.queryLanguage == queryJSONata {
		src["QueryLanguage"] = queryJSONata
	}
	text := encodeValue(src)
	return &StateMachine{
		Name:       ids.childName,
		Arn:        ids.childMachine,
		RoleArn:    x.rec.RoleArn,
		Source:     json.RawMessage(text),
		Definition: st.ItemProcessor,
		Version:    x.rec.Version,
	}, nil
}

// itemSource yields the inputs of a Map Run's child executions, in order,
// with how many items each holds (1, or a batch's size). length is what
// MapStateStarted reports.
type itemSource struct {
	length int
	each   func(yield func(input any, weight int) bool) *Error
}

// items prepares the Map Run's item source. Objects listed by an
// ItemReader with listObjectsV2 stream page by page, so a prefix of
// 100,000 objects is never held whole; other sources are read first.
func (x *execution) mapRunItems(ctx context.Context, st *State, ev mapEval,
	items func() ([]any, *Error), selectItem func(i int, item any) (any, *Error)) (itemSource, *Error) {
	d := st.Distributed
	fromList := func(list []any) itemSource {
		return itemSource{length: len(list), each: func(yield func(any, int) bool) *Error {
			if d.Batcher == nil {
				for i, item := range list {
					in, err := selectItem(i, item)
					if err != nil {
						return err
					}
					if !yield(in, 1) {
						return nil
					}
				}
				return nil
			}
			selected := make([]any, len(list))
			for i, item := range list {
				var err *Error
				if selected[i], err = selectItem(i, item); err != nil {
					return err
				}
			}
			batches, err := batchItems(d.Batcher, ev, selected)
			if err != nil {
				return err
			}
			for _, in := range batches {
				if !yield(in, len(in.(map[string]any)["Items"].([]any))) {
					return nil
				}
			}
			return nil
		}}
	}
	if d.Reader == nil {
		list, err := items()
		if err != nil {
			return itemSource{}, err
		}
		return fromList(list), nil
	}
	if d.Reader.Resource != resourceS3ListObjectsV2 || d.Batcher != nil {
		list, err := x.readItems(ctx, st, ev)
		if err != nil {
			return itemSource{}, err
		}
		src := fromList(list)
		src.length = 0 // Step Functions reports the length before reading.
		return src, nil
	}
	params, err := ev.template(d.Reader.Parameters, "ItemReader")
	if err != nil {
		return itemSource{}, err
	}
	limit, hasLimit, err := ev.number(d.Reader.Config.MaxItems, d.Reader.Config.MaxItemsPath, "MaxItems")
	if err != nil {
		return itemSource{}, err
	}
	return itemSource{each: func(yield func(any, int) bool) *Error {
		i := 0
		var selErr *Error
		lerr := x.eachListedObject(ctx, st, params, func(item any) bool {
			if hasLimit && limit > 0 && i >= int(limit) {
				return false
			}
			in, err := selectItem(i, item)
			if err != nil {
				selErr = err
				return false
			}
			i++
			return yield(in, 1)
		})
		if selErr != nil {
			return selErr
		}
		return lerr
	}}, nil
}

// distributedMap runs a distributed Map's Map Run: it reads the items
// (from the input, or through the ItemReader), selects and batches them,
// runs one child workflow execution per item or batch, at most conc at a
// time, and returns the state's result: the children's outputs, or where
// the ResultWriter put them. Each child is an execution of its own, with
// its own context object, history and history limit; the parent's history
// holds only the Map Run's start and end.
func (x *execution) distributedMap(ctx context.Context, b *branchState, st *State, conc int64, tol tolerance, ev mapEval,
	items func() ([]any, *Error), selectItem func(i int, item any) (any, *Error)) (any, *Error) {
	ids := x.mapRunIDs(b, st)
	if conc == 0 || conc > int64(x.engine.opts.MapConcurrency) {
		conc = int64(x.engine.opts.MapConcurrency)
	}
	if !tol.set {
		// A Map Run tolerates no failure unless told otherwise.
		tol = tolerance{count: 0, percent: -1, set: true}
	}
	child, err := x.childMachine(st, ids)
	if err != nil {
		return nil, err
	}
	src, err := x.mapRunItems(ctx, st, ev, items, selectItem)
	if err != nil {
		return nil, err
	}
	run := x.engine.openMapRun(ids.arn, x.rec.ExecutionArn, x.now(), conc, tol)
	x.engine.saveMapRun(run)
	var started bool
	x.read(func() { started = b.RunStarted })
	if !started {
		x.emitWith(b, func() { b.RunStarted = true },
			HistoryEvent{Type: "MapStateStarted", MapStateStartedEventDetails: &MapStateStartedDetails{Length: src.length}},
			HistoryEvent{Type: "MapRunStarted", MapRunStartedEventDetails: &MapRunStartedDetails{MapRunArn: ids.arn}})
		_ = x.checkpoint() // failures are retried, whole, at the next save
	}
	kids, ferr := x.runChildren(ctx, child, ids, run, int(conc), tol, src)
	if ferr == errCancelled {
		return nil, ferr
	}
	records := childRecords(kids)
	var result any
	if ferr == nil {
		var werr *Error
		result, werr = x.mapRunResult(ctx, st, ev, ids, records)
		if werr != nil {
			ferr = werr
		}
	} else if w := st.Distributed.Writer; w != nil && w.Resource != "" {
		// The results of a failed Map Run are exported too.
		_, _ = x.mapRunResult(ctx, st, ev, ids, records)
	}
	if ferr != nil {
		run.end(StatusFailed, x.now())
		x.engine.saveMapRun(run)
		x.fanEnded(b, HistoryEvent{Type: "MapRunFailed", MapRunFailedEventDetails: &FailureDetails{Error: ferr.Name, Cause: ferr.Cause}},
			HistoryEvent{Type: "MapStateFailed"})
		return nil, ferr
	}
	run.end(StatusSucceeded, x.now())
	x.engine.saveMapRun(run)
	x.fanEnded(b, HistoryEvent{Type: "MapRunSucceeded"}, HistoryEvent{Type: "MapStateSucceeded"})
	return result, nil
}

// mapChild is one child execution of a Map Run and how many items it holds.
type mapChild struct {
	x      *execution
	weight int
}

// runChildren starts a child execution per input of src, at most conc
// running at once, and waits for them. A child already started (the
// parent resumed after a restart) is waited for rather than started again.
// When more children fail than tol allows, or the item source fails, the
// running children are stopped and the Map Run fails.
func (x *execution) runChildren(ctx context.Context, sm *StateMachine, ids mapRunIDs, run *mapRun, conc int, tol tolerance, src itemSource) ([]mapChild, *Error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if conc <= 0 {
		conc = 1
	}
	sem := make(chan struct{}, conc)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		kids     []mapChild
		firstErr *Error
		failed   int
		total    int
		listed   bool
	)
	fail := func(err *Error) {
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	thresholdErr := newError(ErrExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
	serr := src.each(func(in any, weight int) bool {
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
			return false
		}
		if cctx.Err() != nil {
			<-sem
			return false
		}
		mu.Lock()
		i := len(kids)
		total += weight
		mu.Unlock()
		name := uuidFrom(fmt.Sprintf("%s|%d", ids.runID, i))
		c, err := x.engine.startChild(sm, name, in, ids.arn)
		if err != nil {
			<-sem
			mu.Lock()
			fail(newError(ErrRuntime, "The Map Run %s could not start child execution %s: %v", ids.arn, name, err))
			mu.Unlock()
			return false
		}
		mu.Lock()
		kids = append(kids, mapChild{c, weight})
		mu.Unlock()
		run.childStarted(weight)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			<-c.done
			status := c.status()
			run.childEnded(status, weight)
			if status == StatusSucceeded || status == "" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			failed += weight
			// The share of failures is known once every item is listed;
			// until then only the count can be exceeded.
			if (listed && tol.exceeded(failed, total)) || (!listed && tol.count >= 0 && int64(failed) > tol.count) {
				fail(thresholdErr)
			}
		}()
		return true
	})
	mu.Lock()
	listed = true
	if serr != nil {
		fail(serr)
	}
	if firstErr == nil && tol.exceeded(failed, total) {
		fail(thresholdErr)
	}
	run.setTotal(total)
	started := append([]mapChild(nil), kids...)
	mu.Unlock()
	// No child starts any more: once the Map Run fails or the parent
	// stops, the running ones are stopped.
	ended := make(chan struct{})
	go func() {
		select {
		case <-cctx.Done():
			x.abortChildren(started)
		case <-ended:
		}
	}()
	wg.Wait()
	close(ended)
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() != nil {
		return kids, errCancelled
	}
	if firstErr == nil && tol.exceeded(failed, total) {
		firstErr = thresholdErr
	}
	return kids, firstErr
}

// abortChildren stops the running children of a Map Run that failed or
// whose parent was stopped; when the engine is shutting down they are
// left to be resumed.
func (x *execution) abortChildren(kids []mapChild) {
	var detached bool
	x.read(func() { detached = x.detached })
	if detached {
		return
	}
	for _, k := range kids {
		k.x.finish(StatusAborted, nil, &Error{})
	}
}

// status is the execution's status, "" when the engine shut it down
// without an end.
func (x *execution) status() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.detached && x.rec.Status == StatusRunning {
		return ""
	}
	return x.rec.Status
}

// childRecord is how one child workflow of a Map Run ended.
type childRecord struct {
	status string // SUCCEEDED, FAILED, TIMED_OUT, ABORTED or RUNNING
	info   ExecutionInfo
	output any
	input  any
}

func childRecords(kids []mapChild) []childRecord {
	out := make([]childRecord, len(kids))
	for i, k := range kids {
		k.x.read(func() {
			rec, err := k.x.fullLocked()
			if err != nil {
				rec = k.x.rec // the store lost the journal: what is in memory
			}
			info := infoOf(rec)
			out[i] = childRecord{status: info.Status, info: info, input: rec.Input, output: rec.Output}
		})
	}
	return out
}

// metadata is a child execution's record as Step Functions writes it with
// Transformation NONE (and for every failed child).
func (r childRecord) metadata() map[string]any {
	m := map[string]any{
		"ExecutionArn":    r.info.ExecutionArn,
		"Name":            r.info.Name,
		"StateMachineArn": r.info.StateMachineArn,
		"Status":          r.status,
		"StartDate":       formatTime(r.info.StartDate),
		"RedriveCount":    json.Number("0"),
		"RedriveStatus":   "NOT_REDRIVABLE",
	}
	if !r.info.StopDate.IsZero() {
		m["StopDate"] = formatTime(r.info.StopDate)
	}
	m["Input"] = string(r.info.Input)
	m["InputDetails"] = map[string]any{"Included": true}
	switch r.status {
	case StatusSucceeded:
		m["Output"] = string(r.info.Output)
		m["OutputDetails"] = map[string]any{"Included": true}
		m["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
	default:
		if r.info.Error != "" {
			m["Error"] = r.info.Error
		}
		if r.info.Cause != "" {
			m["Cause"] = r.info.Cause
		}
		m["RedriveStatusReason"] = "Execution is a child of a Map Run and is redriven with it"
	}
	return m
}

// transformResults formats the ended children's results: COMPACT gives the
// outputs, FLATTEN flattens outputs that are arrays, NONE gives every
// record; a failed child always gives its record.
func transformResults(records []childRecord, transformation string) []any {
	out := []any{}
	for _, r := range records {
		switch {
		case r.status == StatusRunning:
			continue
		case r.status != StatusSucceeded || transformation == "NONE":
			out = append(out, r.metadata())
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
		return transformResults(records, "COMPACT"), nil
	}
	if w.Resource == "" {
		return transformResults(records, w.Transformation), nil
	}
	return x.writeResults(ctx, st, ev, ids, records)
}
