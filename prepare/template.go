package prepare

import (
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
	if err := c.t.Execute(sb, values); err != nil {
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
