package edge

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestServiceOf(t *testing.T) {
	rt := New(nil)
	for _, tc := range []struct {
		name             string
		method, target   string
		header           map[string]string
		wantService, how string
	}{
		{"sigv4 scope wins", "POST", "/", map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=s",
			"X-Amz-Target":  "AWSEvents.PutEvents"}, Bedrock, "sigv4"},
		{"presigned", "GET", "/b/k?X-Amz-Credential=A%2F20240101%2Fus-east-1%2Fs3%2Faws4_request", nil, S3, "presigned"},
		{"unsigned target", "POST", "/", map[string]string{"X-Amz-Target": "AWSStepFunctions.StartExecution"}, StepFunctions, "target"},
		{"unsigned dynamodb target", "POST", "/", map[string]string{"X-Amz-Target": "DynamoDB_20120810.GetItem"}, DynamoDB, "target"},
		{"unknown target", "POST", "/", map[string]string{"X-Amz-Target": "Kinesis_20131202.ListStreams"}, "", "target"},
		{"lambda path", "POST", "/2015-03-31/functions/f/invocations", nil, Lambda, "path"},
		{"bedrock path", "GET", "/model-invocation-jobs", nil, Bedrock, "path"},
		{"bedrock tags path", "POST", "/listTagsForResource", nil, Bedrock, "path"},
		{"anything else is S3", "GET", "/bucket/key", nil, S3, "default"},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		if s, how := rt.ServiceOf(r); s != tc.wantService || how != tc.how {
			t.Errorf("%s: got %q by %s, want %q by %s", tc.name, s, how, tc.wantService, tc.how)
		}
	}
}

func TestUnknownServiceAnswersInItsProtocol(t *testing.T) {
	rt := New(nil)
	rt.Register(Lambda, http.NotFoundHandler())
	r := httptest.NewRequest("GET", "/bucket/key", nil)
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	if w.Code != 400 || w.Header().Get("Content-Type") != "application/xml" || w.Header().Get("X-Amz-Request-Id") == "" {
		t.Fatalf("S3 request without S3: %d %v %s", w.Code, w.Header(), w.Body)
	}
	r = httptest.NewRequest("POST", "/", nil)
	r.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	w = httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	if w.Code != 400 || w.Header().Get("X-Amzn-ErrorType") != "UnknownServiceException" || w.Header().Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("JSON request for an unregistered service: %d %v %s", w.Code, w.Header(), w.Body)
	}
}
