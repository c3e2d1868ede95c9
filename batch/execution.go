package batch

import (
	"crypto/sha256"
	"encoding/hex"
)

// ExecutionTag is the key of the tag that names the Step Functions
// execution that started a job, so that the jobs of an execution that ended
// without success can be found and stopped while the jobs of every other
// execution are left alone. Its value is ExecutionTagValue of the
// execution's ARN.
const ExecutionTag = "bedrockbatch:execution"

// Keys that carry the starting execution's ARN from the Map state to the
// create-job function. The Map's ItemSelector adds ItemExecutionArnKey
// ($$.Execution.Id) to each item, so that under a distributed Map, whose
// iterations are child executions, it still names the parent execution;
// the task copies it into the payload under PayloadExecutionArnKey
// (CreateJobPayload.ExecutionArn).
const (
	ItemExecutionArnKey    = "execution_arn"
	PayloadExecutionArnKey = "executionArn"
)

// executionDigestPrefix marks a tag value that holds a digest of the ARN
// rather than the ARN itself.
const executionDigestPrefix = "sha256:"

// ExecutionTagValue is the ExecutionTag value for an execution ARN: the ARN
// itself, so a person reading the job's tags sees which execution started
// it, unless the ARN cannot be a tag value (an execution name may hold
// characters tags do not allow, such as non-ASCII letters, and a long
// ARN in a long partition may pass 256 characters); then "sha256:" and the
// hex SHA-256 of the ARN. The same ARN always gives the same value, which
// is what matching an ended execution to its jobs needs.
func ExecutionTagValue(executionArn string) string {
	if ValidTagValue(executionArn) == nil {
		return executionArn
	}
	sum := sha256.Sum256([]byte(executionArn))
	return executionDigestPrefix + hex.EncodeToString(sum[:])
}

// Event source and detail type of Step Functions' execution status change
// events on the default EventBridge bus.
const (
	ExecutionEventSource     = "aws.states"
	ExecutionEventDetailType = "Step Functions Execution Status Change"
)

// ExecutionStatus is a Step Functions execution status.
type ExecutionStatus string

// The statuses of an execution.
const (
	ExecutionRunning   ExecutionStatus = "RUNNING"
	ExecutionSucceeded ExecutionStatus = "SUCCEEDED"
	ExecutionFailed    ExecutionStatus = "FAILED"
	ExecutionTimedOut  ExecutionStatus = "TIMED_OUT"
	ExecutionAborted   ExecutionStatus = "ABORTED"
)

// UnsuccessfulEnds are the statuses of an execution that ended without
// success: its jobs that have not ended are no longer awaited by anything
// and are stopped.
var UnsuccessfulEnds = []ExecutionStatus{ExecutionFailed, ExecutionTimedOut, ExecutionAborted}

// EndedWithoutSuccess reports whether s is one of UnsuccessfulEnds.
func (s ExecutionStatus) EndedWithoutSuccess() bool {
	for _, u := range UnsuccessfulEnds {
		if s == u {
			return true
		}
	}
	return false
}

// ExecutionStatusChange is the detail of a "Step Functions Execution Status
// Change" event. Dates are milliseconds since the Unix epoch; StopDate,
// Output, Error and Cause are null until they apply.
type ExecutionStatusChange struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Status          ExecutionStatus `json:"status"`
	StartDate       int64           `json:"startDate"`
	StopDate        *int64          `json:"stopDate"`
	Input           string          `json:"input"`
	InputDetails    *DataDetails    `json:"inputDetails"`
	Output          *string         `json:"output"`
	OutputDetails   *DataDetails    `json:"outputDetails"`
	Error           *string         `json:"error"`
	Cause           *string         `json:"cause"`
}

// DataDetails says whether an execution status change event includes the
// execution's input or output (it is left out when too large).
type DataDetails struct {
	Included bool `json:"included"`
}

// ActiveStatuses are the statuses of a job that has not ended and is not
// already stopping: the jobs StopModelInvocationJob applies to.
var ActiveStatuses = []Status{StatusSubmitted, StatusValidating, StatusScheduled, StatusInProgress}

// Active reports whether s is one of ActiveStatuses.
func (s Status) Active() bool {
	for _, a := range ActiveStatuses {
		if s == a {
			return true
		}
	}
	return false
}
