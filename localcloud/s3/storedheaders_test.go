package s3_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// System metadata S3 stores from request headers comes back as it was
// sent: the PutObject request headers
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)
// are returned by HeadObject and GetObject
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html),
// and S3 only takes aws-chunked out of Content-Encoding
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
func TestStoredHeadersComeBackAsSent(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "hdr")
	ctx := context.Background()
	expires := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	in := &awss3.PutObjectInput{
		Bucket: aws.String("hdr"), Key: aws.String("sdk"), Body: strings.NewReader("x"),
		ContentEncoding: aws.String("deflate, gzip"), ContentType: aws.String("text/plain; charset=utf-8"),
		ContentDisposition: aws.String(`attachment; filename="a, b.txt"`), ContentLanguage: aws.String("en-US, fr-CA"),
		CacheControl: aws.String("public, max-age=3600, must-revalidate"), Expires: aws.Time(expires),
	}
	if _, err := f.client.PutObject(ctx, in); err != nil {
		t.Fatal(err)
	}
	head, err := f.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("hdr"), Key: aws.String("sdk")})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(head.ContentEncoding), aws.ToString(head.ContentType), aws.ToString(head.ContentDisposition),
		aws.ToString(head.ContentLanguage), aws.ToString(head.CacheControl), aws.ToString(head.ExpiresString)}
	want := []string{*in.ContentEncoding, *in.ContentType, *in.ContentDisposition, *in.ContentLanguage, *in.CacheControl, expires.Format(http.TimeFormat)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HeadObject: %q, want %q", got, want)
	}

	// Raw values the SDK would tidy: odd spacing and separators.
	sent := map[string]string{
		"Content-Encoding": "gzip,deflate ,  br", "Content-Type": "application/x-thing;  v=1",
		"Content-Disposition": "inline;filename=x.txt", "Content-Language": "de,en",
		"Cache-Control": "no-cache,no-store", "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
	}
	h := http.Header{}
	for k, v := range sent {
		h.Set(k, v)
	}
	if resp, body := f.do(t, http.MethodPut, "/hdr/raw", h, "x"); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		resp, _ := f.do(t, method, "/hdr/raw", nil, "")
		for k, v := range sent {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("%s: %s %q, want %q", method, k, got, v)
			}
		}
	}
}
