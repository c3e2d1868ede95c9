package asl

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// The interpreter evaluates the common paths and values without the
// general machinery (walkSteps, selectContext, writeScalar's direct cases);
// these tests hold each shortcut to the result of the general code.

func TestDirectPathsSelectWhatTheLibrarySelects(t *testing.T) {
	data, err := decodeValue([]byte(`{"a":{"b":[10,{"c":"x"},null],"n":1.5,"s":"t","t":true},"k-1":{"$x":2},"0":"zero","arr":[[1,2],[3]]}`))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"$", "$.a", "$.a.b", "$.a.b[0]", "$.a.b[1].c", "$.a.b[-1]", "$.a.b[-3]", "$.a.b[-4]", "$.a.b[3]",
		"$.a.b[1].c.d", "$.a.n", "$.a.n.x", "$.a.s[0]", "$.a.t.x", "$.a.b.c", "$.a[0]", "$.missing", "$.a.missing.x",
		"$['k-1']", "$.k-1", "$['k-1']['$x']", "$.0", "$['0']", "$.arr[0][1]", "$.arr[1][1]", "$.a.b[2].x",
	}
	for _, p := range paths {
		cp, err := compilePath(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !cp.direct {
			t.Errorf("%s: not evaluated directly", p)
			continue
		}
		v, found := selectPath(cp, data, nil)
		nodes := cp.path.Select(data)
		if found != (len(nodes) > 0) || (found && !reflect.DeepEqual(v, nodes[0])) {
			t.Errorf("%s: direct %v (found %v), library %v", p, v, found, nodes)
		}
	}
	for _, p := range []string{"$..b", "$.a.*", "$.a.b[0,1]", "$.a.b[0:2]", "$.a.b[?@ == 10]"} {
		if cp, err := compilePath(p); err != nil || cp.direct {
			t.Errorf("%s: evaluated directly (err %v)", p, err)
		}
	}
}

func TestContextFieldsReadWithoutTheContextObjectMatchIt(t *testing.T) {
	e := NewEngine(Options{})
	defer e.Close()
	x := &execution{engine: e, rec: &executionRecord{
		ExecutionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:run", Name: "run",
		StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm", StateMachine: "sm",
		RoleArn: "arn:aws:iam::123456789012:role/r", StartDate: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
		Input: map[string]any{"in": json.Number("1")},
	}}
	b := &branchState{Entered: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), RetryCount: 2}
	st := &State{Name: "M", Type: "Map"}
	item := &mapItem{index: 7, value: map[string]any{"v": "x", "w": []any{json.Number("3")}}}
	paths := []string{
		"$$.Map.Item.Value", "$$.Map.Item.Index", "$$.Map.Item.Value.v", "$$.Map.Item.Value.w[0]", "$$.Map.Item.Value.z",
		"$$.Map.Item.Index.x", "$$.Map.Item", "$$.Map.Item.Other", "$$.Map", "$$.Execution.Id", "$$.Execution.Input.in",
		"$$.Execution.StartTime", "$$.Execution.RedriveCount", "$$.Execution.Missing", "$$.StateMachine.Name",
		"$$.State.EnteredTime", "$$.State.RetryCount", "$$.Task.Token", "$$", "$$.Execution",
	}
	for _, withItem := range []*mapItem{item, nil} {
		whole := x.contextObject(b, st, "tok", withItem)
		for _, p := range paths {
			cp, err := compilePath(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			scope := x.pathScope(b, st, "tok", withItem)
			v, found := selectPath(cp, nil, scope)
			want, wantFound := selectPath(cp, nil, whole)
			if found != wantFound || !reflect.DeepEqual(v, want) {
				t.Errorf("%s (item %v): got %v (found %v), want %v (found %v)", p, withItem != nil, v, found, want, wantFound)
			}
		}
	}
}

func TestScalarsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	values := []any{
		nil, true, false, json.Number("12"), json.Number("-1.5e3"), json.Number(""), 1.25, "",
		"plain ascii ~!@#$%^*()", `quote "q"`, `back\slash`, "tab\tnewline\n", "\x01\x1f\x7f", "<&>",
		"é漢", "\u2028\u2029", "bad \xff utf-8",
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got := encodeValue(v); string(got) != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("%#v: got %s, encoding/json writes %s", v, got, want.Bytes())
		}
	}
}

func TestMapOutputHasOneResultPerItemInOrder(t *testing.T) {
	// Fewer workers than items: each worker takes items in turn, and the
	// output keeps the items' order whichever worker ran them.
	const def = `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":3,
	  "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
	  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.v, $.i)"},"End":true}}},"End":true}}}`
	got := runText(t, def, `[5,6,7,8,9,10,11]`)
	want := `[{"sum":5},{"sum":7},{"sum":9},{"sum":11},{"sum":13},{"sum":15},{"sum":17}]`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
