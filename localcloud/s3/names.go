package s3

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// metaSuffix ends sidecar file names. It starts with "%" followed by a
// letter that is not a hex digit, which no escaped key segment contains, so
// a sidecar never collides with the directory of another key.
const metaSuffix = "%meta"

// ValidateBucketName checks S3's rules for bucket names.
func ValidateBucketName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidBucketName, name, why)
	}
	if len(name) < 3 || len(name) > 63 {
		return bad("it must be 3 to 63 characters long")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("only lower-case letters, digits, dots and hyphens are allowed")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("it must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("it must not contain two adjacent dots")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// ValidateKey checks S3's rules for object keys.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: the key is empty", ErrInvalidKey)
	case len(key) > 1024:
		return fmt.Errorf("%w: the key is %d bytes long; the maximum is 1024", ErrInvalidKey, len(key))
	case !utf8.ValidString(key):
		return fmt.Errorf("%w %q: the key is not valid UTF-8", ErrInvalidKey, key)
	}
	return nil
}

// keyPath maps a key to its relative file path.
func keyPath(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return filepath.Join(segs...)
}

// pathKey maps a relative file path (with "/" separators) back to its key.
func pathKey(rel string) (string, bool) {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		u, ok := unescapeSegment(s)
		if !ok {
			return "", false
		}
		segs[i] = u
	}
	return strings.Join(segs, "/"), true
}

func escapeSegment(s string) string {
	switch s {
	case "":
		return "%"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	if !strings.ContainsAny(s, "%\x00") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteString("%25")
		case 0:
			b.WriteString("%00")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func unescapeSegment(s string) (string, bool) {
	if s == "%" {
		return "", true
	}
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	return b.String(), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
