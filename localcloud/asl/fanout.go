package asl

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// parallel runs one attempt of a Parallel state in JSONPath mode.
func (x *execution) parallel(ctx context.Context, b *branchState, st *State, raw any) (any, *Error) {
	outs, err := x.runParallel(ctx, b, st, func() (any, *Error) { return x.effectiveInput(b, st, raw, "") })
	if err != nil {
		return nil, err
	}
	return x.finishResult(b, st, raw, outs)
}

// runParallel runs every branch at once on the input and returns the array
// of their outputs. The first failing branch fails the state with its error
// and cancels the others.
func (x *execution) runParallel(ctx context.Context, b *branchState, st *State, input func() (any, *Error)) ([]any, *Error) {
	if b.Fan == nil {
		in, err := input()
		if err != nil {
			return nil, err
		}
		fan := make([]*branchState, len(st.Branches))
		x.emitWith(b, func() {
			for i, br := range st.Branches {
				fan[i] = &branchState{State: br.StartAt, Input: in, Last: b.Last, Vars: copyVars(b.Vars)}
			}
			x.adoptLocked(b, fan)
		}, HistoryEvent{Type: "ParallelStateStarted"})
	}
	outs, err := x.fanOut(ctx, b, st, len(st.Branches), nil, func(i int) *Definition { return st.Branches[i] }, false)
	if err != nil {
		if err != errCancelled {
			x.fanEnded(b, HistoryEvent{Type: "ParallelStateFailed"})
		}
		return nil, err
	}
	x.fanEnded(b, HistoryEvent{Type: "ParallelStateSucceeded"})
	return outs, nil
}

// tolerance is how many failed Map iterations are accepted.
type tolerance struct {
	count   int64
	percent float64
	set     bool
	// weights, when set, is how many items each iteration holds (a
	// distributed Map's batches): failures count items, not iterations.
	weights []int
}

// weight is how many items iteration i holds.
func (t *tolerance) weight(i int) int {
	if t == nil || t.weights == nil {
		return 1
	}
	return t.weights[i]
}

// total is how many items n iterations hold.
func (t *tolerance) total(n int) int {
	if t == nil || t.weights == nil {
		return n
	}
	sum := 0
	for _, w := range t.weights {
		sum += w
	}
	return sum
}

func (t tolerance) exceeded(failed, total int) bool {
	if !t.set {
		return failed > 0
	}
	if t.count >= 0 && int64(failed) > t.count {
		return true
	}
	if t.percent >= 0 && total > 0 && float64(failed)*100/float64(total) > t.percent {
		return true
	}
	return false
}

// mapState runs one attempt of a Map state.
func (x *execution) mapState(ctx context.Context, b *branchState, st *State, raw any) (any, *Error) {
	eff, err := x.inputPath(b, st, raw)
	if err != nil {
		return nil, err
	}
	cctx := x.pathScope(b, st, "", nil)
	conc := int64(0)
	if st.MaxConcurrency != nil {
		conc = *st.MaxConcurrency
	} else if st.MaxConcurrencyPath != "" {
		v, err := evalPath(st.MaxConcurrencyPath, eff, cctx)
		if err != nil {
			return nil, err
		}
		f, ok := toFloat(v)
		if !ok || f != math.Trunc(f) {
			return nil, newError(ErrRuntime, "The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", plainText(v), st.MaxConcurrencyPath)
		}
		if f < 0 {
			return nil, newError(ErrRuntime, "MaxConcurrency cannot be negative.")
		}
		conc = int64(f)
	}
	tol, terr := x.mapTolerance(st, eff, cctx)
	if terr != nil {
		return nil, terr
	}
	if st.Distributed != nil {
		result, err := x.distributedMap(ctx, b, st, conc, tol, x.jsonPathMapEval(b, st, eff), func() ([]any, *Error) {
			return x.mapItems(st, eff, cctx)
		}, func(i int, item any) (any, *Error) {
			return x.selectMapItem(b, st, eff, i, item)
		})
		if err != nil {
			return nil, err
		}
		return x.finishResult(b, st, raw, result)
	}
	outs, ferr := x.runMap(ctx, b, st, conc, tol, func() ([]any, *Error) {
		return x.mapItems(st, eff, cctx)
	}, func(i int, item any) (any, *Error) {
		return x.selectMapItem(b, st, eff, i, item)
	})
	if ferr != nil {
		return nil, ferr
	}
	return x.finishResult(b, st, raw, outs)
}

