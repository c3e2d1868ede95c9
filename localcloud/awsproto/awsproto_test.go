package awsproto

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseCredential(t *testing.T) {
	for _, tc := range []struct {
		name, auth, query string
		want              Credential
		ok                bool
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/states/aws4_request, SignedHeaders=host, Signature=abc", "",
			Credential{"AKID", "20240101", "eu-west-1", "states"}, true},
		{"presigned", "", "X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x",
			Credential{"AKID", "20240101", "us-east-1", "s3"}, true},
		{"unsigned", "", "", Credential{}, false},
		{"other scheme", "Bearer token", "", Credential{}, false},
		{"bad scope", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/aws4_request, Signature=x", "", Credential{}, false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		got, ok := ParseCredential(r)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestErrorShapes(t *testing.T) {
	e := Errorf(http.StatusNotFound, "ResourceNotFoundException", "no %s", "thing").With("Type", "User")

	w := httptest.NewRecorder()
	WriteJSONError(w, "1.1", e)
	var body map[string]string
	_ = json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != 404 || w.Header().Get("X-Amzn-ErrorType") != "ResourceNotFoundException" ||
		body["__type"] != "ResourceNotFoundException" || body["message"] != "no thing" || body["Message"] != "no thing" || body["Type"] != "User" ||
		w.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("awsJson error: %d %v %s", w.Code, w.Header(), w.Body)
	}

	w = httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/b/k", nil)
	r = r.WithContext(WithRequestID(r.Context(), "rid"))
	WriteXMLError(w, r, Errorf(404, "NoSuchKey", "gone").With("Key", "k"))
	var x struct {
		Code, Message, Key, RequestId string
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &x); err != nil || x.Code != "NoSuchKey" || x.Key != "k" || x.RequestId != "rid" {
		t.Fatalf("XML error: %v %+v %s", err, x, w.Body)
	}
	w = httptest.NewRecorder()
	WriteXMLError(w, httptest.NewRequest(http.MethodHead, "/b/k", nil), Errorf(404, "NoSuchKey", "gone"))
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Fatalf("HEAD error has a body: %q", w.Body)
	}
}

func TestJSONServiceDispatch(t *testing.T) {
	type in struct{ Name string }
	svc := &JSONService{TargetPrefix: "Svc", Version: "1.0", Operations: map[string]Operation{
		"Hello": Op(func(_ context.Context, i *in) (map[string]string, error) {
			if i.Name == "" {
				return nil, Errorf(400, "ValidationException", "Name is required")
			}
			return map[string]string{"Greeting": "hello " + i.Name}, nil
		}),
	}}
	call := func(target, body string) (*httptest.ResponseRecorder, map[string]string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, r)
		var m map[string]string
		_ = json.Unmarshal(w.Body.Bytes(), &m)
		return w, m
	}
	if w, m := call("Svc.Hello", `{"Name":"x"}`); w.Code != 200 || m["Greeting"] != "hello x" || w.Header().Get("X-Amzn-RequestId") == "" {
		t.Fatalf("Hello: %d %v", w.Code, m)
	}
	if w, m := call("Svc.Hello", `{}`); w.Code != 400 || m["__type"] != "ValidationException" {
		t.Fatalf("Hello without name: %d %v", w.Code, m)
	}
	if w, m := call("Svc.Hello", `{"Name":`); w.Code != 400 || m["__type"] != "SerializationException" {
		t.Fatalf("malformed body: %d %v", w.Code, m)
	}
	if w, m := call("Svc.Nope", `{}`); w.Code != 400 || m["__type"] != "UnknownOperationException" || !strings.Contains(m["message"], "Hello") {
		t.Fatalf("unknown operation: %d %v", w.Code, m)
	}
}

func TestHandlerTransportStreams(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", string(b))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("first "))
		<-release // the client has the response before the handler finishes
		_, _ = w.Write([]byte("second"))
	})
	c := &http.Client{Transport: HandlerTransport{Handler: h}}
	resp, err := c.Post("http://local/x", "text/plain", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Echo") != "ping" {
		t.Fatalf("response %d %v", resp.StatusCode, resp.Header)
	}
	close(release)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "first second" {
		t.Fatalf("body %q", b)
	}
}
