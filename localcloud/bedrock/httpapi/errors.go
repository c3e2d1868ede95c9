package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// maxRequestBytes bounds a request body. The largest valid request, a
// CreateModelInvocationJob with 200 tags of the longest keys and values, is
// well under 100 KB.
const maxRequestBytes = 1 << 20

// codeUnknownOperation is the error code of a request that names no
// operation served here.
const codeUnknownOperation = "UnknownOperationException"

func validationError(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, bedrock.CodeValidation, format, args...)
}

// decodeBody reads a JSON request body into v. A body that is too large,
// is not JSON, or has a member of the wrong type is a ValidationException
// that says which. An empty body decodes as an empty object.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		return validationError("reading the request body: %v", err)
	}
	if len(b) > maxRequestBytes {
		return awsproto.Errorf(http.StatusRequestEntityTooLarge, bedrock.CodeValidation,
			"the request body is larger than %d bytes, the most this operation accepts", maxRequestBytes)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return validationError("the request body is not a valid JSON request for this operation: %s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return validationError("the request body has more data after its JSON object; send exactly one object")
	}
	return nil
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("%v (at byte %d)", syntax, syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Sprintf("the body is a JSON %s; it must be an object", typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("member %s must be of type %s, not a JSON %s", typ.Field, jsonKind(typ.Type.Kind()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	return err.Error()
}

// jsonKind names a Go kind the way the API model names member types.
func jsonKind(kind reflect.Kind) string {
	switch kind {
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Slice:
		return "list"
	case reflect.Struct, reflect.Map:
		return "structure"
	case reflect.Bool:
		return "boolean"
	case reflect.Pointer:
		return "value"
	}
	return kind.String()
}

// serviceError turns an engine error into the error the service answers
// with. resourceARN, when given, fills TooManyTagsException's resourceName.
func serviceError(err error, resourceARN string) *awsproto.Error {
	var apiErr *bedrock.APIError
	var protoErr *awsproto.Error
	switch {
	case errors.As(err, &apiErr):
		e := awsproto.Errorf(apiErr.HTTPStatus, apiErr.Code, "%s", apiErr.Message)
		if apiErr.Code == bedrock.CodeTooManyTags && resourceARN != "" {
			e = e.With("resourceName", resourceARN)
		}
		return e
	case errors.As(err, &protoErr):
		return protoErr
	}
	return awsproto.Errorf(http.StatusInternalServerError, bedrock.CodeInternalServer, "the local Bedrock failed: %v", err)
}
