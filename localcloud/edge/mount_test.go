package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A mounted handler answers unsigned requests under its prefix; signed
// requests and other paths still reach the services.
func TestMount(t *testing.T) {
	rt := New(nil)
	rt.Register(S3, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "s3") }))
	rt.Mount("/_console/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "console "+r.URL.Path) }))
	for _, tc := range []struct {
		target, auth string
		status       int
		body, where  string
	}{
		{"/_console/", "", 200, "console /_console/", ""},
		{"/_console/api/jobs", "", 200, "console /_console/api/jobs", ""},
		{"/_console", "", 301, "", "/_console/"},
		{"/_console/x", "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=s", 200, "s3", ""},
		{"/bucket/_console/", "", 200, "s3", ""},
	} {
		r := httptest.NewRequest("GET", tc.target, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		if w.Code != tc.status || (tc.body != "" && w.Body.String() != tc.body) || w.Header().Get("Location") != tc.where {
			t.Errorf("GET %s (auth %q): %d %q Location %q; want %d %q %q", tc.target, tc.auth, w.Code, w.Body, w.Header().Get("Location"), tc.status, tc.body, tc.where)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Mount accepted a prefix that could shadow a bucket")
		}
	}()
	rt.Mount("/console/", http.NotFoundHandler())
}
