package sqs

import (
	"fmt"
	"net/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// apiError is an SQS error: the JSON protocol names it by its shape
// (__type), the query protocol by its legacy code, which the JSON protocol
// also sends in X-Amzn-Query-Error for query-compatible clients.
type apiError struct {
	status int
	shape  string // JSON protocol error shape, e.g. QueueDoesNotExist
	code   string // query protocol code, e.g. AWS.SimpleQueueService.NonExistentQueue
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func newError(shape, code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, shape: shape, code: code, msg: fmt.Sprintf(format, args...)}
}

func errNoQueue(what string) *apiError {
	return newError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist (%s). Create it with CreateQueue, or check the queue URL or name.", what)
}

func errInvalid(format string, args ...any) *apiError {
	return newError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

func errMissing(name string) *apiError {
	return newError("MissingParameter", "MissingParameter", "The request must contain the parameter %s.", name)
}

func errAttrName(name string) *apiError {
	return newError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errAttrValue(format string, args ...any) *apiError {
	return newError("InvalidAttributeValue", "InvalidAttributeValue", format, args...)
}

func errReceipt(handle string) *apiError {
	return newError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

// asAPIError turns any error into an *apiError.
func asAPIError(err error) *apiError {
	if e, ok := err.(*apiError); ok {
		return e
	}
	ae := awsproto.AsError(err)
	return &apiError{status: ae.Status, shape: ae.Code, code: ae.Code, msg: ae.Message}
}

// fault is the query protocol's Type of an error: Sender or Receiver.
func (e *apiError) fault() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
