package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// A bucket's CORS configuration (PutBucketCors, GetBucketCors,
// DeleteBucketCors) decides how S3 answers browsers: the preflight request
// (OPTIONS on the bucket or an object) and the Access-Control-* headers of
// the requests that follow it.

// corsMethods are the methods a CORS rule may allow.
var corsMethods = []string{"GET", "PUT", "HEAD", "POST", "DELETE"}

// maxCORSRules is how many rules a bucket's CORS configuration may hold.
const maxCORSRules = 100

// corsVary is the Vary header of every answer a CORS rule shaped.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// Messages of S3's preflight errors.
const (
	corsNotAllowed    = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	corsNotEnabled    = "CORSResponse: CORS is not enabled for this bucket."
	corsNoBucket      = "CORSResponse: Bucket not found"
	corsOriginMissing = "Insufficient information. Origin request header needed."
)

type corsConfiguration struct {
	XMLName xml.Name       `xml:"CORSConfiguration"`
	Xmlns   string         `xml:"xmlns,attr,omitempty"`
	Rules   []corsRuleElem `xml:"CORSRule"`
}

type corsRuleElem struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// serveCORSConfig serves PUT, GET and DELETE /bucket?cors.
func (s *Server) serveCORSConfig(w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		rules, err := s.store.BucketCORS(ctx, bucket)
		if err != nil {
			return err
		}
		if len(rules) == 0 {
			return awsproto.Errorf(http.StatusNotFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist").With("BucketName", bucket)
		}
		doc := corsConfiguration{Xmlns: s3NS}
		for _, rule := range rules {
			doc.Rules = append(doc.Rules, corsRuleElem{
				ID: rule.ID, AllowedHeaders: rule.AllowedHeaders, AllowedMethods: rule.AllowedMethods,
				AllowedOrigins: rule.AllowedOrigins, ExposeHeaders: rule.ExposeHeaders, MaxAgeSeconds: rule.MaxAgeSeconds,
			})
		}
		writeXML(w, doc)
	case http.MethodPut:
		rules, err := readCORSConfig(r)
		if err != nil {
			return err
		}
		if err := s.store.SetBucketCORS(ctx, bucket, rules); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		if err := s.store.SetBucketCORS(ctx, bucket, nil); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return methodNotAllowed(r)
	}
	return nil
}

// readCORSConfig reads and checks a PutBucketCors document.
func readCORSConfig(r *http.Request) ([]CORSRule, error) {
	ver, err := newVerifier(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(ver, 4<<20))
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, awsproto.Errorf(http.StatusBadRequest, "MissingRequestBodyError", "Request Body is empty")
	}
	var doc corsConfiguration
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	malformed := func(why string) error {
		return awsproto.Errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema (%s)", why)
	}
	if len(doc.Rules) == 0 {
		return nil, malformed("a CORSConfiguration needs at least one CORSRule")
	}
	if len(doc.Rules) > maxCORSRules {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest",
			"a CORS configuration may hold at most %d rules; this one holds %d", maxCORSRules, len(doc.Rules))
	}
	rules := make([]CORSRule, 0, len(doc.Rules))
	for i, e := range doc.Rules {
		if len(e.AllowedMethods) == 0 || len(e.AllowedOrigins) == 0 {
			return nil, malformed("CORSRule " + strconv.Itoa(i+1) + " needs at least one AllowedMethod and one AllowedOrigin")
		}
		for _, m := range e.AllowedMethods {
			if !slices.Contains(corsMethods, m) {
				return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest",
					"Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range e.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range e.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "AllowedHeader %q can not have more than one wildcard.", h)
			}
		}
		rules = append(rules, CORSRule{
			ID: e.ID, AllowedOrigins: e.AllowedOrigins, AllowedMethods: e.AllowedMethods,
			AllowedHeaders: e.AllowedHeaders, ExposeHeaders: e.ExposeHeaders, MaxAgeSeconds: e.MaxAgeSeconds,
		})
	}
	return rules, nil
}

