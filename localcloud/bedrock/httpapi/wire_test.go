package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// call sends a raw request and returns the status, headers and decoded
// JSON body.
func (env *testEnv) call(method, path, body string) (int, http.Header, map[string]any) {
	env.t.Helper()
	req, err := http.NewRequest(method, env.url+path, strings.NewReader(body))
	if err != nil {
		env.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		env.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		env.t.Fatalf("%s %s: the response is not a JSON object: %q", method, path, raw)
	}
	return resp.StatusCode, resp.Header, m
}

// wantError checks a raw error response's status, X-Amzn-ErrorType and
// message.
func wantError(t *testing.T, status int, h http.Header, body map[string]any, wantStatus int, code string, fragments ...string) {
	t.Helper()
	if status != wantStatus || h.Get("X-Amzn-ErrorType") != code || h.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %s (%s), want %d %s", status, h.Get("X-Amzn-ErrorType"), h.Get("Content-Type"), wantStatus, code)
	}
	msg, _ := body["message"].(string)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("%s message %q does not mention %q", code, msg, f)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})

	status, h, body := env.call(http.MethodGet, "/foundation-models", "")
	wantError(t, status, h, body, http.StatusNotFound, codeUnknownOperation,
		"GET /foundation-models", "CreateModelInvocationJob (POST /model-invocation-job)",
		"ListModelInvocationJobs (GET /model-invocation-jobs)", "StopModelInvocationJob (POST /model-invocation-job/{jobIdentifier}/stop)")
	if h.Get("X-Amzn-RequestId") == "" {
		t.Error("an error response has no request id")
	}

	status, h, body = env.call(http.MethodDelete, "/model-invocation-job/abcdef123456", "")
	wantError(t, status, h, body, http.StatusMethodNotAllowed, codeUnknownOperation, "GET only")
	if h.Get("Allow") != http.MethodGet {
		t.Errorf("Allow %q, want GET", h.Get("Allow"))
	}
	status, h, body = env.call(http.MethodGet, "/model-invocation-job/abcdef123456/stop", "")
	wantError(t, status, h, body, http.StatusMethodNotAllowed, codeUnknownOperation, "POST only")
	status, h, body = env.call(http.MethodGet, "/tagResource", "")
	wantError(t, status, h, body, http.StatusMethodNotAllowed, codeUnknownOperation, "POST only")
}

func TestMalformedBodies(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	for _, tc := range []struct {
		name, path, body string
		status           int
		fragment         string
	}{
		{"truncated JSON", "/model-invocation-job", `{"jobName":`, 400, "ends early"},
		{"syntax error", "/model-invocation-job", `{"jobName" "x"}`, 400, "invalid character"},
		{"member of the wrong type", "/model-invocation-job", `{"jobName": 5}`, 400, "member jobName must be of type string, not a JSON number"},
		{"timeout as a string", "/model-invocation-job", `{"timeoutDurationInHours": "48"}`, 400, "timeoutDurationInHours must be of type integer"},
		{"not an object", "/tagResource", `["a"]`, 400, "must be an object"},
		{"two objects", "/listTagsForResource", `{} {}`, 400, "more data after"},
		{"too large", "/model-invocation-job", `{"jobName":"` + strings.Repeat("x", maxRequestBytes) + `"}`, 413, "larger than 1048576 bytes"},
		{"tags missing", "/tagResource", `{"resourceARN":"arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/abcdef123456"}`, 400, "tags is required"},
		{"tags null", "/tagResource", `{"resourceARN":"arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/abcdef123456","tags":null}`, 400, "tags is required"},
		{"tag keys missing", "/untagResource", `{"resourceARN":"arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/abcdef123456"}`, 400, "tagKeys is required"},
		{"empty create", "/model-invocation-job", ``, 400, "jobName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := env.call(http.MethodPost, tc.path, tc.body)
			wantError(t, status, h, body, tc.status, "ValidationException", tc.fragment)
		})
	}
}

func TestListQueryParameters(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	env.create(createInput("query-1"))
	for _, tc := range []struct {
		query, fragment string
	}{
		{"maxResults=0", "maxResults"},
		{"maxResults=ten", "maxResults"},
		{"submitTimeAfter=yesterday", "submitTimeAfter"},
		{"submitTimeBefore=2024-13-01T00:00:00Z", "submitTimeBefore"},
	} {
		status, h, body := env.call(http.MethodGet, "/model-invocation-jobs?"+tc.query, "")
		wantError(t, status, h, body, http.StatusBadRequest, "ValidationException", tc.fragment)
	}
	// Offsets other than Z are date-times too.
	status, _, body := env.call(http.MethodGet, "/model-invocation-jobs?submitTimeAfter="+url.QueryEscape("2000-01-01T01:00:00+01:00"), "")
	if jobs, _ := body["invocationJobSummaries"].([]any); status != http.StatusOK || len(jobs) != 1 {
		t.Errorf("submitTimeAfter with an offset: %d %v", status, body)
	}
	status, _, body = env.call(http.MethodGet, "/model-invocation-jobs?nameContains=nomatch", "")
	if jobs, ok := body["invocationJobSummaries"].([]any); status != http.StatusOK || !ok || len(jobs) != 0 {
		t.Errorf("an empty list must be [], got %d %v", status, body)
	}
}

var dateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestWireShapeOfAJob(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	arn := env.create(createInput("wire-shape"))

	// The SDK escapes the ARN in the path; a hand-written request may not.
	for _, path := range []string{"/model-invocation-job/" + url.PathEscape(arn), "/model-invocation-job/" + arn} {
		status, h, body := env.call(http.MethodGet, path, "")
		if status != http.StatusOK || h.Get("Content-Type") != "application/json" || h.Get("X-Amzn-RequestId") == "" {
			t.Fatalf("GET %s: %d %v", path, status, h)
		}
		if body["jobArn"] != arn || body["status"] != "Submitted" || body["modelInvocationType"] != "InvokeModel" {
			t.Errorf("GET %s: %v", path, body)
		}
		for _, k := range []string{"submitTime", "lastModifiedTime", "jobExpirationTime"} {
			if s, _ := body[k].(string); !dateTime.MatchString(s) {
				t.Errorf("%s %v is not a date-time in UTC to the millisecond", k, body[k])
			}
		}
		if _, ok := body["endTime"]; ok {
			t.Errorf("a job that has not ended has an endTime: %v", body["endTime"])
		}
		in, _ := body["inputDataConfig"].(map[string]any)
		if s3, _ := in["s3InputDataConfig"].(map[string]any); s3["s3Uri"] != "s3://inbox/in/records.jsonl" {
			t.Errorf("inputDataConfig %v", body["inputDataConfig"])
		}
	}

	status, _, body := env.call(http.MethodPost, "/model-invocation-job/"+arn+"/stop", "")
	if status != http.StatusOK || len(body) != 0 {
		t.Fatalf("stop with an unescaped ARN: %d %v", status, body)
	}
	if _, _, body := env.call(http.MethodGet, "/model-invocation-job/"+jobID(arn), ""); body["status"] != "Stopping" {
		t.Errorf("after stop: %v", body["status"])
	}
}
