package jsonscan

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote returns the string that text — a string's checked text between
// its quotes, as String returns it — stands for, exactly as encoding/json
// decodes it: escapes resolved, a surrogate pair joined, and a lone
// surrogate or a byte that is not UTF-8 replaced with U+FFFD.
func Unquote(text []byte, escaped bool) string {
	if !escaped && utf8.Valid(text) {
		return string(text)
	}
	b := make([]byte, 0, len(text)+8)
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\\':
			var r rune
			r, i = unescape(text, i)
			b = utf8.AppendRune(b, r)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(text[i:])
			b = utf8.AppendRune(b, r) // RuneError for a bad byte
			i += size
		}
	}
	return string(b)
}

// unescape decodes the escape at text[i] and returns the rune and the index
// past the escape. The text has been checked, so the escape is well formed.
func unescape(text []byte, i int) (rune, int) {
	switch c := text[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // " \ /
		return rune(c), i + 2
	}
	r := hexRune(text[i+2 : i+6])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(text) && text[i] == '\\' && text[i+1] == 'u' {
		if dec := utf16.DecodeRune(r, hexRune(text[i+2:i+6])); dec != utf8.RuneError {
			return dec, i + 6
		}
	}
	return utf8.RuneError, i
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