// mapItems selects a JSONPath-mode Map's items with ItemsPath.
func (x *execution) mapItems(st *State, eff, cctx any) ([]any, *Error) {
	itemsVal := eff
	if st.ItemsPath.Set && !st.ItemsPath.Null {
		v, err := evalPath(st.ItemsPath.Path, eff, cctx)
		if err != nil {
			return nil, err
		}
		itemsVal = v
	}
	items, ok := itemsVal.([]any)
	if !ok {
		return nil, newError(ErrRuntime, "Item path %s evaluated to %s; a Map state needs an array", pathOrRoot(st.ItemsPath), jsonType(itemsVal))
	}
	return items, nil
}

// selectMapItem makes a JSONPath-mode Map item's iteration input with
// ItemSelector (or Parameters).
func (x *execution) selectMapItem(b *branchState, st *State, eff any, i int, item any) (any, *Error) {
	selector := st.ItemSelector
	if selector == nil {
		selector = st.Parameters
	}
	if selector == nil {
		return item, nil
	}
	ictx := x.pathScope(b, st, "", &mapItem{index: i, value: item})
	return applyTemplate(selector, eff, ictx, x.engine.env)
}

// runMap runs a Map state's iterations, at most conc at once, and returns
// their outputs in order. items lists the items; selectItem turns one into
// its iteration's input.
func (x *execution) runMap(ctx context.Context, b *branchState, st *State, conc int64, tol tolerance,
	items func() ([]any, *Error), selectItem func(i int, item any) (any, *Error)) ([]any, *Error) {
	if conc == 0 || conc > int64(x.engine.opts.MapConcurrency) {
		conc = int64(x.engine.opts.MapConcurrency)
	}
	if b.Fan == nil {
		list, err := items()
		if err != nil {
			return nil, err
		}
		fan := make([]*branchState, len(list))
		for i, item := range list {
			in, err := selectItem(i, item)
			if err != nil {
				return nil, err
			}
			fan[i] = &branchState{State: st.ItemProcessor.StartAt, Input: in, Vars: copyVars(b.Vars)}
		}
		x.emitWith(b, func() {
			x.adoptLocked(b, fan)
			x.reserveHistoryLocked(len(list) * (2 + 2*len(st.ItemProcessor.States)))
		}, HistoryEvent{Type: "MapStateStarted", MapStateStartedEventDetails: &MapStateStartedDetails{Length: len(list)}})
	}
	outs, ferr := x.fanOut(ctx, b, st, int(conc), &tol, func(int) *Definition { return st.ItemProcessor }, true)
	if ferr != nil {
		if ferr != errCancelled {
			x.fanEnded(b, HistoryEvent{Type: "MapStateFailed"})
		}
		return nil, ferr
	}
	x.fanEnded(b, HistoryEvent{Type: "MapStateSucceeded"})
	return outs, nil
}

// fanEnded records the end of a Map's or Parallel's branches, once: after
// a restart that found them ended, the event is already there.
func (x *execution) fanEnded(b *branchState, events ...HistoryEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if b.FanEnded || x.detached {
		return
	}
	for _, ev := range events {
		b.Last = x.emitLocked(b.Last, ev)
	}
	b.FanEnded = true
	x.markLocked(b)
}

func pathOrRoot(p OptionalPath) string {
	if !p.Set || p.Null {
		return "$"
	}
	return p.Path
}

