package bedrockbatchstepfn_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// heartbeatSeconds is the task's heartbeat for a job of hours in a stack
// whose reconciler runs at the default interval.
func heartbeatSeconds(hours int) float64 {
	return batch.TaskHeartbeat(hours, bedrockbatchstepfn.DefaultReconcileIntervalMinutes*time.Minute).Seconds()
}

// ledgerOf returns the logical id and properties of the stack's one
// ledger table.
func ledgerOf(t *testing.T, tj map[string]any) (string, map[string]any) {
	t.Helper()
	tables := templatetest.Resources(tj, "AWS::DynamoDB::Table")
	if len(tables) != 1 {
		t.Fatalf("%d tables, want the one ledger per stack (two fragments share it)", len(tables))
	}
	for id, r := range tables {
		return id, templatetest.Props(r)
	}
	return "", nil
}

// The table as the issue asks for it, in CloudFormation's terms:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
func TestLedgerTable(t *testing.T) {
	tj := mainTemplate()
	id, p := ledgerOf(t, tj)
	if p["BillingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode %v, want on-demand (PAY_PER_REQUEST)", p["BillingMode"])
	}
	if templatetest.Dig(p, "SSESpecification", "SSEEnabled") != true {
		t.Errorf("SSESpecification %v, want KMS encryption", p["SSESpecification"])
	}
	if templatetest.Dig(p, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") != true {
		t.Errorf("PointInTimeRecoverySpecification %v, want enabled", p["PointInTimeRecoverySpecification"])
	}
	if got := p["TimeToLiveSpecification"]; !reflect.DeepEqual(got, map[string]any{"AttributeName": batch.LedgerExpiresAt, "Enabled": true}) {
		t.Errorf("TimeToLiveSpecification %v, want %s enabled", got, batch.LedgerExpiresAt)
	}
	if got := templatetest.Flatten(p["KeySchema"]); !strings.Contains(got, batch.LedgerJobArn) || strings.Contains(got, "RANGE") {
		t.Errorf("KeySchema %s, want the job ARN as the only key", got)
	}
	indexes := map[string]map[string]any{}
	for _, ix := range p["GlobalSecondaryIndexes"].([]any) {
		m := ix.(map[string]any)
		indexes[m["IndexName"].(string)] = m
	}
	want := map[string]struct {
		hash    string
		include []string
	}{
		batch.LedgerOpenIndex:      {batch.LedgerOpen, batch.LedgerOpenProjection},
		batch.LedgerExecutionIndex: {batch.LedgerExecutionArn, batch.LedgerExecutionProjection},
	}
	if len(indexes) != len(want) {
		t.Errorf("indexes %v, want %d", indexes, len(want))
	}
	for name, w := range want {
		ix := indexes[name]
		keys := ix["KeySchema"].([]any)
		if len(keys) != 2 || templatetest.Dig(keys[0], "AttributeName") != w.hash || templatetest.Dig(keys[0], "KeyType") != "HASH" ||
			templatetest.Dig(keys[1], "AttributeName") != batch.LedgerSubmitTime || templatetest.Dig(keys[1], "KeyType") != "RANGE" {
			t.Errorf("%s: keys %v, want %s and %s", name, keys, w.hash, batch.LedgerSubmitTime)
		}
		got := templatetest.Strings(templatetest.Dig(ix, "Projection", "NonKeyAttributes"))
		slices.Sort(got)
		wantAttrs := slices.Sorted(slices.Values(w.include))
		if templatetest.Dig(ix, "Projection", "ProjectionType") != "INCLUDE" || !slices.Equal(got, wantAttrs) {
			t.Errorf("%s: projection %v, want INCLUDE %v", name, ix["Projection"], wantAttrs)
		}
	}
	// Only the table and the open-jobs index hold task tokens.
	if slices.Contains(batch.LedgerExecutionProjection, batch.LedgerTaskToken) {
		t.Error("the execution index, which watch reads, projects the task token")
	}
	out := templatetest.Dig(tj, "Outputs", appcontract.OutputLedgerTable, "Value")
	if templatetest.Flatten(out) != "${"+id+"}" {
		t.Errorf("output %s = %v, want the table's name", appcontract.OutputLedgerTable, out)
	}
}

// Each function may do to the ledger what it needs, on the table or the
// index it reads, and nothing more; each is told the table's name.
func TestLedgerPermissionsPerFunction(t *testing.T) {
	tj := mainTemplate()
	id, _ := ledgerOf(t, tj)
	table, open, byExecution := "${"+id+".Arn}", "${"+id+".Arn}/index/"+batch.LedgerOpenIndex, "${"+id+".Arn}/index/"+batch.LedgerExecutionIndex
	want := map[string]map[string][]string{
		"createjob": {"dynamodb:PutItem": {table}},
		"jobevent":  {"dynamodb:GetItem": {table}, "dynamodb:UpdateItem": {table}},
		"reconcile": {"dynamodb:Query": {open}, "dynamodb:UpdateItem": {table}},
		"stopjobs":  {"dynamodb:Query": {byExecution}},
	}
	functions := templatetest.Resources(tj, "AWS::Lambda::Function")
	for handler, actions := range want {
		var ids []string
		for fid, fn := range functions {
			if templatetest.Dig(fn, "Metadata", "bedrockbatch:handler") == handler {
				ids = append(ids, fid)
			}
		}
		if len(ids) == 0 {
			t.Fatalf("no %s function", handler)
		}
		for _, fid := range ids {
			fn := functions[fid]
			if got := templatetest.Flatten(templatetest.Dig(templatetest.Props(fn), "Environment", "Variables", batch.LedgerTableEnv)); got != "${"+id+"}" {
				t.Errorf("%s: %s = %q, want the ledger's name", fid, batch.LedgerTableEnv, got)
			}
			got := map[string][]string{}
			for _, st := range roleStatements(tj, roleOf(t, fn)) {
				for _, a := range templatetest.Strings(st["Action"]) {
					if strings.HasPrefix(a, "dynamodb:") {
						for _, r := range templatetest.Strings(st["Resource"]) {
							got[a] = append(got[a], templatetest.Flatten(r))
						}
					}
				}
			}
			if !reflect.DeepEqual(got, actions) {
				t.Errorf("%s (%s): DynamoDB permissions %v, want %v", fid, handler, got, actions)
			}
		}
	}
}
