package s3

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// S3's limits on request headers.
const (
	// maxHeaderBytes bounds a request's header section.
	maxHeaderBytes = 8 << 10
	// maxUserMetadataBytes bounds the x-amz-meta-* names and values.
	maxUserMetadataBytes = 2 << 10
)

// checkHeaderSize refuses a request whose header section is larger than S3
// accepts, with S3's error rather than the HTTP server's plain-text 431.
func checkHeaderSize(r *http.Request) error {
	n := 0
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	if n > maxHeaderBytes {
		return awsproto.Errorf(http.StatusBadRequest, "RequestHeaderSectionTooLarge",
			"your request header section is %d bytes, more than the maximum of %d", n, maxHeaderBytes).
			With("MaxSizeAllowed", "8192")
	}
	return nil
}

// requestBody turns a failure to read the request body — a body shorter
// than its Content-Length, broken chunked framing — into S3's 400
// IncompleteBody, so clients see their request was wrong instead of a
// server error they would retry.
type requestBody struct{ io.ReadCloser }

func (b requestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var ae *awsproto.Error
		if !errors.As(err, &ae) {
			err = awsproto.Errorf(http.StatusBadRequest, "IncompleteBody",
				"the request body could not be read to its end (%v); send as many bytes as Content-Length says, in well-formed chunks if chunked", err)
		}
	}
	return n, err
}

// requestMetadata collects the object metadata sent with a PUT, a copy
// that replaces metadata, or a CreateMultipartUpload. User metadata names
// are kept in lower case, as S3 returns them, and values as the text S3
// reads in them (usermeta.go). The size limit counts the UTF-8 bytes of
// names and stored values.
func requestMetadata(r *http.Request) (Metadata, error) {
	h := r.Header
	m := Metadata{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    storedContentEncoding(r),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	size := 0
	for name, values := range h {
		if n, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok && len(values) > 0 {
			if m.User == nil {
				m.User = map[string]string{}
			}
			m.User[n] = decodeMetadataValue(strings.Join(values, ","))
			size += len(n) + len(m.User[n])
		}
	}
	if size > maxUserMetadataBytes {
		return m, awsproto.Errorf(http.StatusBadRequest, "MetadataTooLarge",
			"your x-amz-meta-* headers hold %d bytes of names and values; the maximum is %d", size, maxUserMetadataBytes).
			With("MaxSizeAllowed", "2048")
	}
	return m, nil
}

// writePrecondition reads the If-Match and If-None-Match headers of a
// write. S3 accepts only "*" in If-None-Match there.
func writePrecondition(r *http.Request) (Precondition, error) {
	c := Precondition{IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match")}
	if c.IfNoneMatch != "" && strings.TrimSpace(c.IfNoneMatch) != "*" {
		return c, awsproto.Errorf(http.StatusNotImplemented, "NotImplemented",
			"If-None-Match %q is not supported on writes; S3 accepts only \"*\" (write only if the key does not exist)", c.IfNoneMatch).
			With("Header", "If-None-Match")
	}
	return c, nil
}
