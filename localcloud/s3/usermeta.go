package s3

import (
	"encoding/base64"
	"mime"
	"strings"
)

// User metadata travels in HTTP headers, which carry bytes, not text. S3
// reads a value's bytes as ISO-8859-1 (so the UTF-8 bytes of "é" arrive as
// "Ã©"), then decodes the RFC 2047 encoded-words in it (=?UTF-8?B?…?=, the
// way to send text outside US-ASCII), and stores the text. A value that
// is not printable US-ASCII goes back as one UTF-8 encoded-word.

// decodeMetadataValue turns a request's x-amz-meta-* value into the text
// S3 stores.
func decodeMetadataValue(raw string) string {
	v := latin1(raw)
	if !strings.Contains(v, "=?") {
		return v
	}
	// An encoded-word in a charset the decoder does not know (it knows
	// UTF-8, ISO-8859-1 and US-ASCII) is kept as it came.
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// latin1 reads each byte of s as the ISO-8859-1 character of that code.
func latin1(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// encodeMetadataValue writes a stored value for a response header: as it
// is when it is printable US-ASCII, else as one UTF-8 encoded-word.
func encodeMetadataValue(v string) string {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c > 0x7e {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
		}
	}
	return v
}
