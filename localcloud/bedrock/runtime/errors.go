package runtime

import (
	"net/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Error codes of the Bedrock runtime's API (bedrock-runtime 2023-09-30).
const (
	CodeValidation         = "ValidationException"
	CodeAccessDenied       = "AccessDeniedException"
	CodeResourceNotFound   = "ResourceNotFoundException"
	CodeThrottling         = "ThrottlingException"
	CodeModelTimeout       = "ModelTimeoutException"
	CodeModelError         = "ModelErrorException"
	CodeServiceUnavailable = "ServiceUnavailableException"
	CodeInternalServer     = "InternalServerException"
	codeUnknownOperation   = "UnknownOperationException"
)

// Messages the service answers with.
const (
	msgInvalidModel = "The provided model identifier is invalid."
	msgThrottled    = "Too many requests, please wait before trying again."
)

// statusError maps a model call's HTTP-style status — as a backend reports
// a failed record, and as batch outputs write it in errorCode — to the
// runtime's error for it.
func statusError(status int, message string) *awsproto.Error {
	code := CodeInternalServer
	switch status {
	case http.StatusBadRequest:
		code = CodeValidation
	case http.StatusForbidden:
		code = CodeAccessDenied
	case http.StatusNotFound:
		code = CodeResourceNotFound
	case http.StatusRequestTimeout:
		code = CodeModelTimeout
	case http.StatusFailedDependency:
		code = CodeModelError
	case http.StatusTooManyRequests:
		code = CodeThrottling
	case http.StatusServiceUnavailable:
		code = CodeServiceUnavailable
	default:
		status = http.StatusInternalServerError
	}
	return awsproto.Errorf(status, code, "%s", message)
}
