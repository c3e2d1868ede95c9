package sfn

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Exception names of the Step Functions API, as the SDK's typed errors
// are named.
const (
	codeValidation              = "ValidationException"
	codeInvalidArn              = "InvalidArn"
	codeInvalidName             = "InvalidName"
	codeInvalidDefinition       = "InvalidDefinition"
	codeInvalidToken            = "InvalidToken"
	codeInvalidOutput           = "InvalidOutput"
	codeInvalidExecutionInput   = "InvalidExecutionInput"
	codeMissingRequired         = "MissingRequiredParameter"
	codeStateMachineExists      = "StateMachineAlreadyExists"
	codeStateMachineMissing     = "StateMachineDoesNotExist"
	codeExecutionExists         = "ExecutionAlreadyExists"
	codeExecutionMissing        = "ExecutionDoesNotExist"
	codeTaskTimedOut            = "TaskTimedOut"
	codeInvalidLoggingConfig    = "InvalidLoggingConfiguration"
	codeInvalidTracingConfig    = "InvalidTracingConfiguration"
	codeInvalidEncryptionConfig = "InvalidEncryptionConfiguration"
)

// apiError returns a client error (HTTP 400) with the given exception name.
func apiError(code, format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, code, format, args...)
}

// engineError turns an error of the interpreter's execution and task-token
// calls into the API exception it stands for; other errors pass unchanged
// (and are reported as internal failures).
func engineError(err error, subject string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, asl.ErrInvalidToken):
		return apiError(codeInvalidToken, "Invalid Token: the task token %s is not a token this endpoint issued; pass the token exactly as the task received it ($$.Task.Token)", shorten(subject))
	case errors.Is(err, asl.ErrTaskTimedOut):
		return apiError(codeTaskTimedOut, "Task Timed Out: no task is waiting for the token %s any more: it was already answered, timed out, or its execution ended", shorten(subject))
	case errors.Is(err, asl.ErrInvalidOutput):
		return apiError(codeInvalidOutput, "Invalid Output: the output must be valid JSON")
	case errors.Is(err, asl.ErrExecutionDoesNotExist):
		return apiError(codeExecutionMissing, "Execution Does Not Exist: '%s'", subject)
	case errors.Is(err, asl.ErrExecutionAlreadyExists):
		return apiError(codeExecutionExists, "Execution Already Exists: '%s'", subject)
	}
	return fmt.Errorf("%s: %w", subject, err)
}

// shorten keeps messages about long task tokens readable.
func shorten(s string) string {
	const keep = 24
	if len(s) <= keep {
		return "'" + s + "'"
	}
	return "'" + s[:keep] + "…' (" + fmt.Sprint(len(s)) + " characters)"
}
