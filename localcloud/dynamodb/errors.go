package dynamodb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Error is a DynamoDB error: its __type (a fully qualified shape name as
// DynamoDB sends it), HTTP status and message.
type Error struct {
	Status  int
	Type    string
	Message string
	// Item is the item that failed a condition, sent back with
	// ReturnValuesOnConditionCheckFailure ALL_OLD.
	Item Item
}

func (e *Error) Error() string { return e.Code() + ": " + e.Message }

// Code is the error's short name, the part of __type after '#'.
func (e *Error) Code() string {
	for i := len(e.Type) - 1; i >= 0; i-- {
		if e.Type[i] == '#' {
			return e.Type[i+1:]
		}
	}
	return e.Type
}

// The namespaces of DynamoDB's __type values: the request validator's and
// the service's own.
const (
	coralValidate = "com.amazon.coral.validate#"
	coralService  = "com.amazon.coral.service#"
	dynamoNS      = "com.amazonaws.dynamodb.v20120810#"
)

func validation(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: coralValidate + "ValidationException", Message: fmt.Sprintf(format, args...)}
}

// invalidParam prefixes DynamoDB's "One or more parameter values were
// invalid: " to a validation message.
func invalidParam(format string, args ...any) *Error {
	return validation("One or more parameter values were invalid: "+format, args...)
}

func serialization(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: coralService + "SerializationException", Message: fmt.Sprintf(format, args...)}
}

func notFound() *Error {
	return &Error{Status: http.StatusBadRequest, Type: dynamoNS + "ResourceNotFoundException", Message: "Requested resource not found"}
}

func tableNotFound(name string) *Error {
	return &Error{Status: http.StatusBadRequest, Type: dynamoNS + "ResourceNotFoundException", Message: "Requested resource not found: Table: " + name + " not found"}
}

func inUse(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: dynamoNS + "ResourceInUseException", Message: fmt.Sprintf(format, args...)}
}

func conditionFailed(old Item) *Error {
	return &Error{Status: http.StatusBadRequest, Type: dynamoNS + "ConditionalCheckFailedException", Message: "The conditional request failed", Item: old}
}

func internal(err error) *Error {
	return &Error{Status: http.StatusInternalServerError, Type: dynamoNS + "InternalServerError", Message: err.Error()}
}

// write sends the error as DynamoDB does: the type in __type and in the
// X-Amzn-ErrorType header, the text in "message".
func (e *Error) write(w http.ResponseWriter) {
	body := map[string]any{"__type": e.Type}
	// The request deserializer's errors spell the member with a capital M.
	msgKey := "message"
	if strings.HasPrefix(e.Type, coralService) {
		msgKey = "Message"
	}
	if e.Message != "" {
		body[msgKey] = e.Message
	}
	if e.Item != nil {
		body["Item"] = e.Item
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-ErrorType", e.Code())
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}
