package asl

import (
	"errors"
	"fmt"
)

// Predefined error names of the States Language.
const (
	ErrAll                             = "States.ALL"
	ErrTaskFailed                      = "States.TaskFailed"
	ErrTimeout                         = "States.Timeout"
	ErrHeartbeatTimeout                = "States.HeartbeatTimeout"
	ErrRuntime                         = "States.Runtime"
	ErrNoChoiceMatched                 = "States.NoChoiceMatched"
	ErrParameterPathFailure            = "States.ParameterPathFailure"
	ErrResultPathMatchFailure          = "States.ResultPathMatchFailure"
	ErrIntrinsicFailure                = "States.IntrinsicFailure"
	ErrBranchFailed                    = "States.BranchFailed"
	ErrExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	ErrPermissions                     = "States.Permissions"
	ErrDataLimitExceeded               = "States.DataLimitExceeded"
)

// Error is a States Language error: what a failed task, a Fail state or the
// interpreter raises, and what Retry and Catch match on.
type Error struct {
	Name  string
	Cause string
	// internal marks an error the interpreter raised itself; located, one
	// whose cause already names the state it was raised in.
	internal, located bool
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// TaskError is what an Invoker returns for a task that failed with a
// specific error name and cause (a Lambda function error, a service
// exception). Any other error from an Invoker becomes States.TaskFailed with
// the error's text as the cause.
type TaskError = Error

func newError(name, format string, args ...any) *Error {
	return &Error{Name: name, Cause: fmt.Sprintf(format, args...), internal: true}
}

// asStatesError converts an error returned by an Invoker.
func asStatesError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return &Error{Name: ErrTaskFailed, Cause: err.Error()}
}

// terminalError reports errors that no Retry or Catch handles.
func terminalError(name string) bool {
	return name == ErrRuntime || name == ErrDataLimitExceeded
}

// errorMatches reports whether a Retry or Catch ErrorEquals list matches the
// error name, with the wildcards Step Functions defines: States.ALL matches
// every error but the terminal ones (States.Runtime,
// States.DataLimitExceeded); States.TaskFailed every error but those and the
// timeouts; States.Timeout also a heartbeat timeout.
func errorMatches(list []string, name string) bool {
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == ErrAll:
			if !terminalError(name) {
				return true
			}
		case e == ErrTaskFailed:
			if !terminalError(name) && name != ErrTimeout && name != ErrHeartbeatTimeout {
				return true
			}
		case e == ErrTimeout && name == ErrHeartbeatTimeout:
			return true
		}
	}
	return false
}

// Sentinel errors of the task-token and execution calls, named after the
// Step Functions API exceptions a local cloud maps them to.
var (
	// ErrInvalidToken: the task token is malformed (InvalidToken).
	ErrInvalidToken = errors.New("InvalidToken: the task token is not valid")
	// ErrTaskTimedOut: the token was valid but its task is no longer
	// waiting: it completed, timed out or its execution stopped
	// (TaskTimedOut).
	ErrTaskTimedOut = errors.New("TaskTimedOut: the task for this token does not exist anymore")
	// ErrExecutionDoesNotExist: no execution has that ARN (ExecutionDoesNotExist).
	ErrExecutionDoesNotExist = errors.New("ExecutionDoesNotExist: no execution with that ARN")
	// ErrExecutionAlreadyExists: an execution with that name exists (ExecutionAlreadyExists).
	ErrExecutionAlreadyExists = errors.New("ExecutionAlreadyExists: an execution with that name already exists")
	// ErrInvalidName: an execution name is too long or has characters
	// Step Functions does not allow (InvalidName).
	ErrInvalidName = errors.New("InvalidName: the execution name is not valid")
	// ErrInvalidExecutionInput: an execution's input (or context override)
	// is not JSON (InvalidExecutionInput).
	ErrInvalidExecutionInput = errors.New("InvalidExecutionInput: the execution input is not valid JSON")
	// ErrInvalidOutput: the output given to SendTaskSuccess is not JSON (InvalidOutput).
	ErrInvalidOutput = errors.New("InvalidOutput: the task output is not valid JSON")
)
