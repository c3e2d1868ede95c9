package dynamodb

import (
	_ "embed"
	"strings"
)

// reserved.txt lists DynamoDB's reserved words, one a line, as published in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html.
// An expression that names an attribute by one of them (in any case) is
// rejected; the attribute must be named through ExpressionAttributeNames.
//
//go:embed reserved.txt
var reservedText string

var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(reservedText) {
		m[w] = true
	}
	return m
}()

func isReserved(name string) bool { return reservedWords[strings.ToUpper(name)] }
