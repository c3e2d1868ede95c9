package console

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// Path is where the console is served on the cloud's port. No S3 bucket
// name starts with "_", so it never hides a bucket.
const Path = "/_console/"

// EventLog lists the events the local EventBridge accepted recently
// (*events.Service does).
type EventLog interface {
	RecentEvents() []events.RecentEvent
}

// InvocationLog lists the Lambda invocations that finished recently
// (*lambda.Service does).
type InvocationLog interface {
	RecentInvocations() []lambda.Invocation
}

// Options configures the console.
type Options struct {
	// AWS is the SDK configuration of clients that reach the local cloud.
	// Required.
	AWS aws.Config
	// Events and Invocations feed the activity page; nil shows none.
	Events      EventLog
	Invocations InvocationLog
	// Prices gives the batch cost of a job's tokens; nil shows no cost.
	Prices Prices
	// Ledger lists an execution's jobs from the job ledger; nil lists
	// none.
	Ledger Ledger
}

//go:embed static
var static embed.FS

// handler serves the page and its API.
type handler struct {
	opts    Options
	sfn     *awssfn.Client
	bedrock *awsbedrock.Client
	s3      *awss3.Client
	files   http.Handler
	mux     *http.ServeMux
	tokens  *summaryCache
}

// New returns the console's handler; mount it at Path.
func New(opts Options) http.Handler {
	sub, _ := fs.Sub(static, "static")
	h := &handler{
		opts:    opts,
		sfn:     awssfn.NewFromConfig(opts.AWS),
		bedrock: awsbedrock.NewFromConfig(opts.AWS),
		s3:      awss3.NewFromConfig(opts.AWS),
		files:   http.FileServerFS(sub),
		mux:     http.NewServeMux(),
		tokens:  newSummaryCache(),
	}
	h.mux.HandleFunc("GET /api/executions", h.api(h.executions))
	h.mux.HandleFunc("GET /api/execution", h.api(h.execution))
	h.mux.HandleFunc("POST /api/execution/stop", h.api(h.stopExecution))
	h.mux.HandleFunc("GET /api/jobs", h.api(h.jobs))
	h.mux.HandleFunc("GET /api/job", h.api(h.job))
	h.mux.HandleFunc("POST /api/job/stop", h.api(h.stopJob))
	h.mux.HandleFunc("GET /api/buckets", h.api(h.buckets))
	h.mux.HandleFunc("GET /api/objects", h.api(h.objects))
	h.mux.HandleFunc("GET /api/object", h.api(h.object))
	h.mux.HandleFunc("GET /api/download", h.download)
	h.mux.HandleFunc("GET /api/activity", h.api(h.activity))
	h.mux.HandleFunc("GET /api/messaging", h.api(h.messaging))
	h.mux.HandleFunc("GET /api/tables", h.api(h.tables))
	h.mux.HandleFunc("GET /api/items", h.api(h.items))
	h.mux.Handle("GET /", h.files)
	return http.StripPrefix(strings.TrimSuffix(Path, "/"), h)
}

// ServeHTTP refuses changes that do not come from the page itself: a POST
// must carry the X-Console header, which a page on another origin cannot
// send without a preflight this handler never grants.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.Header.Get("X-Console") == "" {
		writeError(w, http.StatusForbidden, errors.New("changes need the X-Console header the console page sends"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// apiError is an error with the HTTP status to answer it with.
type apiError struct {
	status int
	err    error
}

func (e *apiError) Error() string { return e.err.Error() }
func (e *apiError) Unwrap() error { return e.err }

// badRequest reports a missing or wrong query parameter.
func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, err: fmt.Errorf(format, args...)}
}

// api adapts a function returning a JSON value to a handler; errors become
// {"error": message} with the service's status code when there is one.
func (h *handler) api(fn func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 {
		return re.HTTPStatusCode()
	}
	var se smithy.APIError
	if errors.As(err, &se) {
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
