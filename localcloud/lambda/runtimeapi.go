package lambda

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// runtimePrefix starts the paths of the Lambda Runtime API, version
// 2018-06-01 (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const runtimePrefix = "/2018-06-01/runtime/"

// runtimeAPI serves the Runtime API to the sandbox's process: GET
// invocation/next, POST invocation/{id}/response, invocation/{id}/error
// and init/error.
func (sb *sandbox) runtimeAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, runtimePrefix)
		switch {
		case !ok:
			runtimeError(w, http.StatusNotFound, "NotFound", "no such Runtime API path: "+r.URL.Path)
		case rest == "invocation/next" && r.Method == http.MethodGet:
			sb.nextInvocation(w, r)
		case rest == "init/error" && r.Method == http.MethodPost:
			doc := errorBody(r)
			select {
			case sb.initErr <- doc:
			default:
			}
			accepted(w)
		case strings.HasPrefix(rest, "invocation/") && r.Method == http.MethodPost:
			id, kind, _ := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
			switch kind {
			case "response":
				sb.answer(w, r, id, false)
			case "error":
				sb.answer(w, r, id, true)
			default:
				runtimeError(w, http.StatusNotFound, "NotFound", "no such Runtime API path: "+r.URL.Path)
			}
		default:
			runtimeError(w, http.StatusNotFound, "NotFound", "no such Runtime API path: "+r.Method+" "+r.URL.Path)
		}
	})
}

// nextInvocation waits for an event and hands it over with the headers
// the Runtime API documents.
func (sb *sandbox) nextInvocation(w http.ResponseWriter, r *http.Request) {
	var c *call
	select {
	case c = <-sb.next:
	case <-sb.stop:
		return
	case <-r.Context().Done():
		return
	}
	c.deadline = time.Now().Add(c.timeout)
	sb.mu.Lock()
	sb.current = c
	sb.mu.Unlock()
	close(c.handed)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", c.requestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(c.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", c.arn)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+strings.ReplaceAll(c.requestID, "-", "")[:24]+";Sampled=0")
	w.WriteHeader(http.StatusOK)
	payload := c.payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	_, _ = w.Write(payload)
}

// answer takes the response or the error of the invocation id.
func (sb *sandbox) answer(w http.ResponseWriter, r *http.Request, id string, failed bool) {
	sb.mu.Lock()
	c := sb.current
	answered := c != nil && c.answered
	if c != nil && c.requestID == id {
		c.answered = true
	}
	sb.mu.Unlock()
	if c == nil || c.requestID != id {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+id+" is in progress in this execution environment")
		return
	}
	if answered {
		runtimeError(w, http.StatusBadRequest, "InvalidStateTransition", "invocation "+id+" was already answered")
		return
	}
	var payload []byte
	if failed {
		payload = errorBody(r)
	} else {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
		if err != nil {
			runtimeError(w, http.StatusBadRequest, "InvalidRequest", "reading the response: "+err.Error())
			return
		}
		if len(body) > MaxSyncPayload {
			runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "the response is larger than Lambda's 6 MB limit")
			c.done <- reply{payload: errorDocument("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes)."), failed: true}
			return
		}
		payload = body
	}
	c.done <- reply{payload: payload, failed: failed}
	accepted(w)
}

// errorBody reads an error document a runtime posted: the JSON
// {errorMessage, errorType, stackTrace} it sends, else its text; the type
// comes from the Lambda-Runtime-Function-Error-Type header when the
// document has none.
func errorBody(r *http.Request) []byte {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload))
	var doc map[string]any
	if json.Unmarshal(body, &doc) == nil && doc != nil {
		if _, ok := doc["errorType"]; !ok {
			if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
				doc["errorType"] = t
			}
		}
		return mustJSON(doc)
	}
	// Without a type, the error reaches Step Functions as Lambda.Unknown,
	// as on AWS.
	doc = map[string]any{"errorMessage": strings.TrimSpace(string(body))}
	if typ := r.Header.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
		doc["errorType"] = typ
	}
	return mustJSON(doc)
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorDocument(typ, msg))
}
