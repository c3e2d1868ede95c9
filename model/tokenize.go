package model

import (
	"unicode"
	"unicode/utf8"
)

// CountTokens counts the tokens of s with the simple tokenizer the sim
// backend uses, and that the other backends fall back to when a server
// reports no usage: a token is a maximal run of letters and digits, or any
// other single character that is not white space. "Hello, world!" is four
// tokens. A chat-template marker such as "<|eot_id|>" is one token, as it is
// for the models that use it. The counts are of the right order for English text (real subword
// tokenizers give somewhat more) and, above all, reproducible.
func CountTokens(s string) int {
	n := 0
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
				if !inWord {
					n++
					inWord = true
				}
			case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
				inWord = false
			default:
				n++
				inWord = false
				if c == '<' {
					i += specialTokenLen(s[i-1:])
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				n++
				inWord = true
			}
		case unicode.IsSpace(r):
			inWord = false
		default:
			n++
			inWord = false
		}
	}
	return n
}

// truncateTokens returns the prefix of s that holds its first max tokens
// (by CountTokens' rules) and whether anything was cut.
func TruncateTokens(s string, max int) (string, bool) {
	if max < 0 {
		max = 0
	}
	n := 0
	inWord := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		var starts bool
		skip := 0
		switch {
		case isWordRune(r):
			starts = !inWord
			inWord = true
		case r == ' ' || r == '\n' || r == '\t' || r == '\r' || r >= utf8.RuneSelf && unicode.IsSpace(r):
			inWord = false
		default:
			starts = true
			inWord = false
			if r == '<' {
				skip = specialTokenLen(s[i:])
			}
		}
		if starts {
			if n == max {
				return trimRightSpace(s[:i]), true
			}
			n++
		}
		i += size + skip
	}
	return s, false
}

// specialTokenLen returns, for s starting with "<", how many bytes after the
// "<" belong to a chat-template marker "<|name|>" (name: lower-case letters,
// digits and underscores), or 0.
func specialTokenLen(s string) int {
	if len(s) < 4 || s[1] != '|' {
		return 0
	}
	for i := 2; i < len(s) && i < 40; i++ {
		c := s[i]
		switch {
		case c == '|':
			if i+1 < len(s) && s[i+1] == '>' && i > 2 {
				return i + 1
			}
			return 0
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_':
		default:
			return 0
		}
	}
	return 0
}

func trimRightSpace(s string) string {
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