// preflight answers a browser's OPTIONS request from the bucket's CORS
// rules: 200 with the Access-Control-* headers of the first rule that
// allows the origin, the method and every header asked for, 403 when none
// does or the bucket has no rules.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return awsproto.Errorf(http.StatusBadRequest, "BadRequest", corsOriginMissing)
	}
	method := r.Header.Get("Access-Control-Request-Method")
	if !slices.Contains(corsMethods, method) {
		shown := method
		if shown == "" {
			shown = "null"
		}
		return awsproto.Errorf(http.StatusBadRequest, "BadRequest", "Invalid Access-Control-Request-Method: %s", shown)
	}
	resource := "BUCKET"
	if key != "" {
		resource = "OBJECT"
	}
	forbidden := func(message string) error {
		return awsproto.Errorf(http.StatusForbidden, "AccessForbidden", "%s", message).With("Method", method).With("ResourceType", resource)
	}
	rules, err := s.store.BucketCORS(r.Context(), bucket)
	if errors.Is(err, ErrNoSuchBucket) {
		return forbidden(corsNoBucket)
	}
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return forbidden(corsNotEnabled)
	}
	headers := requestedHeaders(r.Header.Get("Access-Control-Request-Headers"))
	rule, allowOrigin := matchCORS(rules, origin, method, headers)
	if rule == nil {
		return forbidden(corsNotAllowed)
	}
	setCORSHeaders(w.Header(), rule, allowOrigin)
	if len(headers) > 0 {
		w.Header().Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// corsResponseHeaders adds the Access-Control-* headers to the answer to a
// request from a browser (one with an Origin header) when a rule of the
// bucket allows its origin and method, whether the request then succeeds
// or fails.
func (s *Server) corsResponseHeaders(w http.ResponseWriter, r *http.Request, bucket string) {
	origin := r.Header.Get("Origin")
	if origin == "" || bucket == "" || r.Method == http.MethodOptions {
		return
	}
	rules, err := s.store.BucketCORS(r.Context(), bucket)
	if err != nil || len(rules) == 0 {
		return
	}
	// A request that carries Access-Control-Request-Method is matched on
	// that method.
	method := r.Header.Get("Access-Control-Request-Method")
	if method == "" {
		method = r.Method
	}
	if rule, allowOrigin := matchCORS(rules, origin, method, nil); rule != nil {
		setCORSHeaders(w.Header(), rule, allowOrigin)
	}
}

// requestedHeaders splits Access-Control-Request-Headers into lower-case
// names.
func requestedHeaders(v string) []string {
	var names []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			names = append(names, h)
		}
	}
	return names
}

// matchCORS returns the first rule that allows origin, method and every
// header, and the Access-Control-Allow-Origin it answers: "*" when the
// rule allows every origin, the origin itself otherwise.
func matchCORS(rules []CORSRule, origin, method string, headers []string) (*CORSRule, string) {
	for i := range rules {
		rule := &rules[i]
		if !slices.Contains(rule.AllowedMethods, method) {
			continue
		}
		allow := ""
		for _, o := range rule.AllowedOrigins {
			if wildcardMatch(o, origin, false) {
				allow = origin
				if o == "*" {
					allow = "*"
				}
				break
			}
		}
		if allow == "" {
			continue
		}
		allHeaders := true
		for _, h := range headers {
			if !slices.ContainsFunc(rule.AllowedHeaders, func(p string) bool { return wildcardMatch(p, h, true) }) {
				allHeaders = false
				break
			}
		}
		if allHeaders {
			return rule, allow
		}
	}
	return nil, ""
}

// wildcardMatch matches s against a pattern with at most one "*", which
// stands for any run of characters.
func wildcardMatch(pattern, s string, foldCase bool) bool {
	if foldCase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	prefix, suffix, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == s
	}
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// setCORSHeaders writes what a matching rule tells the browser.
func setCORSHeaders(h http.Header, rule *CORSRule, allowOrigin string) {
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	if allowOrigin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Vary", corsVary)
}
