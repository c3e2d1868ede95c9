package events

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/theory/jsonpath"
)

// targetInput builds what a target receives for an event: the event
// itself, the constant Input, the part selected by InputPath, or the
// InputTransformer's template filled from the event.
func targetInput(t *Target, rule *Rule, event map[string]any, eventJSON []byte) ([]byte, error) {
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		v, ok, err := selectPath(t.InputPath, event)
		if err != nil {
			return nil, err
		}
		if !ok {
			return []byte("null"), nil
		}
		return json.Marshal(v)
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, rule, event, eventJSON)
	}
	return eventJSON, nil
}

// selectPath returns the single value a JSONPath selects in the event.
func selectPath(path string, event map[string]any) (any, bool, error) {
	p, err := jsonpath.Parse(path)
	if err != nil {
		return nil, false, fmt.Errorf("JSONPath %q: %w", path, err)
	}
	nodes := p.Select(event)
	if len(nodes) == 0 {
		return nil, false, nil
	}
	if len(nodes) == 1 {
		return nodes[0], true, nil
	}
	return []any(nodes), true, nil
}

// validatePath checks a JSONPath when a target is put.
func validatePath(path string) error {
	if _, err := jsonpath.Parse(path); err != nil {
		return fmt.Errorf("%q is not a valid JSONPath: %v", path, err)
	}
	return nil
}

// transform fills an InputTransformer template. A placeholder <name>
// inside a JSON string is replaced by the value's text (strings without
// their quotes); elsewhere by the value's JSON. A template that is not
// JSON (plain text) is filled the first way.
func transform(tr *InputTransformer, rule *Rule, event map[string]any, eventJSON []byte) ([]byte, error) {
	values := map[string]any{
		"aws.events.rule-arn":             rule.Arn,
		"aws.events.rule-name":            rule.Name,
		"aws.events.event.ingestion-time": event["time"],
		"aws.events.event":                json.RawMessage(eventJSON),
		"aws.events.event.json":           json.RawMessage(eventJSON),
	}
	for name, path := range tr.InputPathsMap {
		v, ok, err := selectPath(path, event)
		if err != nil {
			return nil, err
		}
		if ok {
			values[name] = v
		} else {
			values[name] = nil
		}
	}
	tmpl := tr.InputTemplate
	isJSON := strings.HasPrefix(strings.TrimSpace(tmpl), "{") || strings.HasPrefix(strings.TrimSpace(tmpl), "[")
	var out strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if isJSON && c == '"' && (i == 0 || tmpl[i-1] != '\\') {
			inString = !inString
		}
		if c == '<' {
			if end := strings.IndexByte(tmpl[i:], '>'); end > 0 {
				name := tmpl[i+1 : i+end]
				if v, ok := values[name]; ok {
					out.WriteString(render(v, inString || !isJSON))
					i += end
					continue
				}
			}
		}
		out.WriteByte(c)
	}
	return []byte(out.String()), nil
}

func render(v any, asText bool) string {
	if s, ok := v.(string); ok && asText {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	}
	if v == nil {
		if asText {
			return ""
		}
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
