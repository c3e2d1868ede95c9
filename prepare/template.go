package prepare

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// Template is a prompt template: Go text/template text over the row's
// columns ({{.review}}, or {{index . "column name"}} for names with
// spaces).
type Template struct {
	// Name identifies the template in errors and in a --template-column
	// cell.
	Name string
	// Text is the template.
	Text string
}

// TemplateFile reads a template from a file, named after the file without
// its extension (prompts/summary.tmpl is "summary").
func TemplateFile(path string) (Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Template{}, fmt.Errorf("prompt file: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Template{Name: name, Text: string(b)}, nil
}

type compiled struct {
	name string
	t    *template.Template
}

// compile parses the templates; missing columns are errors, not "<no
// value>".
func compile(ts []Template) ([]compiled, error) {
	out := make([]compiled, len(ts))
	seen := map[string]bool{}
	for i, t := range ts {
		if t.Name == "" {
			t.Name = fmt.Sprintf("prompt %d", i+1)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("two prompt templates are named %q: name each one differently", t.Name)
		}
		seen[t.Name] = true
		tt, err := template.New(t.Name).Option("missingkey=error").Parse(t.Text)
		if err != nil {
			return nil, fmt.Errorf("prompt template %q: %v; see the text/template syntax, e.g. {{.column}}", t.Name, err)
		}
		out[i] = compiled{name: t.Name, t: tt}
	}
	return out, nil
}

// render executes a template over a row's values.
func (c compiled) render(sb *strings.Builder, values map[string]any, columns []string) (string, error) {
	sb.Reset()
	if err := c.t.Execute(sb, templateData(values)); err != nil {
		var ee template.ExecError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg = ee.Err.Error()
		}
		if strings.Contains(msg, "map has no entry for key") {
			cols := append([]string(nil), columns...)
			sort.Strings(cols)
			return "", fmt.Errorf("prompt template %q: %s; the columns are %s", c.name, msg, strings.Join(cols, ", "))
		}
		return "", fmt.Errorf("prompt template %q: %s", c.name, msg)
	}
	return sb.String(), nil
}

// templateData is a row's values as a template sees them: a null cell
// renders as nothing (not "<no value>") and a nested object or list as its
// JSON (not Go's map[a:1]), while {{.col.member}} and {{index .col 0}}
// still reach inside.
func templateData(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		out[k] = templateValue(v)
	}
	return out
}

func templateValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nullText("")
	case map[string]any:
		m := make(jsonObject, len(x))
		for k, e := range x {
			m[k] = templateValue(e)
		}
		return m
	case []any:
		l := make(jsonList, len(x))
		for i, e := range x {
			l[i] = templateValue(e)
		}
		return l
	}
	return v
}

// nullText is a null value: empty in a prompt, false in {{if}}, null in
// JSON.
type nullText string

func (nullText) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// jsonObject and jsonList are nested values; they print as JSON.
type (
	jsonObject map[string]any
	jsonList   []any
)

func (o jsonObject) String() string { return jsonText(map[string]any(o)) }
func (l jsonList) String() string   { return jsonText([]any(l)) }

func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
