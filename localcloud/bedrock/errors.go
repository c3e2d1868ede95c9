package bedrock

import (
	"fmt"
	"net/http"
)

// Error codes of the Bedrock control plane that the engine returns.
const (
	CodeValidation           = "ValidationException"
	CodeConflict             = "ConflictException"
	CodeResourceNotFound     = "ResourceNotFoundException"
	CodeServiceQuotaExceeded = "ServiceQuotaExceededException"
	CodeTooManyTags          = "TooManyTagsException"
	CodeInternalServer       = "InternalServerException"
)

// APIError is an error as the service reports it: a code, a message for
// people and the HTTP status the REST API answers with.
type APIError struct {
	Code       string
	Message    string
	HTTPStatus int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func apiError(code string, status int, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: status}
}

func validationError(format string, args ...any) *APIError {
	return apiError(CodeValidation, http.StatusBadRequest, format, args...)
}

func conflictError(format string, args ...any) *APIError {
	return apiError(CodeConflict, http.StatusBadRequest, format, args...)
}

func notFoundError(format string, args ...any) *APIError {
	return apiError(CodeResourceNotFound, http.StatusNotFound, format, args...)
}

func quotaError(format string, args ...any) *APIError {
	return apiError(CodeServiceQuotaExceeded, http.StatusBadRequest, format, args...)
}

func tooManyTagsError(format string, args ...any) *APIError {
	return apiError(CodeTooManyTags, http.StatusBadRequest, format, args...)
}

func internalError(format string, args ...any) *APIError {
	return apiError(CodeInternalServer, http.StatusInternalServerError, format, args...)
}
