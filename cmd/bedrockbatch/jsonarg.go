package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// jsonArg reads a flag's JSON value: the text itself or, after a leading
// @, the content of the file it names. what names the flag in errors.
func jsonArg(what, v string) (json.RawMessage, error) {
	data := []byte(v)
	if file, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		data = b
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s is not valid JSON: %.80q; give a JSON value or @FILE", what, string(data))
	}
	return data, nil
}
