package runtime

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// The operations served, by the last segment of their path
// (/model/{modelId}/…) in the service's API model (bedrock-runtime
// 2023-09-30).
const (
	opInvoke   = "invoke"
	opConverse = "converse"
)

// unserved are the runtime's other operations on /model/{modelId}/…, which
// get an error that says so rather than reaching the control plane.
var unserved = map[string]string{
	"invoke-with-response-stream":      "InvokeModelWithResponseStream",
	"invoke-with-bidirectional-stream": "InvokeModelWithBidirectionalStream",
	"converse-stream":                  "ConverseStream",
	"count-tokens":                     "CountTokens",
}

// maxBodyBytes is the largest request body the API model allows (Body's
// max, 25,000,000 bytes).
const maxBodyBytes = 25_000_000

// Handler serves InvokeModel (POST /model/{modelId}/invoke) and Converse
// (POST /model/{modelId}/converse) with rt, and hands every request on
// another path to next — the control plane of the same "bedrock" signing
// name.
func Handler(rt *Runtime, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		modelID, op, ok := splitPath(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		r = awsproto.StampRequestID(w, r)
		if name, ok := unserved[op]; ok {
			awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusNotImplemented, codeUnknownOperation,
				"%s is not served by the local Bedrock runtime; it serves InvokeModel (POST /model/{modelId}/invoke) and Converse (POST /model/{modelId}/converse)", name))
			return
		}
		if op != opInvoke && op != opConverse {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusMethodNotAllowed, codeUnknownOperation,
				"%s %s: the runtime serves this path with POST only", r.Method, r.URL.Path))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		switch {
		case err != nil:
			awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusBadRequest, CodeValidation, "reading the request body: %v", err))
			return
		case len(body) > maxBodyBytes:
			awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusRequestEntityTooLarge, CodeValidation,
				"the request body is larger than %d bytes, the most the runtime accepts", maxBodyBytes))
			return
		}
		if op == opInvoke {
			if a := r.Header.Get("Accept"); a != "" && !acceptsJSON(a) {
				awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusBadRequest, CodeValidation,
					"Accept %q is not served: the models answer application/json; send that or */*", a))
				return
			}
		}
		res, err := rt.Call(r.Context(), modelID, invocationOf(op), body)
		if err != nil {
			awsproto.WriteRESTJSONError(w, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		if op == opInvoke {
			h.Set("X-Amzn-Bedrock-Input-Token-Count", strconv.Itoa(res.InputTokens))
			h.Set("X-Amzn-Bedrock-Output-Token-Count", strconv.Itoa(res.OutputTokens))
			h.Set("X-Amzn-Bedrock-Invocation-Latency", strconv.FormatInt(res.Latency.Milliseconds(), 10))
		}
		h.Set("Content-Length", strconv.Itoa(len(res.Body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.Body)
	})
}

// splitPath splits /model/{modelId}/{op}. The model id may hold "/" (an
// inference profile ARN, which the SDKs escape and the server decodes), so
// the operation is the last segment.
func splitPath(path string) (modelID, op string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/model/")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// acceptsJSON reports whether an Accept header admits application/json.
func acceptsJSON(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/json", "application/*", "*/*":
			return true
		}
	}
	return false
}
