package dynamodb

import "strings"

// tokKind classifies expression tokens.
type tokKind int

const (
	tokEOF    tokKind = iota
	tokIdent          // attribute name, keyword or function name
	tokName           // #placeholder
	tokValue          // :placeholder
	tokNumber         // list index digits
	tokPunct          // ( ) [ ] , . = <> < <= > >= + -
	tokBad            // a character no expression has
)

type token struct {
	kind       tokKind
	text       string
	start, end int
}

// lex splits an expression into tokens as DynamoDB's expression grammar
// reads them
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html).
func lex(src string) []token {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isWordByte(c) && !isDigit(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			out = append(out, token{tokIdent, src[i:j], i, j})
			i = j
		case isDigit(c):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			out = append(out, token{tokNumber, src[i:j], i, j})
			i = j
		case c == '#' || c == ':':
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			kind := tokName
			if c == ':' {
				kind = tokValue
			}
			if j == i+1 {
				kind = tokBad
			}
			out = append(out, token{kind, src[i:j], i, j})
			i = j
		case c == '<' || c == '>':
			j := i + 1
			if j < len(src) && (src[j] == '=' || (c == '<' && src[j] == '>')) {
				j++
			}
			out = append(out, token{tokPunct, src[i:j], i, j})
			i = j
		case strings.IndexByte("()[],.=+-", c) >= 0:
			out = append(out, token{tokPunct, src[i : i+1], i, i + 1})
			i++
		default:
			j := i + 1
			for j < len(src) && src[j] >= 0x80 && src[j] < 0xC0 {
				j++
			}
			out = append(out, token{tokBad, src[i:j], i, j})
			i = j
		}
	}
	return append(out, token{tokEOF, "<EOF>", len(src), len(src)})
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool { return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
