package edge

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Service names as they appear in SigV4 credential scopes.
const (
	S3            = "s3"
	Bedrock       = "bedrock"
	StepFunctions = "states"
	EventBridge   = "events"
	Lambda        = "lambda"
	SQS           = "sqs"
	SNS           = "sns"
	DynamoDB      = "dynamodb"
)

// HealthPath answers GET with the list of served services, for readiness
// checks: {"services":["events","lambda","s3"]}.
const HealthPath = "/_localcloud/health"

// Router dispatches requests to the registered services. The zero value is
// not usable; call New.
type Router struct {
	logger *slog.Logger

	mu       sync.RWMutex
	services map[string]http.Handler
	targets  map[string]string // X-Amz-Target prefix → service
	paths    map[string]string // URL path prefix → service
	mounts   map[string]http.Handler
}

// New returns a router that logs one line per request to logger (nil: no
// logging). It knows the X-Amz-Target prefixes of EventBridge
// ("AWSEvents") and Step Functions ("AWSStepFunctions") and the path
// prefixes of Lambda and the Bedrock control plane, so requests without
// SigV4 credentials still reach those services.
func New(logger *slog.Logger) *Router {
	return &Router{
		logger:   logger,
		services: map[string]http.Handler{},
		targets: map[string]string{
			"AWSEvents":         EventBridge,
			"AWSStepFunctions":  StepFunctions,
			"AmazonSQS":         SQS,
			"DynamoDB_20120810": DynamoDB,
		},
		paths: map[string]string{
			"/2015-03-31/functions":  Lambda,
			"/model-invocation-job":  Bedrock,
			"/model-invocation-jobs": Bedrock,
			// Bucket names are lower case, so these never shadow a
			// path-style S3 request.
			"/tagResource":         Bedrock,
			"/untagResource":       Bedrock,
			"/listTagsForResource": Bedrock,
		},
	}
}

// Register serves service (a SigV4 service name such as "s3", "bedrock",
// "states", "events" or "lambda") with h, replacing any earlier handler.
func (rt *Router) Register(service string, h http.Handler) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.services[service] = h
}

// RegisterTargetPrefix routes unsigned awsJson requests whose X-Amz-Target
// starts with prefix + "." to service.
func (rt *Router) RegisterTargetPrefix(prefix, service string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.targets[prefix] = service
}

// RegisterPathPrefix routes unsigned requests whose path starts with prefix
// to service.
func (rt *Router) RegisterPathPrefix(prefix, service string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.paths[prefix] = service
}

// Mount serves requests without AWS credentials whose path starts with
// prefix (such as "/_console/") with h, before any service. The prefix must
// start with "/_": no bucket name does, so no S3 request is shadowed. The
// path without its trailing slash redirects to the prefix.
func (rt *Router) Mount(prefix string, h http.Handler) {
	if !strings.HasPrefix(prefix, "/_") || !strings.HasSuffix(prefix, "/") {
		panic("edge: Mount prefix " + quote(prefix) + " must start with \"/_\" and end with \"/\"")
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.mounts == nil {
		rt.mounts = map[string]http.Handler{}
	}
	rt.mounts[prefix] = h
}

// mounted finds the handler mounted for an unsigned request's path.
func (rt *Router) mounted(r *http.Request) (string, http.Handler) {
	if _, signed := awsproto.ParseCredential(r); signed {
		return "", nil
	}
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	for p, h := range rt.mounts {
		if strings.HasPrefix(r.URL.Path, p) {
			return p, h
		}
		if r.URL.Path+"/" == p {
			return p, http.RedirectHandler(p, http.StatusMovedPermanently)
		}
	}
	return "", nil
}

// Services returns the names of the registered services, sorted.
func (rt *Router) Services() []string {
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	names := make([]string, 0, len(rt.services))
	for n := range rt.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ServiceOf names the service a request is addressed to, and how that was
// decided ("sigv4", "presigned", "target", "path" or "default").
func (rt *Router) ServiceOf(r *http.Request) (service, by string) {
	if c, ok := awsproto.ParseCredential(r); ok {
		if r.Header.Get("Authorization") != "" {
			return c.Service, "sigv4"
		}
		return c.Service, "presigned"
	}
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, _, _ := strings.Cut(t, ".")
		if s, ok := rt.targets[prefix]; ok {
			return s, "target"
		}
		return "", "target"
	}
	for p, s := range rt.paths {
		if r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/") {
			return s, "path"
		}
	}
	return S3, "default"
}

// ServeHTTP routes r to its service. Every response carries a request id.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	r = awsproto.StampRequestID(rec, r)
	service, by := rt.dispatch(rec, r)
	if rt.logger != nil {
		attrs := []any{
			"method", r.Method,
			"path", r.URL.Path,
			"service", service,
			"routed_by", by,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration", time.Since(start).Round(time.Microsecond),
			"request_id", awsproto.RequestID(r.Context()),
		}
		if t := r.Header.Get("X-Amz-Target"); t != "" {
			attrs = append(attrs, "target", t)
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		rt.logger.Log(r.Context(), level, "request", attrs...)
	}
}

func (rt *Router) dispatch(w http.ResponseWriter, r *http.Request) (service, by string) {
	if r.URL.Path == HealthPath && r.Header.Get("Authorization") == "" {
		awsproto.WriteJSON(w, http.StatusOK, "application/json", map[string]any{"services": rt.Services()})
		return "health", "path"
	}
	if prefix, h := rt.mounted(r); h != nil {
		h.ServeHTTP(w, r)
		return prefix, "mount"
	}
	service, by = rt.ServiceOf(r)
	rt.mu.RLock()
	h, ok := rt.services[service]
	rt.mu.RUnlock()
	if ok {
		h.ServeHTTP(w, r)
		return service, by
	}
	rt.unknown(w, r, service)
	return service, by
}

// unknown answers a request for a service that is not served, in the
// protocol the client most likely speaks.
func (rt *Router) unknown(w http.ResponseWriter, r *http.Request, service string) {
	what := "service " + quote(service)
	if service == "" {
		what = "X-Amz-Target " + quote(r.Header.Get("X-Amz-Target"))
	}
	err := awsproto.Errorf(http.StatusBadRequest, "UnknownServiceException",
		"%s is not served by this local cloud endpoint; it serves: %s. "+
			"Point only clients of those services at it (AWS_ENDPOINT_URL_<SERVICE> overrides one service)",
		what, strings.Join(rt.Services(), ", "))
	switch {
	case service == S3:
		awsproto.WriteXMLError(w, r, err)
	case isQuery(r):
		writeQueryError(w, r, err)
	case r.Header.Get("X-Amz-Target") != "":
		version := "1.1"
		if ct := r.Header.Get("Content-Type"); strings.HasSuffix(ct, "1.0") {
			version = "1.0"
		}
		awsproto.WriteJSONError(w, version, err)
	default:
		awsproto.WriteRESTJSONError(w, err)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// recorder remembers the status and size of a response for the log line.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the underlying writer's fast path (sendfile for files).
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	r.wrote = true
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(src)
		r.bytes += n
		return n, err
	}
	n, err := io.Copy(writerOnly{r.ResponseWriter}, src)
	r.bytes += n
	return n, err
}

// writerOnly hides every method but Write, so io.Copy does not loop back
// into ReadFrom.
type writerOnly struct{ io.Writer }

// Flush passes flushes through, so streaming responses stay streaming.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer (for
// sendfile and deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
