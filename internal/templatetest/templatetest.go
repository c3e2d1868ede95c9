// Package templatetest reads synthesized CloudFormation templates in the
// tests of the construct (package bedrockbatchstepfn) and of the apps built
// with it (package sampleapp): a template as plain Go values, its resources
// by type and logical id, values deep inside it, and intrinsic functions
// written as ${...} placeholders, so that a state machine's definition,
// built with Fn::Join, parses as JSON and reads as its ASL.
package templatetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// JSON returns a synthesized template as plain Go values.
func JSON(tpl assertions.Template) (map[string]any, error) {
	b, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// Resources returns the template's resources of type typ, by logical id.
func Resources(tj map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tj["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// ResourceByPrefix returns the one resource of type typ whose logical id
// starts with prefix ("" for the one resource of that type); the test fails
// when there is none or more than one.
func ResourceByPrefix(t testing.TB, tj map[string]any, typ, prefix string) (string, map[string]any) {
	t.Helper()
	var id string
	var found map[string]any
	for rid, r := range Resources(tj, typ) {
		if strings.HasPrefix(rid, prefix) {
			if found != nil {
				t.Fatalf("two %s resources start with %q: %s, %s", typ, prefix, id, rid)
			}
			id, found = rid, r
		}
	}
	if found == nil {
		t.Fatalf("no %s resource starts with %q", typ, prefix)
	}
	return id, found
}

// Props returns a resource's Properties.
func Props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

// Dig returns the value at path in nested objects, or nil where the path
// leaves them.
func Dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// Flatten renders a template value as a string: a string as itself,
// {"Ref": X} as ${X}, {"Fn::GetAtt": [X, A]} as ${X.A}, Fn::Join as the
// joined parts, and any other value as ${its JSON with ' for "}, so that
// a definition string built with Fn::Join parses as JSON.
func Flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if ref, ok := x["Ref"]; ok {
			return fmt.Sprintf("${%v}", ref)
		}
		switch ga := x["Fn::GetAtt"].(type) {
		case []any:
			return fmt.Sprintf("${%v.%v}", ga[0], ga[1])
		case string:
			return "${" + ga + "}"
		}
		if j, ok := x["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, Flatten(p))
			}
			return strings.Join(parts, j[0].(string))
		}
	}
	b, _ := json.Marshal(v)
	return "${" + strings.ReplaceAll(string(b), `"`, "'") + "}"
}

// Strings returns a value that is a string or a list (an IAM statement's
// Action or Resource) as a list of flattened strings.
func Strings(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, Flatten(e))
		}
		return out
	default:
		return []string{Flatten(x)}
	}
}

// Definition parses the ASL of the state machine whose logical id starts
// with prefix ("" for the template's one state machine), with intrinsic
// functions written as by Flatten.
func Definition(t testing.TB, tj map[string]any, prefix string) map[string]any {
	t.Helper()
	_, sm := ResourceByPrefix(t, tj, "AWS::StepFunctions::StateMachine", prefix)
	var asl map[string]any
	if err := json.Unmarshal([]byte(Flatten(Props(sm)["DefinitionString"])), &asl); err != nil {
		t.Fatalf("definition is not JSON: %v", err)
	}
	return asl
}
