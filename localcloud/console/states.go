package console

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// stateRun is what happened to one state of an execution, summed over the
// iterations of the Map states around it. A state that was never entered
// has none.
type stateRun struct {
	// Status is succeeded, failed, caught (failed, and a Catch went on),
	// running or cancelled (the execution stopped while in it).
	Status  string `json:"status"`
	Entered int    `json:"entered"`
	Exited  int    `json:"exited"`
	// Iterations counts a Map state's iterations.
	Iterations *iterations `json:"iterations,omitempty"`

	failedLast bool
}

type iterations struct {
	Total     int `json:"total"`
	Started   int `json:"started"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Aborted   int `json:"aborted"`
}

// historyRow is an event as the Step Functions console's event table shows
// it: the step it belongs to, the resource, the time since the execution
// started, and its details.
type historyRow struct {
	ID        int64           `json:"id"`
	Previous  int64           `json:"previous"`
	Type      string          `json:"type"`
	Step      string          `json:"step,omitempty"`
	Resource  string          `json:"resource,omitempty"`
	ElapsedMs int64           `json:"elapsedMs"`
	Time      time.Time       `json:"time"`
	Details   json.RawMessage `json:"details,omitempty"`
}

// stateRuns reads an execution's history: each state's outcome, and the
// rows of the event table. Events belong to the state they name (entered,
// exited, a Map's iterations), else to the state of the event their
// previousEventId points to.
func stateRuns(history []sfntypes.HistoryEvent, status sfntypes.ExecutionStatus) (map[string]*stateRun, []historyRow) {
	byID := make(map[int64]*sfntypes.HistoryEvent, len(history))
	for i := range history {
		byID[history[i].Id] = &history[i]
	}
	owners := map[int64]string{}
	var owner func(id int64, depth int) string
	owner = func(id int64, depth int) string {
		if name, ok := owners[id]; ok {
			return name
		}
		e := byID[id]
		if e == nil || depth > len(history) {
			return ""
		}
		var name string
		switch {
		case e.StateEnteredEventDetails != nil:
			name = aws.ToString(e.StateEnteredEventDetails.Name)
		case e.StateExitedEventDetails != nil:
			name = aws.ToString(e.StateExitedEventDetails.Name)
		case mapIteration(e) != nil:
			name = aws.ToString(mapIteration(e).Name)
		default:
			name = owner(e.PreviousEventId, depth+1)
		}
		owners[id] = name
		return name
	}

	runs := map[string]*stateRun{}
	run := func(name string) *stateRun {
		r := runs[name]
		if r == nil {
			r = &stateRun{}
			runs[name] = r
		}
		return r
	}
	rows := make([]historyRow, 0, len(history))
	var start time.Time
	for i := range history {
		e := &history[i]
		at := aws.ToTime(e.Timestamp)
		if i == 0 {
			start = at
		}
		t := string(e.Type)
		name := owner(e.Id, 0)
		if strings.HasPrefix(t, "Execution") {
			name = ""
		}
		details, resource := eventDetails(e)
		rows = append(rows, historyRow{
			ID: e.Id, Previous: e.PreviousEventId, Type: t, Step: name, Resource: resource,
			ElapsedMs: at.Sub(start).Milliseconds(), Time: at, Details: details,
		})
		switch {
		case name == "":
		case e.StateEnteredEventDetails != nil:
			run(name).Entered++
			// A Fail state fails as it is entered; no event follows.
			run(name).failedLast = t == string(sfntypes.HistoryEventTypeFailStateEntered)
		case e.StateExitedEventDetails != nil:
			run(name).Exited++
		case e.MapStateStartedEventDetails != nil:
			run(name).iterations().Total += int(e.MapStateStartedEventDetails.Length)
		case t == "MapIterationStarted":
			run(name).iterations().Started++
		case t == "MapIterationSucceeded":
			run(name).iterations().Succeeded++
		case t == "MapIterationFailed":
			run(name).iterations().Failed++
		case t == "MapIterationAborted":
			run(name).iterations().Aborted++
		case isFailure(t):
			run(name).failedLast = true
		case strings.HasSuffix(t, "Succeeded"):
			run(name).failedLast = false
		}
	}
	for _, r := range runs {
		r.Status = r.outcome(status)
	}
	return runs, rows
}

func (r *stateRun) iterations() *iterations {
	if r.Iterations == nil {
		r.Iterations = &iterations{}
	}
	return r.Iterations
}

func (r *stateRun) outcome(status sfntypes.ExecutionStatus) string {
	switch {
	case r.Entered > r.Exited && status == sfntypes.ExecutionStatusRunning:
		return "running"
	case r.Entered > r.Exited && (r.failedLast || status == sfntypes.ExecutionStatusFailed || status == sfntypes.ExecutionStatusTimedOut):
		return "failed"
	case r.Entered > r.Exited:
		return "cancelled"
	case r.failedLast:
		return "caught"
	}
	return "succeeded"
}

// mapIteration returns the details of a Map iteration event, which name
// the Map state.
func mapIteration(e *sfntypes.HistoryEvent) *sfntypes.MapIterationEventDetails {
	for _, d := range []*sfntypes.MapIterationEventDetails{
		e.MapIterationStartedEventDetails, e.MapIterationSucceededEventDetails,
		e.MapIterationFailedEventDetails, e.MapIterationAbortedEventDetails,
	} {
		if d != nil {
			return d
		}
	}
	return nil
}

// isFailure tells the event types that end a state's work with an error.
func isFailure(t string) bool {
	return strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut") || strings.HasSuffix(t, "Aborted")
}

// eventDetails returns the event's one *EventDetails member as JSON, and the
// resource it names, if any.
func eventDetails(e *sfntypes.HistoryEvent) (json.RawMessage, string) {
	v := reflect.ValueOf(e).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !strings.HasSuffix(v.Type().Field(i).Name, "EventDetails") || f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		b, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, ""
		}
		var res struct{ ResourceType, Resource *string }
		_ = json.Unmarshal(b, &res)
		resource := aws.ToString(res.Resource)
		if res.ResourceType != nil {
			resource = aws.ToString(res.ResourceType) + ":" + resource
		}
		return b, resource
	}
	return nil, ""
}
