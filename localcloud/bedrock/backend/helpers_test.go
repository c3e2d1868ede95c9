package backend

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/sim")

// requestCase is one file of testdata/requests.
type requestCase struct {
	name           string
	ModelID        string          `json:"modelId"`
	InvocationType string          `json:"invocationType"`
	Shape          string          `json:"shape"`
	ModelInput     json.RawMessage `json:"modelInput"`
}

func (c requestCase) request() Request {
	return Request{Model: model.ParseID(c.ModelID), InvocationType: c.InvocationType, Body: c.ModelInput}
}

func loadRequestCases(t testing.TB) []requestCase {
	t.Helper()
	files, err := filepath.Glob("testdata/requests/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no request cases in testdata/requests: %v", err)
	}
	var cases []requestCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c requestCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, c.ModelInput); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c.ModelInput = compact.Bytes()
		c.name = strings.TrimSuffix(filepath.Base(f), ".json")
		cases = append(cases, c)
	}
	return cases
}

func loadShape(t testing.TB, name string) any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata/shapes", name+".json"))
	if err != nil {
		t.Fatalf("shape %q: %v", name, err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("shape %q: %v", name, err)
	}
	return v
}

// shapeDiff lists where got's structure differs from want's: the same keys
// at every level, the same JSON types, and every array element shaped like
// want's first element. A null in want also accepts a string.
func shapeDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %s", path, kindOf(got))}
		}
		var diffs []string
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
			case !inW:
				diffs = append(diffs, fmt.Sprintf("%s.%s: not in the documented shape", path, k))
			default:
				diffs = append(diffs, shapeDiff(path+"."+k, wv, gv)...)
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %s", path, kindOf(got))}
		}
		if len(w) == 0 {
			return nil
		}
		var diffs []string
		for i, gv := range g {
			diffs = append(diffs, shapeDiff(fmt.Sprintf("%s[%d]", path, i), w[0], gv)...)
		}
		return diffs
	case nil:
		if got == nil {
			return nil
		}
		if _, ok := got.(string); ok {
			return nil
		}
		return []string{fmt.Sprintf("%s: want null or a string, got %s", path, kindOf(got))}
	}
	if kindOf(want) != kindOf(got) {
		return []string{fmt.Sprintf("%s: want %s, got %s", path, kindOf(want), kindOf(got))}
	}
	return nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func decodeJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, b)
	}
	return m
}
