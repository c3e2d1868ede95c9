package model

import "fmt"

// RecordError is a per-record failure, written into the record's output line
// as error{errorCode, errorMessage}. The job goes on with the next record.
type RecordError struct {
	// Code is the HTTP-style status, for example 400 for a request the model
	// rejects or 429 for throttling.
	Code int
	// Message says what was wrong, in the words of the service where possible.
	Message string
}

// Error implements error.
func (e *RecordError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }
