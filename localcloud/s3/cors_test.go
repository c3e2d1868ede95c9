package s3_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CORS as S3 documents it:
//   - PutBucketCors, GetBucketCors (NoSuchCORSConfiguration when there is
//     none), DeleteBucketCors:
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html
//     (methods GET, PUT, HEAD, POST, DELETE; at most 100 rules)
//   - the preflight: "If cors is not enabled on the bucket, then Amazon S3
//     returns a 403 Forbidden response"; the answer's headers
//     (Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers,
//     -Expose-Headers, -Max-Age):
//     https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
//   - which rule applies (the first whose AllowedOrigin, AllowedMethod and
//     AllowedHeader match the request, at most one "*" in each):
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html

const origin = "https://app.example.com"

func (f *fixture) putCORS(t *testing.T, bucket string, rules ...types.CORSRule) {
	t.Helper()
	_, err := f.client.PutBucketCors(context.Background(), &awss3.PutBucketCorsInput{
		Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules},
	})
	if err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
}

// siteRule allows an app's origins to GET and PUT with a few headers.
var siteRule = types.CORSRule{
	ID: aws.String("site"), AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"https://*.example.com"},
	AllowedHeaders: []string{"x-amz-*", "content-type"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"},
	MaxAgeSeconds: aws.Int32(600),
}

// everyoneRule lets any origin HEAD.
var everyoneRule = types.CORSRule{AllowedMethods: []string{"HEAD"}, AllowedOrigins: []string{"*"}}

func TestBucketCORSConfigurationRoundTrips(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "web")
	ctx := context.Background()
	_, err := f.client.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantError(t, "GetBucketCors without a configuration", err, 404, "NoSuchCORSConfiguration")

	f.putCORS(t, "web", siteRule, everyoneRule)
	out, err := f.client.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CORSRules) != 2 || !reflect.DeepEqual(out.CORSRules[0], siteRule) || !reflect.DeepEqual(out.CORSRules[1], everyoneRule) {
		t.Fatalf("GetBucketCors: %+v", out.CORSRules)
	}

	if _, err := f.client.DeleteBucketCors(ctx, &awss3.DeleteBucketCorsInput{Bucket: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantError(t, "GetBucketCors after DeleteBucketCors", err, 404, "NoSuchCORSConfiguration")
	_, err = f.client.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String("nobucket")})
	wantError(t, "GetBucketCors of a missing bucket", err, 404, "NoSuchBucket")
}

func TestPutBucketCORSRefusesWhatS3Refuses(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "web")
	ctx := context.Background()
	put := func(rules ...types.CORSRule) error {
		_, err := f.client.PutBucketCors(ctx, &awss3.PutBucketCorsInput{
			Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules},
		})
		return err
	}
	wantError(t, "method PATCH", put(types.CORSRule{AllowedMethods: []string{"PATCH"}, AllowedOrigins: []string{"*"}}), 400, "InvalidRequest")
	wantError(t, "two wildcards in an origin", put(types.CORSRule{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://*.*.com"}}), 400, "InvalidRequest")
	wantError(t, "two wildcards in a header", put(types.CORSRule{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"x-*-*"}}), 400, "InvalidRequest")
	many := make([]types.CORSRule, 101)
	for i := range many {
		many[i] = everyoneRule
	}
	wantError(t, "101 rules", put(many...), 400, "InvalidRequest")

	resp, body := f.do(t, http.MethodPut, "/web?cors", nil, "")
	wantXMLError(t, "empty body", resp, body, 400, "MissingRequestBodyError")
	// The SDK checks for an AllowedOrigin before sending; S3 checks too.
	resp, body = f.do(t, http.MethodPut, "/web?cors", nil,
		`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`)
	wantXMLError(t, "a rule without an origin", resp, body, 400, "MalformedXML")
	resp, body = f.do(t, http.MethodPut, "/web?cors", nil, `<CORSConfiguration></CORSConfiguration>`)
	wantXMLError(t, "no rule", resp, body, 400, "MalformedXML")
}

// preflight sends OPTIONS the way a browser does: unsigned, with Origin
// and Access-Control-Request-* headers ("" leaves one out).
func (f *fixture) preflight(t *testing.T, path, origin, method, headers string) (*http.Response, string) {
	t.Helper()
	h := http.Header{}
	for name, v := range map[string]string{"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers} {
		if v != "" {
			h.Set(name, v)
		}
	}
	return f.do(t, http.MethodOptions, path, h, "")
}

// corsHeaders collects the Access-Control-* and Vary headers of a response.
func corsHeaders(resp *http.Response) map[string]string {
	got := map[string]string{}
	for name := range resp.Header {
		if strings.HasPrefix(name, "Access-Control-") || name == "Vary" {
			got[name] = resp.Header.Get(name)
		}
	}
	return got
}

const vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

func TestPreflightAnswersFromTheMatchingRule(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "web")
	f.put(t, "web", "k", "data")
	f.putCORS(t, "web", siteRule, everyoneRule)
	site := map[string]string{
		"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": "GET, PUT",
		"Access-Control-Expose-Headers": "ETag, x-amz-request-id", "Access-Control-Max-Age": "600",
		"Access-Control-Allow-Credentials": "true", "Vary": vary,
	}
	withHeaders := map[string]string{"Access-Control-Allow-Headers": "content-type, x-amz-meta-name"}
	for k, v := range site {
		withHeaders[k] = v
	}
	everyone := map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "HEAD", "Vary": vary}
	for _, c := range []struct {
		path, origin, method, headers string
		want                          map[string]string
	}{
		{"/web", origin, "GET", "", site},
		{"/web/k", origin, "PUT", "Content-Type, X-Amz-Meta-Name", withHeaders},
		{"/web/no/such/key", "null", "HEAD", "", everyone},
	} {
		resp, body := f.preflight(t, c.path, c.origin, c.method, c.headers)
		if resp.StatusCode != 200 || body != "" || !reflect.DeepEqual(corsHeaders(resp), c.want) {
			t.Errorf("OPTIONS %s from %s for %s %q: %d %q %v, want 200 with %v", c.path, c.origin, c.method, c.headers, resp.StatusCode, body, corsHeaders(resp), c.want)
		}
	}
}

func TestPreflightThatNoRuleAllowsIsForbidden(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "web")
	f.bucket(t, "plain")
	f.putCORS(t, "web", siteRule, everyoneRule)
	const (
		notAllowed = "CORSResponse: This CORS request is not allowed."
		notEnabled = "CORSResponse: CORS is not enabled for this bucket."
		notFound   = "CORSResponse: Bucket not found"
	)
	for _, c := range []struct {
		path, origin, method, headers string
		status                        int
		code, message, resourceType   string
	}{
		{"/web/k", origin, "DELETE", "", 403, "AccessForbidden", notAllowed, "OBJECT"},
		{"/web", "https://example.org", "GET", "", 403, "AccessForbidden", notAllowed, "BUCKET"},
		{"/web/k", origin, "GET", "authorization", 403, "AccessForbidden", notAllowed, "OBJECT"},
		{"/plain/k", origin, "GET", "", 403, "AccessForbidden", notEnabled, "OBJECT"},
		{"/plain", origin, "PUT", "", 403, "AccessForbidden", notEnabled, "BUCKET"},
		{"/missing-bucket/k", origin, "GET", "", 403, "AccessForbidden", notFound, "OBJECT"},
		{"/web/k", "", "GET", "", 400, "BadRequest", "Insufficient information. Origin request header needed.", ""},
		{"/web/k", origin, "", "", 400, "BadRequest", "Invalid Access-Control-Request-Method: null", ""},
		{"/web/k", origin, "PATCH", "", 400, "BadRequest", "Invalid Access-Control-Request-Method: PATCH", ""},
	} {
		resp, body := f.preflight(t, c.path, c.origin, c.method, c.headers)
		what := "OPTIONS " + c.path + " from " + c.origin + " for " + c.method + " " + c.headers
		wantXMLError(t, what, resp, body, c.status, c.code)
		if !strings.Contains(body, "<Message>"+c.message) {
			t.Errorf("%s: message in %s, want %q", what, body, c.message)
		}
		if c.resourceType != "" && (!strings.Contains(body, "<Method>"+c.method+"</Method>") || !strings.Contains(body, "<ResourceType>"+c.resourceType)) {
			t.Errorf("%s: %s, want Method %s and ResourceType %s", what, body, c.method, c.resourceType)
		}
		if h := corsHeaders(resp); len(h) != 0 {
			t.Errorf("%s: CORS headers %v on a refusal", what, h)
		}
	}
}

func TestRequestsFromBrowsersGetTheMatchingRulesHeaders(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "web")
	f.put(t, "web", "k", "data")
	f.putCORS(t, "web", siteRule, everyoneRule)
	for _, c := range []struct {
		method, path, origin, requestMethod string
		wantOrigin                          string
	}{
		{"GET", "/web/k", origin, "", origin},
		{"GET", "/web/missing", origin, "", origin}, // the error answer too
		{"HEAD", "/web/k", "https://example.org", "", "*"},
		{"GET", "/web/k", "https://example.org", "", ""},
		{"GET", "/web/k", "", "", ""},
		{"DELETE", "/web/k", origin, "", ""},
		// With Access-Control-Request-Method, that method is matched.
		{"GET", "/web/k", origin, "DELETE", ""},
	} {
		h := http.Header{}
		if c.origin != "" {
			h.Set("Origin", c.origin)
		}
		if c.requestMethod != "" {
			h.Set("Access-Control-Request-Method", c.requestMethod)
		}
		resp, _ := f.do(t, c.method, c.path, h, "")
		got := corsHeaders(resp)
		if c.wantOrigin == "" {
			if len(got) != 0 {
				t.Errorf("%s %s from %q: CORS headers %v, want none", c.method, c.path, c.origin, got)
			}
			continue
		}
		if got["Access-Control-Allow-Origin"] != c.wantOrigin || got["Vary"] != vary {
			t.Errorf("%s %s from %q: %v, want Access-Control-Allow-Origin %s", c.method, c.path, c.origin, got, c.wantOrigin)
		}
	}
}

func TestBucketCORSConfigurationSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	f := newFixtureIn(t, dir, true, false)
	f.bucket(t, "web")
	f.putCORS(t, "web", siteRule)
	g := newFixtureIn(t, dir, true, false)
	resp, _ := g.preflight(t, "/web/k", origin, "GET", "")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Fatalf("preflight after a restart: %d %v", resp.StatusCode, corsHeaders(resp))
	}
}
