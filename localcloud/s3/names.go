package s3

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// File names the layout reserves. Each starts with "%" followed by a
// character that is not a hex digit, which no escaped key segment
// contains, so none of them collides with a key.
const (
	// metaSuffix ends sidecar file names.
	metaSuffix = "%meta"
	// objName is the file holding the object whose key is also the
	// "directory" of other keys: with keys "a" and "a/b", "a" is kept in
	// a/%obj.
	objName = "%obj"
	// contPrefix starts a directory that holds the rest of a key segment
	// too long for one file name.
	contPrefix = "%+"
	// maxNameLen is the longest file name the file systems we run on
	// (ext4, APFS, NTFS, tmpfs) accept, in bytes.
	maxNameLen = 255
)

// MaxKeyLength is the longest key S3 accepts, in bytes of UTF-8.
const MaxKeyLength = 1024

// ValidateBucketName checks S3's rules for general purpose bucket names.
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
	for _, pair := range []string{"..", ".-", "-."} {
		if strings.Contains(name, pair) {
			return bad(fmt.Sprintf("it must not contain %q", pair))
		}
	}
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return bad("it must not be formatted as an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad(fmt.Sprintf("the prefix %q is reserved", p))
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return bad(fmt.Sprintf("the suffix %q is reserved", s))
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// ValidateKey checks S3's rules for object keys.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: the key is empty", ErrInvalidKey)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: the key is %d bytes long; the maximum is %d", ErrKeyTooLong, len(key), MaxKeyLength)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w %q: the key is not valid UTF-8", ErrInvalidKey, key)
	}
	return nil
}

// keyPath maps a key to its relative file path in the object tree. Each
// "/"-separated segment is one file name, escaped (see escapeSegment); a
// segment whose escaped form is longer than a file name may be is split
// into directories "%+<part>" ending with a plain name holding the rest.
func keyPath(key string) string { return encodePath(key, maxNameLen) }

// metaKeyPath maps a key to its relative path in the sidecar tree, leaving
// room in the last name for metaSuffix.
func metaKeyPath(key string) string { return encodePath(key, maxNameLen-len(metaSuffix)) }

func encodePath(key string, limit int) string {
	var names []string
	for _, seg := range strings.Split(key, "/") {
		names = appendSegment(names, seg, limit)
	}
	return filepath.Join(names...)
}

// appendSegment appends the file names of one key segment.
func appendSegment(names []string, seg string, limit int) []string {
	if e := escapeSegment(seg); len(e) <= limit {
		return append(names, e)
	}
	for seg != "" {
		n, size := 0, 0
		for n < len(seg) {
			_, w := utf8.DecodeRuneInString(seg[n:])
			add := len(escapeBytes(seg[n : n+w]))
			if size+add > limit-len(contPrefix) {
				break
			}
			n, size = n+w, size+add
		}
		chunk := seg[:n]
		seg = seg[n:]
		if seg == "" {
			names = append(names, escapeSegment(chunk))
		} else {
			names = append(names, contPrefix+escapeBytes(chunk))
		}
	}
	return names
}

// pathKey maps a relative path of the object tree (with "/" separators)
// back to its key. It refuses paths that keyPath does not produce, so every
// file lists as at most one key and every key as at most one file.
func pathKey(rel string) (string, bool) {
	names := strings.Split(rel, "/")
	if names[len(names)-1] == objName {
		names = names[:len(names)-1]
		if len(names) == 0 {
			return "", false
		}
	}
	var segs []string
	var cur strings.Builder
	for i, n := range names {
		if rest, ok := strings.CutPrefix(n, contPrefix); ok {
			u, ok := unescapeSegment(rest)
			if !ok || i == len(names)-1 {
				return "", false
			}
			cur.WriteString(u)
			continue
		}
		u, ok := unescapeSegment(n)
		if !ok {
			return "", false
		}
		cur.WriteString(u)
		segs = append(segs, cur.String())
		cur.Reset()
	}
	key := strings.Join(segs, "/")
	if filepath.ToSlash(keyPath(key)) != strings.Join(names, "/") {
		return "", false
	}
	return key, true
}

// escapeSegment escapes a key segment into a file name: "", "." and ".."
// cannot be file names, and "%" and NUL are escaped as %XX, so every
// segment maps to exactly one name.
func escapeSegment(s string) string {
	switch s {
	case "":
		return "%"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return escapeBytes(s)
}

func escapeBytes(s string) string {
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
