package s3

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// isAWSChunked reports whether a request body uses the aws-chunked content
// encoding, which the SDKs use for streaming SigV4 uploads and for uploads
// with trailing checksums.
func isAWSChunked(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, e := range strings.Split(v, ",") {
			if strings.TrimSpace(e) == "aws-chunked" {
				return true
			}
		}
	}
	return false
}

// storedContentEncoding is the request's Content-Encoding without the
// aws-chunked transfer coding, which is not part of the object. The other
// codings are kept exactly as sent, separators and spaces included.
func storedContentEncoding(r *http.Request) string {
	var kept []string
	for _, v := range r.Header.Values("Content-Encoding") {
		var parts []string
		for _, e := range strings.Split(v, ",") {
			if strings.TrimSpace(e) != "aws-chunked" {
				parts = append(parts, e)
			}
		}
		if v = strings.TrimSpace(strings.Join(parts, ",")); v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, ", ")
}

// chunkedReader decodes an aws-chunked body:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0[;…]\r\n[<trailer>:<value>\r\n]…\r\n
//
// Chunk signatures are not checked. Trailers are available once Read has
// returned io.EOF.
type chunkedReader struct {
	r        *bufio.Reader
	left     int64 // bytes left in the current chunk
	inChunk  bool
	trailers http.Header
	err      error
}

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10), trailers: http.Header{}}
}

// Errors of an aws-chunked body, mapped to S3's error codes by the server.
var (
	errChunkTruncated = errors.New("the aws-chunked body ends early")
	errMalformedChunk = errors.New("malformed aws-chunked body")
	errBadTrailer     = errors.New("malformed aws-chunked trailer")
)

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.err == nil && c.left == 0 {
		if c.inChunk {
			if err := c.expectCRLF(); err != nil {
				c.err = err
				break
			}
			c.inChunk = false
		}
		line, err := c.line()
		if err != nil {
			c.err = err
			break
		}
		sizeText, _, _ := strings.Cut(line, ";")
		size, perr := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
		if perr != nil || size < 0 {
			c.err = fmt.Errorf("%w: bad chunk size %q", errMalformedChunk, line)
			break
		}
		if size == 0 {
			c.err = c.readTrailers()
			if c.err == nil {
				c.err = io.EOF
			}
			break
		}
		c.left, c.inChunk = size, true
	}
	if c.left == 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err == io.EOF && c.left > 0 {
		err = fmt.Errorf("%w: inside a chunk", errChunkTruncated)
	}
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

func (c *chunkedReader) line() (string, error) {
	s, err := c.r.ReadString('\n')
	if err != nil {
		if err == io.EOF {
			return "", fmt.Errorf("%w: before the final chunk", errChunkTruncated)
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

func (c *chunkedReader) expectCRLF() error {
	s, err := c.line()
	if err != nil {
		return err
	}
	if s != "" {
		return fmt.Errorf("%w: chunk data longer than its size", errMalformedChunk)
	}
	return nil
}

// readTrailers reads "name:value" lines up to an empty line or the end of
// the body.
func (c *chunkedReader) readTrailers() error {
	for {
		s, err := c.r.ReadString('\n')
		s = strings.TrimRight(s, "\r\n")
		if s != "" {
			name, value, ok := strings.Cut(s, ":")
			if !ok {
				return fmt.Errorf("%w: %q is not name:value", errBadTrailer, s)
			}
			c.trailers.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value))
		}
		if err == io.EOF || (s == "" && err == nil) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
