package s3_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud/s3"
)

// TestMalformedRequestsAre400s sends what no SDK sends — bodies shorter
// than announced, broken framing, bad digests, oversized headers — and
// expects S3's 400 errors, which SDKs do not retry, and nothing stored.
func TestMalformedRequestsAre400s(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "wire")
	for _, tc := range []struct {
		name, request, code string
	}{
		{
			name:    "body shorter than Content-Length",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly twenty bytes...",
			code:    "IncompleteBody",
		},
		{
			name:    "bad chunked framing",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
			code:    "IncompleteBody",
		},
		{
			name:    "chunked body cut short",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
			code:    "IncompleteBody",
		},
		{
			name: "aws-chunked with a bad chunk size",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\nX-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n" +
				"X-Amz-Decoded-Content-Length: 3\r\nContent-Length: 14\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
			code: "InvalidChunkSizeError",
		},
		{
			name: "aws-chunked body cut short",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\nX-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n" +
				"X-Amz-Decoded-Content-Length: 16\r\nContent-Length: 7\r\n\r\n10\r\nabc",
			code: "IncompleteBody",
		},
		{
			name: "aws-chunked with a malformed trailer",
			request: "PUT /wire/k HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\nX-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n" +
				"X-Amz-Decoded-Content-Length: 3\r\nContent-Length: 23\r\n\r\n3\r\nabc\r\n0\r\nno-colon\r\n\r\n",
			code: "MalformedTrailerError",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := f.raw(t, tc.request)
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
			if err != nil {
				t.Fatalf("response %q: %v", raw, err)
			}
			body, _ := io.ReadAll(resp.Body)
			wantXMLError(t, tc.name, resp, string(body), 400, tc.code)
			if _, err := f.store.HeadObject(context.Background(), "wire", "k"); !errors.Is(err, s3.ErrNoSuchKey) {
				t.Fatalf("the object was stored: %v", err)
			}
		})
	}

	sum := md5.Sum([]byte("body"))
	other := md5.Sum([]byte("other"))
	for _, tc := range []struct {
		name   string
		header http.Header
		status int
		code   string
	}{
		{"Content-MD5 not base64", http.Header{"Content-Md5": {"garbage!"}}, 400, "InvalidDigest"},
		{"Content-MD5 of the wrong length", http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString([]byte("abracadabra"))}}, 400, "InvalidDigest"},
		{"Content-MD5 empty", http.Header{"Content-Md5": {""}}, 400, "InvalidDigest"},
		{"Content-MD5 of other bytes", http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(other[:])}}, 400, "BadDigest"},
		{"oversized header section", http.Header{"X-Amz-Meta-Big": {strings.Repeat("b", 9000)}}, 400, "RequestHeaderSectionTooLarge"},
		{"user metadata over 2 KB", http.Header{"X-Amz-Meta-A": {strings.Repeat("a", 1500)}, "X-Amz-Meta-B": {strings.Repeat("b", 1500)}}, 400, "MetadataTooLarge"},
		{"If-None-Match other than *", http.Header{"If-None-Match": {`"abc"`}}, 501, "NotImplemented"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, http.MethodPut, "/wire/k", tc.header, "body")
			wantXMLError(t, tc.name, resp, body, tc.status, tc.code)
			if _, err := f.store.HeadObject(context.Background(), "wire", "k"); !errors.Is(err, s3.ErrNoSuchKey) {
				t.Fatalf("the object was stored: %v", err)
			}
		})
	}
	resp, body := f.do(t, http.MethodPut, "/wire/k", http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}, "body")
	if resp.StatusCode != 200 {
		t.Fatalf("PUT with the right Content-MD5: %d %s", resp.StatusCode, body)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dir, "s3meta", ".tmp")); len(entries) != 0 {
		t.Errorf("refused requests left %d temporary files", len(entries))
	}
}
