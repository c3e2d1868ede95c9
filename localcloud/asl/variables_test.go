package asl

import (
	"encoding/json"
	"strings"
	"testing"
)

// The history records what each state assigned, as JSON text, on its exit
// event; a state that assigns nothing has no assignedVariables.
func TestAssignedVariablesInHistory(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":{"n":7},"Assign":{"n.$":"$.n","label":"x"},"Next":"B"},
		"B":{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"double":"{% $n * 2 %}"},"Next":"C"},
		"C":{"Type":"Pass","End":true}}}`
	e := NewEngine(Options{SkipWaits: true})
	sm, err := e.NewStateMachine("sm", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e.Start(StartInput{StateMachine: sm, Name: "e", Input: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if info := mustWait(t, e, arn); info.Status != StatusSucceeded {
		t.Fatalf("status %s (%s: %s)", info.Status, info.Error, info.Cause)
	}
	events, err := e.History(arn)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	for _, ev := range events {
		if d := ev.StateExitedEventDetails; d != nil {
			got[d.Name] = d.AssignedVariables
			if (d.AssignedVariables == nil) != (d.AssignedVariablesDetails == nil) {
				t.Errorf("%s: assignedVariables and assignedVariablesDetails must come together", d.Name)
			}
		}
	}
	want := map[string]map[string]string{
		"A": {"n": "7", "label": `"x"`},
		"B": {"double": "14"},
		"C": nil,
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Errorf("%s assigned %v, want %v", name, g, w)
			continue
		}
		for k, v := range w {
			if g[k] != v {
				t.Errorf("%s assigned %s=%s, want %s", name, k, g[k], v)
			}
		}
	}
}

// Assign is a JSONPath-mode field too; the validator checks its variable
// names and paths and keeps it out of the states that cannot assign.
func TestParseJSONPathAssign(t *testing.T) {
	tests := []struct {
		name, def, problem string
	}{
		{"accepted on pass, choice rule and catcher", `{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$x","IsPresent":true,"Assign":{"a":1},"Next":"T"}],"Default":"T","Assign":{"b.$":"$.v"}},
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Assign":{"r.$":"$.Payload"},"Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"e.$":"$.Error"},"Next":"P"}],"Next":"P"},
			"P":{"Type":"Pass","Parameters":{"v.$":"$r","w.$":"States.Format('{}', $e)"},"End":true}}}`, ""},
		{"bad variable name", `{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`, `"1x" is not a valid variable name`},
		{"reserved name", `{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"states":1},"End":true}}}`, `"states" is not a valid variable name`},
		{"bad path", `{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"x.$":"nope"},"End":true}}}`, `state "P": Assign field "x.$"`},
		{"same variable twice", `{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"x":1,"x.$":"$"},"End":true}}}`, `sets the variable "x" twice`},
		{"not on a Succeed state", `{"StartAt":"S","States":{"S":{"Type":"Succeed","Assign":{"x":1}}}}`, `state "S": field "Assign" is not allowed in a Succeed state`},
		{"not on a nested rule", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsPresent":true,"Assign":{"x":1}},"Next":"E"}]},"E":{"Type":"Succeed"}}}`, `a nested rule cannot have Assign`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.def))
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("error %v, want one containing %q", err, tc.problem)
			}
		})
	}
}
