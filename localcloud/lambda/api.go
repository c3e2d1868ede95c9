package lambda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// apiPrefix starts the paths of Lambda's function operations.
const apiPrefix = "/2015-03-31/functions"

// ServeHTTP serves Lambda's REST-JSON API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.StampRequestID(w, r)
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		awsproto.WriteRESTJSONError(w, unsupportedOperation(r))
		return
	}
	rest = strings.TrimPrefix(rest, "/")
	var err error
	switch name, sub, _ := strings.Cut(rest, "/"); {
	case name == "" && r.Method == http.MethodGet:
		err = s.listFunctions(w, r)
	case name == "" && r.Method == http.MethodPost:
		err = s.createFunction(w, r)
	case sub == "code" && r.Method == http.MethodPut:
		err = s.updateFunctionCode(w, r, name)
	case sub == "configuration" && r.Method == http.MethodPut:
		err = s.updateFunctionConfiguration(w, r, name)
	case sub == "" && r.Method == http.MethodDelete:
		err = s.deleteFunction(w, name)
	case sub == "invocations" && r.Method == http.MethodPost:
		err = s.invoke(w, r, name)
	case sub == "" && r.Method == http.MethodGet:
		err = s.getFunction(w, r, name, false)
	case sub == "configuration" && r.Method == http.MethodGet:
		err = s.getFunction(w, r, name, true)
	default:
		err = unsupportedOperation(r)
	}
	if err != nil {
		awsproto.WriteRESTJSONError(w, err)
	}
}

func unsupportedOperation(r *http.Request) error {
	return awsproto.Errorf(http.StatusNotImplemented, "UnsupportedOperationException",
		"%s %s is not supported by the local cloud's Lambda; it serves CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration, "+
			"DeleteFunction, Invoke, GetFunction, GetFunctionConfiguration and ListFunctions", r.Method, r.URL.Path)
}

func (s *Service) invoke(w http.ResponseWriter, r *http.Request, functionName string) error {
	e, err := s.lookup(functionName, r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	invocationType := r.Header.Get("X-Amz-Invocation-Type")
	limit := MaxSyncPayload
	switch invocationType {
	case "", "RequestResponse":
	case "Event":
		limit = MaxAsyncPayload
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return nil
	default:
		return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValueException",
			"X-Amz-Invocation-Type %q is not valid; use RequestResponse, Event or DryRun", invocationType).With("Type", "User")
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "reading the payload: %v", err).With("Type", "User")
	}
	if len(payload) > limit {
		return awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			"the payload is larger than the %d bytes Lambda accepts for %s invocations", limit, strings.ToLower(orDefault(invocationType, "RequestResponse"))).With("Type", "User")
	}
	if len(bytes.TrimSpace(payload)) > 0 && !json.Valid(payload) {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: the payload is not valid JSON").With("Type", "User")
	}
	requestID := awsproto.RequestID(r.Context())
	if invocationType == "Event" {
		if err := s.enqueue(e.fn.Name, payload, requestID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	res, log := s.run(r.Context(), e, payload, requestID)
	s.record(e.fn.Name, "RequestResponse", 1, payload, res, log)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		// The last 4 KB of the log, as Lambda returns it.
		tail := fmt.Sprintf("START RequestId: %s Version: $LATEST\n%sEND RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f ms\tMemory Size: %d MB\n",
			requestID, log, requestID, requestID, float64(res.Duration.Microseconds())/1000, e.fn.MemorySize)
		if len(tail) > 4096 {
			tail = tail[len(tail)-4096:]
		}
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(tail)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// functionConfiguration is FunctionConfiguration on the wire.
type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role,omitempty"`
	Handler          string            `json:"Handler,omitempty"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	DeadLetterConfig *deadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

func wireConfiguration(f Function) functionConfiguration {
	c := functionConfiguration{
		FunctionName: f.Name, FunctionArn: f.Arn, Runtime: f.Runtime, Role: f.Role, Handler: f.Handler,
		Description: f.Description, Timeout: int(f.Timeout / time.Second), MemorySize: f.MemorySize,
		LastModified: f.LastModified.UTC().Format("2006-01-02T15:04:05.000-0700"), CodeSha256: f.CodeSha256,
		Version: "$LATEST", State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures: f.Architectures, CodeSize: f.CodeSize,
	}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{"x86_64"}
	}
	if len(f.Environment) > 0 {
		c.Environment = &environment{Variables: f.Environment}
	}
	if f.DeadLetterArn != "" {
		c.DeadLetterConfig = &deadLetterConfig{TargetArn: f.DeadLetterArn}
	}
	return c
}

func (s *Service) getFunction(w http.ResponseWriter, r *http.Request, functionName string, configOnly bool) error {
	e, err := s.lookup(functionName, r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	s.mu.RLock()
	cfg := wireConfiguration(e.fn)
	s.mu.RUnlock()
	if configOnly {
		awsproto.WriteJSON(w, http.StatusOK, "application/json", cfg)
		return nil
	}
	awsproto.WriteJSON(w, http.StatusOK, "application/json", map[string]any{
		"Configuration": cfg,
		"Code":          map[string]string{"RepositoryType": "S3", "Location": ""},
		"Tags":          map[string]string{},
	})
	return nil
}

func (s *Service) listFunctions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	max := 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValueException", "MaxItems %q must be between 1 and 10000", v).With("Type", "User")
		}
		max = n
	}
	all := s.Functions()
	start := 0
	if m := q.Get("Marker"); m != "" {
		for start < len(all) && all[start].Name <= m {
			start++
		}
	}
	out := map[string]any{}
	configs := []functionConfiguration{}
	for _, f := range all[start:] {
		if len(configs) == max {
			out["NextMarker"] = configs[len(configs)-1].FunctionName
			break
		}
		configs = append(configs, wireConfiguration(f))
	}
	out["Functions"] = configs
	awsproto.WriteJSON(w, http.StatusOK, "application/json", out)
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
