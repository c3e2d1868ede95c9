package asl

import "time"

// HistoryEvent is one event of an execution's history, named and shaped like
// an event of Step Functions' GetExecutionHistory: Type is the event type
// ("TaskStateEntered", "MapIterationStarted"…) and exactly one of the
// *EventDetails fields is set when the type has details. JSON field names
// match the API's, so a local cloud can serialize events as they are.
type HistoryEvent struct {
	Timestamp       time.Time `json:"timestamp"`
	Type            string    `json:"type"`
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`

	ExecutionStartedEventDetails   *ExecutionStartedDetails `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails *OutputDetails           `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails    *FailureDetails          `json:"executionFailedEventDetails,omitempty"`
	ExecutionAbortedEventDetails   *FailureDetails          `json:"executionAbortedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails  *FailureDetails          `json:"executionTimedOutEventDetails,omitempty"`

	StateEnteredEventDetails *StateEnteredDetails `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails  *StateExitedDetails  `json:"stateExitedEventDetails,omitempty"`

	TaskScheduledEventDetails   *TaskScheduledDetails `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails     *TaskDetails          `json:"taskStartedEventDetails,omitempty"`
	TaskSubmittedEventDetails   *TaskOutputDetails    `json:"taskSubmittedEventDetails,omitempty"`
	TaskSucceededEventDetails   *TaskOutputDetails    `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails      *TaskFailureDetails   `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails    *TaskFailureDetails   `json:"taskTimedOutEventDetails,omitempty"`
	TaskStartFailedEventDetails *TaskFailureDetails   `json:"taskStartFailedEventDetails,omitempty"`

	LambdaFunctionScheduledEventDetails *LambdaScheduledDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceededEventDetails *OutputDetails          `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailedEventDetails    *FailureDetails         `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOutEventDetails  *FailureDetails         `json:"lambdaFunctionTimedOutEventDetails,omitempty"`

	MapStateStartedEventDetails       *MapStateStartedDetails `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails   *MapIterationDetails    `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededEventDetails *MapIterationDetails    `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails    *MapIterationDetails    `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails   *MapIterationDetails    `json:"mapIterationAbortedEventDetails,omitempty"`

	MapRunStartedEventDetails *MapRunStartedDetails `json:"mapRunStartedEventDetails,omitempty"`
	MapRunFailedEventDetails  *FailureDetails       `json:"mapRunFailedEventDetails,omitempty"`
}

// stateEventTypes holds the state event types ("PassStateEntered"…), so
// that emitting one does not build its name again.
var stateEventTypes = func() map[[2]string]string {
	m := map[[2]string]string{}
	for _, state := range []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"} {
		for _, suffix := range []string{"StateEntered", "StateExited"} {
			m[[2]string{state, suffix}] = state + suffix
		}
	}
	return m
}()

// eventType returns the type of a state's event: its state type, then
// suffix.
func eventType(stateType, suffix string) string {
	if t, ok := stateEventTypes[[2]string{stateType, suffix}]; ok {
		return t
	}
	return stateType + suffix
}

// DataDetails tells whether a payload was truncated (never, here).
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// ExecutionStartedDetails: the execution's input (JSON text) and role.
type ExecutionStartedDetails struct {
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
	RoleArn      string      `json:"roleArn"`
}

// OutputDetails: an output as JSON text.
type OutputDetails struct {
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
}

// FailureDetails: an error name and its cause.
type FailureDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredDetails: a state's name and raw input (JSON text).
type StateEnteredDetails struct {
	Name         string      `json:"name"`
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
}

// StateExitedDetails: a state's name and output (JSON text).
type StateExitedDetails struct {
	Name          string      `json:"name"`
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
	// AssignedVariables holds the variables the state assigned, each as
	// JSON text.
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *DataDetails      `json:"assignedVariablesDetails,omitempty"`
}

// TaskDetails names a task's resource as the history does: for
// "arn:aws:states:::lambda:invoke.waitForTaskToken", ResourceType "lambda"
// and Resource "invoke.waitForTaskToken".
type TaskDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskScheduledDetails: the task's resource, effective parameters (JSON
// text) and time limits.
type TaskScheduledDetails struct {
	ResourceType       string `json:"resourceType"`
	Resource           string `json:"resource"`
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   *int64 `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds *int64 `json:"heartbeatInSeconds,omitempty"`
}

// TaskOutputDetails: a task's output (JSON text).
type TaskOutputDetails struct {
	ResourceType  string      `json:"resourceType"`
	Resource      string      `json:"resource"`
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
}

// TaskFailureDetails: a task's error and cause.
type TaskFailureDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// LambdaScheduledDetails: a bare-ARN Lambda task's function and input.
type LambdaScheduledDetails struct {
	Resource         string      `json:"resource"`
	Input            string      `json:"input"`
	InputDetails     DataDetails `json:"inputDetails"`
	TimeoutInSeconds *int64      `json:"timeoutInSeconds,omitempty"`
}

// MapStateStartedDetails: how many iterations a Map state runs.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapIterationDetails: the Map state's name and the iteration's index.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// MapRunStartedDetails: the ARN of the Map Run a distributed Map started.
type MapRunStartedDetails struct {
	MapRunArn string `json:"mapRunArn"`
}
