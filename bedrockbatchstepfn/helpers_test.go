package bedrockbatchstepfn_test

import (
	"os"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// TestMain keeps the CDK's Node.js support banner out of the test output.
func TestMain(m *testing.M) {
	nodeenv.Ensure()
	os.Exit(m.Run())
}

// statements returns the policy statements of the IAM::Policy resources
// attached to the role with the given logical id.
func roleStatements(tj map[string]any, roleID string) []map[string]any {
	var out []map[string]any
	for _, p := range templatetest.Resources(tj, "AWS::IAM::Policy") {
		for _, r := range templatetest.Props(p)["Roles"].([]any) {
			if ref, ok := r.(map[string]any)["Ref"]; ok && ref == roleID {
				for _, s := range templatetest.Props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					out = append(out, s.(map[string]any))
				}
			}
		}
	}
	return out
}

// findStatement returns the statement that allows exactly actions.
func findStatement(t *testing.T, stmts []map[string]any, actions ...string) map[string]any {
	t.Helper()
	for _, s := range stmts {
		if strings.Join(templatetest.Strings(s["Action"]), ",") == strings.Join(actions, ",") {
			return s
		}
	}
	t.Fatalf("no statement allows %v; statements: %v", actions, stmts)
	return nil
}

// roleOf is the logical id of a function's execution role.
func roleOf(t *testing.T, fn map[string]any) string {
	t.Helper()
	ga := templatetest.Props(fn)["Role"].(map[string]any)["Fn::GetAtt"].([]any)
	return ga[0].(string)
}

// functionOf returns the logical id of the one function that runs handler.
func functionOf(t *testing.T, tj map[string]any, handler string) string {
	t.Helper()
	var found []string
	for id, fn := range templatetest.Resources(tj, "AWS::Lambda::Function") {
		if templatetest.Dig(fn, "Metadata", "bedrockbatch:handler") == handler {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("functions running %s: %v, want one", handler, found)
	}
	return found[0]
}
