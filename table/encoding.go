package table

import (
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// decoded reads r as UTF-8 decoded from the named encoding; "" leaves r as
// it is.
func decoded(r io.ReadCloser, encoding string) (io.ReadCloser, error) {
	if encoding == "" {
		return r, nil
	}
	enc, err := htmlindex.Get(encoding)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("encoding %q is not known: give a WHATWG encoding name such as windows-1252, iso-8859-1, shift_jis or utf-16le", encoding)
	}
	return struct {
		io.Reader
		io.Closer
	}{transform.NewReader(r, enc.NewDecoder()), r}, nil
}

// notUTF8 says where text (what names it) stops being UTF-8.
func notUTF8(what, text string) string {
	at := 0
	for at < len(text) {
		r, size := utf8.DecodeRuneInString(text[at:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		at += size
	}
	b := byte(0)
	if at < len(text) {
		b = text[at]
	}
	return fmt.Sprintf("%s is not valid UTF-8 (byte 0x%02x at offset %d): convert the file to UTF-8, or give its encoding (--encoding windows-1252, latin1, …)", what, b, at)
}
