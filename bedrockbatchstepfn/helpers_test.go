package bedrockbatchstepfn_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// TestMain keeps the CDK's Node.js support banner out of the test output.
func TestMain(m *testing.M) {
	nodeenv.Ensure()
	os.Exit(m.Run())
}

// toJSON returns a synthesized template as plain Go values.
func toJSON(tpl assertions.Template) (map[string]any, error) {
	b, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// resources returns the template's resources of type typ, by logical id.
func resources(tj map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tj["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// resourceByPrefix returns the one resource of type typ whose logical id
// starts with prefix.
func resourceByPrefix(t *testing.T, tj map[string]any, typ, prefix string) (string, map[string]any) {
	t.Helper()
	var id string
	var found map[string]any
	for rid, r := range resources(tj, typ) {
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

func props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

// flatten renders an intrinsic-function value as a string, writing
// {"Ref": X} as ${X} and {"Fn::GetAtt": [X, A]} as ${X.A}, so that a
// definition string built with Fn::Join can be parsed as JSON.
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if ref, ok := x["Ref"]; ok {
			return fmt.Sprintf("${%v}", ref)
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok {
			return fmt.Sprintf("${%v.%v}", ga[0], ga[1])
		}
		if j, ok := x["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, flatten(p))
			}
			return strings.Join(parts, j[0].(string))
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// definition parses the ASL of the state machine with the given logical id
// prefix.
func definition(t *testing.T, tj map[string]any, prefix string) map[string]any {
	t.Helper()
	_, sm := resourceByPrefix(t, tj, "AWS::StepFunctions::StateMachine", prefix)
	var asl map[string]any
	if err := json.Unmarshal([]byte(flatten(props(sm)["DefinitionString"])), &asl); err != nil {
		t.Fatalf("definition is not JSON: %v", err)
	}
	return asl
}

// statements returns the policy statements of the IAM::Policy resources
// attached to the role with the given logical id.
func roleStatements(tj map[string]any, roleID string) []map[string]any {
	var out []map[string]any
	for _, p := range resources(tj, "AWS::IAM::Policy") {
		for _, r := range props(p)["Roles"].([]any) {
			if ref, ok := r.(map[string]any)["Ref"]; ok && ref == roleID {
				for _, s := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					out = append(out, s.(map[string]any))
				}
			}
		}
	}
	return out
}

// strs returns a statement field (string or list) as a list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e))
		}
		return out
	default:
		return []string{flatten(x)}
	}
}

// findStatement returns the statement that allows exactly actions.
func findStatement(t *testing.T, stmts []map[string]any, actions ...string) map[string]any {
	t.Helper()
	for _, s := range stmts {
		if strings.Join(strs(s["Action"]), ",") == strings.Join(actions, ",") {
			return s
		}
	}
	t.Fatalf("no statement allows %v; statements: %v", actions, stmts)
	return nil
}

// roleOf is the logical id of a function's execution role.
func roleOf(t *testing.T, fn map[string]any) string {
	t.Helper()
	ga := props(fn)["Role"].(map[string]any)["Fn::GetAtt"].([]any)
	return ga[0].(string)
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// functionOf returns the logical id of the one function that runs handler.
func functionOf(t *testing.T, tj map[string]any, handler string) string {
	t.Helper()
	var found []string
	for id, fn := range resources(tj, "AWS::Lambda::Function") {
		if dig(fn, "Metadata", "bedrockbatch:handler") == handler {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("functions running %s: %v, want one", handler, found)
	}
	return found[0]
}
