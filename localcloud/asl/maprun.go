package asl

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// ErrMapRunDoesNotExist is returned for an unknown Map Run ARN.
var ErrMapRunDoesNotExist = errors.New("map run does not exist")

// MapRunCounts counts a Map Run's child executions (ExecutionCounts) or
// the items they hold (ItemCounts), as DescribeMapRun reports them.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total, ResultsWritten int64
}

// MapRunInfo is what DescribeMapRun reports about a distributed Map's Map
// Run.
type MapRunInfo struct {
	MapRunArn    string
	ExecutionArn string
	// Status is RUNNING, SUCCEEDED, FAILED or ABORTED.
	Status                     string
	StartDate                  time.Time
	StopDate                   time.Time // zero while running
	MaxConcurrency             int64
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
	ItemCounts                 MapRunCounts
	ExecutionCounts            MapRunCounts
}

// mapRun is the engine's record of a Map Run, kept in memory: a Map Run
// that was running when the process stopped is opened again when its
// parent execution resumes, and its counts are rebuilt from the child
// executions it finds.
type mapRun struct {
	mu   sync.Mutex
	info MapRunInfo
	// listed is set once every item is known, so Total is final.
	listed bool
}

// openMapRun returns the Map Run with this ARN, registering it.
func (e *Engine) openMapRun(arn, execArn string, start time.Time, conc int64, tol tolerance) *mapRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.mapRuns[arn]; ok {
		r.mu.Lock()
		r.info.Status, r.info.StopDate = StatusRunning, time.Time{}
		r.info.ItemCounts, r.info.ExecutionCounts = MapRunCounts{}, MapRunCounts{}
		r.mu.Unlock()
		return r
	}
	r := &mapRun{info: MapRunInfo{
		MapRunArn: arn, ExecutionArn: execArn, Status: StatusRunning, StartDate: start,
		MaxConcurrency: conc, ToleratedFailureCount: max(tol.count, 0), ToleratedFailurePercentage: max(tol.percent, 0),
	}}
	e.mapRuns[arn] = r
	return r
}

func (r *mapRun) childStarted(weight int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range []*MapRunCounts{&r.info.ExecutionCounts, &r.info.ItemCounts} {
		w := int64(weight)
		if c == &r.info.ExecutionCounts {
			w = 1
		}
		c.Running += w
		if !r.listed {
			c.Total += w
		} else {
			c.Pending -= w
		}
	}
}

func (r *mapRun) childEnded(status string, weight int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range []*MapRunCounts{&r.info.ExecutionCounts, &r.info.ItemCounts} {
		w := int64(weight)
		if c == &r.info.ExecutionCounts {
			w = 1
		}
		c.Running -= w
		switch status {
		case StatusSucceeded:
			c.Succeeded += w
		case StatusFailed:
			c.Failed += w
		case StatusTimedOut:
			c.TimedOut += w
		case StatusAborted:
			c.Aborted += w
		}
	}
}

// setTotal records that every item is known.
func (r *mapRun) setTotal(items int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listed = true
	r.info.ItemCounts.Total = int64(items)
}

// wrote records how many children's results the ResultWriter wrote.
func (r *mapRun) wrote(children, items int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.info.ExecutionCounts.ResultsWritten = int64(children)
	r.info.ItemCounts.ResultsWritten = int64(items)
}

func (r *mapRun) end(status string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.info.Status, r.info.StopDate = status, at
}

// DescribeMapRun reports a Map Run's status and counts.
func (e *Engine) DescribeMapRun(arn string) (MapRunInfo, error) {
	e.mu.Lock()
	r, ok := e.mapRuns[arn]
	e.mu.Unlock()
	if !ok {
		return MapRunInfo{}, fmt.Errorf("%w: %s", ErrMapRunDoesNotExist, arn)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info, nil
}

// MapRuns describes the Map Runs an execution started, oldest first.
func (e *Engine) MapRuns(executionArn string) []MapRunInfo {
	e.mu.Lock()
	var out []MapRunInfo
	for _, r := range e.mapRuns {
		r.mu.Lock()
		if r.info.ExecutionArn == executionArn {
			out = append(out, r.info)
		}
		r.mu.Unlock()
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].StartDate.Before(out[j].StartDate) })
	return out
}

// MapRunExecutions describes the child executions a Map Run started,
// newest first, with their metadata only (as Executions).
func (e *Engine) MapRunExecutions(mapRunArn string) ([]ExecutionInfo, error) {
	e.mu.Lock()
	_, ok := e.mapRuns[mapRunArn]
	var list []*execution
	for _, x := range e.execs {
		if x.rec.MapRunArn == mapRunArn {
			list = append(list, x)
		}
	}
	e.mu.Unlock()
	if !ok && len(list) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrMapRunDoesNotExist, mapRunArn)
	}
	out := make([]ExecutionInfo, len(list))
	for i, x := range list {
		out[i] = x.metadata()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartDate.After(out[j].StartDate) })
	return out, nil
}

// startChild starts a child workflow execution of a Map Run, or returns
// the one with that name a resumed engine already holds.
func (e *Engine) startChild(sm *StateMachine, name string, input any, mapRunArn string) (*execution, error) {
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", e.opts.Region, e.opts.Account, sm.Name, name)
	if x, err := e.lookup(arn); err == nil {
		return x, nil
	}
	x, err := e.launch(sm, name, input, nil, mapRunArn)
	if errors.Is(err, ErrExecutionAlreadyExists) {
		return e.lookup(arn)
	}
	return x, err
}

func (e *Engine) mapRunByArn(arn string) *mapRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.mapRuns[arn]
}
