package s3

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// readConditions are the conditional headers of a read: a GET or HEAD, or
// the source of a copy (x-amz-copy-source-if-*).
type readConditions struct {
	ifMatch, ifNoneMatch               string
	ifModifiedSince, ifUnmodifiedSince string
	// prefix names the headers in errors: "If-" or
	// "x-amz-copy-source-if-".
	prefix string
}

func getConditions(h http.Header) readConditions {
	return readConditions{
		ifMatch: h.Get("If-Match"), ifNoneMatch: h.Get("If-None-Match"),
		ifModifiedSince: h.Get("If-Modified-Since"), ifUnmodifiedSince: h.Get("If-Unmodified-Since"),
		prefix: "If-",
	}
}

func copySourceConditions(h http.Header) readConditions {
	return readConditions{
		ifMatch: h.Get("X-Amz-Copy-Source-If-Match"), ifNoneMatch: h.Get("X-Amz-Copy-Source-If-None-Match"),
		ifModifiedSince: h.Get("X-Amz-Copy-Source-If-Modified-Since"), ifUnmodifiedSince: h.Get("X-Amz-Copy-Source-If-Unmodified-Since"),
		prefix: "x-amz-copy-source-if-",
	}
}

// evaluate applies the conditions to an object in the order of RFC 9110
// section 13.2.2, which S3 follows: If-Match, else If-Unmodified-Since
// (failing: 412); then If-None-Match, else If-Modified-Since (failing: 304,
// which a copy reports as 412). It returns 0 when the request goes on.
func (c readConditions) evaluate(info ObjectInfo) (status int, failed string) {
	lm := info.LastModified.Truncate(time.Second)
	if c.ifMatch != "" {
		if !ETagMatches(c.ifMatch, info.ETag) {
			return http.StatusPreconditionFailed, "Match"
		}
	} else if t, ok := httpDate(c.ifUnmodifiedSince); ok && lm.After(t) {
		return http.StatusPreconditionFailed, "Unmodified-Since"
	}
	if c.ifNoneMatch != "" {
		if ETagMatches(c.ifNoneMatch, info.ETag) {
			return http.StatusNotModified, "None-Match"
		}
	} else if t, ok := httpDate(c.ifModifiedSince); ok && !lm.After(t) {
		return http.StatusNotModified, "Modified-Since"
	}
	return 0, ""
}

// preconditionFailed is S3's 412 error, naming the condition that failed.
func (c readConditions) preconditionFailed(failed string) error {
	name := c.prefix + failed
	if c.prefix != "If-" {
		name = strings.ToLower(name)
	}
	return awsproto.Errorf(http.StatusPreconditionFailed, "PreconditionFailed",
		"at least one of the preconditions you specified did not hold: %s", name).With("Condition", name)
}

// httpDate parses an HTTP date; an unparsable one is ignored, as RFC 9110
// asks.
func httpDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return time.Time{}, false
		}
	}
	return t, true
}

// byteRange is a satisfiable range of an object: bytes start..end
// inclusive.
type byteRange struct{ start, end int64 }

func (r byteRange) length() int64 { return r.end - r.start + 1 }

func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.end, 10) + "/" + strconv.FormatInt(size, 10)
}

// parseRange reads a Range header against an object of size bytes. A header
// that is not one well-formed byte range ("bytes=zz", several ranges) is
// ignored, as S3 does: ok is false and the whole object is served. A
// well-formed range that selects no byte is unsatisfiable.
func parseRange(h string, size int64) (r byteRange, ok, satisfiable bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return r, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return r, false, false
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 || !allDigits(last) {
			return r, false, false
		}
		if n == 0 || size == 0 {
			return r, true, false
		}
		return byteRange{max(size-n, 0), size - 1}, true, true
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || !allDigits(first) {
		return r, false, false
	}
	end := size - 1
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err != nil || !allDigits(last) || e < start {
			return r, false, false
		}
		end = min(e, size-1)
	}
	if start >= size {
		return r, true, false
	}
	return byteRange{start, end}, true, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func invalidRange(requested string, size int64) error {
	return awsproto.Errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "the requested range is not satisfiable").
		With("RangeRequested", requested).With("ActualObjectSize", strconv.FormatInt(size, 10))
}
