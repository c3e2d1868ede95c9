package httpapi

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// handler serves the REST-JSON API over one engine.
type handler struct {
	engine *bedrock.Engine
	log    *slog.Logger
}

// NewHandler returns the http.Handler of the Bedrock control plane's batch
// inference operations, served by e. Requests are routed by method and
// path as the service's API model binds them, so the edge router can hand
// it every request signed for the "bedrock" service. logger receives
// failures that are the local cloud's own (answered with
// InternalServerException); nil discards them.
//
// Request bodies are limited to 1 MiB; a body that is larger, is not JSON or
// does not fit the operation is a ValidationException that says why.
func NewHandler(e *bedrock.Engine, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &handler{engine: e, log: logger}
}

// operation is one operation's HTTP binding. A path with a label,
// "/a/{label}/b", matches any path that starts with "/a/" and ends with
// "/b"; the text between them is the label's value.
type operation struct {
	name, method, path string
	serve              func(h *handler, r *http.Request, label string) (any, error)
}

// operations are the operations served, with the bindings of the
// service's API model (bedrock 2023-04-20).
var operations = []operation{
	{"CreateModelInvocationJob", http.MethodPost, "/model-invocation-job", (*handler).createJob},
	{"GetModelInvocationJob", http.MethodGet, "/model-invocation-job/{jobIdentifier}", (*handler).getJob},
	{"ListModelInvocationJobs", http.MethodGet, "/model-invocation-jobs", (*handler).listJobs},
	{"StopModelInvocationJob", http.MethodPost, "/model-invocation-job/{jobIdentifier}/stop", (*handler).stopJob},
	{"TagResource", http.MethodPost, "/tagResource", (*handler).tagResource},
	{"UntagResource", http.MethodPost, "/untagResource", (*handler).untagResource},
	{"ListTagsForResource", http.MethodPost, "/listTagsForResource", (*handler).listTags},
	{"GetInferenceProfile", http.MethodGet, "/inference-profiles/{inferenceProfileIdentifier}", (*handler).getInferenceProfile},
}

// match reports whether the request path fits the operation's path, with
// the label's value and how many literal characters matched (a longer
// literal is a more specific match).
func (op *operation) match(path string) (label string, literal int, ok bool) {
	open := strings.IndexByte(op.path, '{')
	if open < 0 {
		return "", len(op.path), path == op.path
	}
	prefix := op.path[:open]
	suffix := op.path[strings.IndexByte(op.path, '}')+1:]
	if len(path) < len(prefix)+len(suffix) || !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) {
		return "", 0, false
	}
	return path[len(prefix) : len(path)-len(suffix)], len(prefix) + len(suffix), true
}

// route finds the operation of a request: among the operations whose path
// fits, the most specific ones, and of those the one with the request's
// method. allowed lists the methods of a path that fits when none has the
// request's method.
func route(method, path string) (op *operation, label string, allowed []string) {
	best := 0
	var candidates []*operation
	var labels []string
	for i := range operations {
		l, literal, ok := operations[i].match(path)
		switch {
		case !ok || literal < best:
			continue
		case literal > best:
			best, candidates, labels = literal, nil, nil
		}
		candidates = append(candidates, &operations[i])
		labels = append(labels, l)
	}
	for i, c := range candidates {
		if c.method == method {
			return c, labels[i], nil
		}
		allowed = append(allowed, c.method)
	}
	return nil, "", allowed
}

// ServeHTTP routes the request to its operation and writes the result, or
// the error the way REST-JSON services do.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.StampRequestID(w, r)
	// Labels are matched on the decoded path: a job ARN, which the SDKs
	// escape, holds a "/", and the operations' literal suffix tells the
	// label apart from it.
	path := r.URL.Path
	op, label, allowed := route(r.Method, path)
	if op == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusMethodNotAllowed, codeUnknownOperation,
				"%s %s: this path is served with %s only; the local Bedrock serves %s",
				r.Method, path, strings.Join(allowed, ", "), servedOperations()))
			return
		}
		awsproto.WriteRESTJSONError(w, awsproto.Errorf(http.StatusNotFound, codeUnknownOperation,
			"%s %s is not an operation of the local Bedrock control plane; it serves %s",
			r.Method, path, servedOperations()))
		return
	}
	out, err := op.serve(h, r, label)
	if err != nil {
		e := serviceError(err, "")
		if e.Status >= http.StatusInternalServerError {
			h.log.Error("bedrock operation failed", "operation", op.name, "code", e.Code, "error", e.Message,
				"request_id", awsproto.RequestID(r.Context()))
		}
		awsproto.WriteRESTJSONError(w, e)
		return
	}
	awsproto.WriteJSON(w, http.StatusOK, "application/json", out)
}

// servedOperations lists the operations with their bindings, for errors.
func servedOperations() string {
	parts := make([]string, len(operations))
	for i, op := range operations {
		parts[i] = op.name + " (" + op.method + " " + op.path + ")"
	}
	return strings.Join(parts, ", ")
}
