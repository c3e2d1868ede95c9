package awsproto

import (
	"net/http"
	"strings"
)

// Credential is the SigV4 credential scope of a request:
// AKID/date/region/service/aws4_request. The local cloud reads it to route
// requests and to learn the caller's region; it never verifies signatures.
type Credential struct {
	AccessKeyID string
	Date        string // yyyymmdd
	Region      string
	Service     string
}

// ParseCredential reads the credential scope from the Authorization header
// (AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…) or, for a
// presigned URL, from the X-Amz-Credential query parameter. ok is false for
// an unsigned request or one signed some other way.
func ParseCredential(r *http.Request) (c Credential, ok bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, rest, found := strings.Cut(auth, "Credential=")
		if !found {
			return Credential{}, false
		}
		if i := strings.IndexAny(rest, ", "); i >= 0 {
			rest = rest[:i]
		}
		return parseScope(rest)
	}
	if q := r.URL.Query().Get("X-Amz-Credential"); q != "" {
		return parseScope(q)
	}
	return Credential{}, false
}

func parseScope(s string) (Credential, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[3] == "" {
		return Credential{}, false
	}
	return Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, true
}

// Region returns the region a request was signed for, or def when it was not
// signed.
func Region(r *http.Request, def string) string {
	if c, ok := ParseCredential(r); ok && c.Region != "" {
		return c.Region
	}
	return def
}