func (x *execution) mapTolerance(st *State, eff, cctx any) (tolerance, *Error) {
	t := tolerance{count: -1, percent: -1}
	if st.ToleratedFailureCount != nil {
		t.count, t.set = *st.ToleratedFailureCount, true
	} else if st.ToleratedFailureCountPath != "" {
		v, err := evalPath(st.ToleratedFailureCountPath, eff, cctx)
		if err != nil {
			return t, err
		}
		f, ok := toFloat(v)
		if !ok || f != math.Trunc(f) {
			return t, newError(ErrRuntime, "The ToleratedFailureCountPath field refers to value \"%s\" which is not a valid integer: %s", plainText(v), st.ToleratedFailureCountPath)
		}
		if f < 0 {
			return t, newError(ErrRuntime, "ToleratedFailureCount cannot be negative.")
		}
		t.count, t.set = int64(f), true
	}
	if st.ToleratedFailurePercentage != nil {
		t.percent, t.set = *st.ToleratedFailurePercentage, true
	} else if st.ToleratedFailurePercentagePath != "" {
		v, err := evalPath(st.ToleratedFailurePercentagePath, eff, cctx)
		if err != nil {
			return t, err
		}
		f, ok := toFloat(v)
		if !ok {
			return t, newError(ErrRuntime, "The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s", plainText(v), st.ToleratedFailurePercentagePath)
		}
		if f < 0 || f > 100 {
			return t, newError(ErrRuntime, "ToleratedFailurePercentage must be between 0 and 100.")
		}
		t.percent, t.set = f, true
	}
	return t, nil
}

// fanOut runs b.Fan's unfinished branches, at most conc at once, and
// returns their outputs in order. For a Map (iterations true) each branch
// is an iteration with its own events, and tol decides how many may fail.
func (x *execution) fanOut(ctx context.Context, b *branchState, st *State, conc int, tol *tolerance, def func(int) *Definition, iterations bool) ([]any, *Error) {
	fan := b.Fan
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if conc <= 0 {
		conc = 1
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr *Error
		failed   int
	)
	total := tol.total(len(fan))
	var todo []int
	for i, child := range fan {
		if child.Done {
			if child.Err != nil {
				failed += tol.weight(i)
			}
			continue
		}
		todo = append(todo, i)
	}
	run := func(i int, child *branchState) {
		if iterations && child.Last == 0 {
			x.branchEmit(child, HistoryEvent{Type: "MapIterationStarted", MapIterationStartedEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
		}
		out, err := x.runBranch(cctx, child, def(i))
		if err == errCancelled {
			if iterations {
				x.branchEmit(child, HistoryEvent{Type: "MapIterationAborted", MapIterationAbortedEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
			}
			return
		}
		var end *HistoryEvent
		if iterations {
			det := &MapIterationDetails{Name: st.Name, Index: i}
			end = &HistoryEvent{Type: "MapIterationSucceeded", MapIterationSucceededEventDetails: det}
			if err != nil {
				end = &HistoryEvent{Type: "MapIterationFailed", MapIterationFailedEventDetails: det}
			}
		}
		x.update(child, func() {
			x.flushExitLocked(child)
			if end != nil {
				child.Last = x.emitLocked(child.Last, *end)
			}
			child.Done = true
			child.Output, child.Err = out, err
			if err != nil {
				child.Output = errorOutput(err)
			}
		})
		_ = x.checkpoint() // failures are retried, whole, at the next save
		if err != nil {
			mu.Lock()
			failed += tol.weight(i)
			stop := tol == nil || tol.exceeded(failed, total)
			if stop && firstErr == nil {
				firstErr = err
				if tol != nil && tol.set {
					firstErr = newError(ErrExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
				}
				cancel()
			}
			mu.Unlock()
		}
	}
	// conc workers take the branches in order, so that at most conc run
	// at once and none starts after a failure cancelled the rest. Workers
	// rather than a goroutine per branch: each keeps the stack it grew.
	var next atomic.Int64
	for range min(conc, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(todo) || cctx.Err() != nil {
					return
				}
				run(todo[k], fan[todo[k]])
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if tol != nil && tol.exceeded(failed, total) {
		return nil, newError(ErrExceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
	}
	if ctx.Err() != nil {
		return nil, errCancelled
	}
	outs := make([]any, len(fan))
	x.read(func() {
		for i, c := range fan {
			outs[i] = c.Output
		}
	})
	return outs, nil
}
