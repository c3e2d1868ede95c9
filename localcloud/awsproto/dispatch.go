package awsproto

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// Operation serves one operation of an awsJson service: it gets the raw
// request body and returns the value to send back as JSON, or an error
// (an *Error for a service error).
type Operation func(ctx context.Context, body []byte) (any, error)

// Op adapts a typed operation function: the body is decoded into a new In
// (SerializationException when it does not fit) and the result is encoded
// as the response.
func Op[In, Out any](fn func(ctx context.Context, in *In) (Out, error)) Operation {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, Errorf(http.StatusBadRequest, "SerializationException", "the request body does not fit this operation: %v", err)
			}
		}
		return fn(ctx, in)
	}
}

// JSONService serves an awsJson1.0 or awsJson1.1 protocol: every request is
// a POST whose X-Amz-Target header is "<TargetPrefix>.<Operation>".
type JSONService struct {
	// TargetPrefix is the part of X-Amz-Target before the dot, e.g.
	// "AWSEvents" or "AWSStepFunctions".
	TargetPrefix string
	// Version is "1.0" or "1.1"; it sets the response content type.
	Version string
	// Operations maps operation names to their implementations.
	Operations map[string]Operation
}

// ServeHTTP decodes the operation from X-Amz-Target, runs it and writes its
// result or error in the protocol's shape.
func (s *JSONService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = StampRequestID(w, r)
	target := r.Header.Get("X-Amz-Target")
	prefix, op, ok := strings.Cut(target, ".")
	if !ok || prefix != s.TargetPrefix {
		WriteJSONError(w, s.Version, Errorf(http.StatusBadRequest, "UnknownOperationException",
			"X-Amz-Target %q is not an operation of this service; expected %s.<Operation> with one of: %s",
			target, s.TargetPrefix, strings.Join(s.names(), ", ")))
		return
	}
	fn, found := s.Operations[op]
	if !found {
		WriteJSONError(w, s.Version, Errorf(http.StatusBadRequest, "UnknownOperationException",
			"operation %s is not supported by the local cloud; supported: %s", op, strings.Join(s.names(), ", ")))
		return
	}
	if r.Method != http.MethodPost {
		WriteJSONError(w, s.Version, Errorf(http.StatusMethodNotAllowed, "UnknownOperationException", "%s must be sent with POST, not %s", op, r.Method))
		return
	}
	var body json.RawMessage
	if err := DecodeJSON(r.Body, &body); err != nil {
		WriteJSONError(w, s.Version, err)
		return
	}
	out, err := fn(r.Context(), body)
	if err != nil {
		WriteJSONError(w, s.Version, err)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	WriteJSON(w, http.StatusOK, "application/x-amz-json-"+s.Version, out)
}

func (s *JSONService) names() []string {
	names := make([]string, 0, len(s.Operations))
	for n := range s.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
