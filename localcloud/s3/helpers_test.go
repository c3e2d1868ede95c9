package s3_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
)

// statusOf is the HTTP status of the service error in err's chain, or 0.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantError fails the test unless err is a service error with status and
// code.
func wantError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %d %s", what, status, code)
	}
	if got := statusOf(err); got != status || (code != "" && cloudtest.APICode(err) != code) {
		t.Fatalf("%s: got %d %q (%v), want %d %s", what, got, cloudtest.APICode(err), err, status, code)
	}
}

func (f *fixture) bucket(t *testing.T, name string) {
	t.Helper()
	if _, err := f.client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

func (f *fixture) etag(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := f.client.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	return aws.ToString(out.ETag)
}

// do sends an unsigned path-style request, for what the SDK cannot send.
func (f *fixture) do(t *testing.T, method, path string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := f.httpc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", method, path, err)
	}
	return resp, string(b)
}

// raw writes request bytes as they are on a new connection, closes the
// writing side and returns the response bytes as they came: for bodies
// shorter than announced, broken framing and header case.
func (f *fixture) raw(t *testing.T, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", f.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(conn)
	if err != nil && len(b) == 0 {
		t.Fatalf("reading the response: %v", err)
	}
	return string(b)
}

// wantXMLError checks a raw response's status and S3 error code.
func wantXMLError(t *testing.T, what string, resp *http.Response, body string, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || !strings.Contains(body, "<Code>"+code+"</Code>") {
		t.Fatalf("%s: %d %s, want %d with code %s", what, resp.StatusCode, body, status, code)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Fatalf("%s: Content-Type %q, want application/xml", what, ct)
	}
}
