package asl

import (
	"context"
	"encoding/json"
	"testing"
)

func TestJSONataMode(t *testing.T) {
	echo := InvokerFunc(func(_ context.Context, call TaskCall) (json.RawMessage, error) {
		if call.StateName == "Flaky" {
			return nil, &Error{Name: "Oops", Cause: "it broke"}
		}
		return call.Input, nil
	})
	tests := []struct {
		name, def, input string
		status, output   string
		errName          string
	}{
		{"pass output and variables", `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"total":"{% $sum($states.input.xs) %}","name":"fixed"},"Output":{"n":"{% $count($states.input.xs) %}"},"Next":"B"},
			"B":{"Type":"Pass","Output":{"n":"{% $states.input.n %}","total":"{% $total %}","name":"{% $name %}"},"End":true}}}`,
			`{"xs":[1,2,3.5]}`, StatusSucceeded, `{"n":3,"total":6.5,"name":"fixed"}`, ""},
		{"task arguments, result and token", `{"QueryLanguage":"JSONata","StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f","Payload":{"v":"{% $states.input.v * 2 %}","exec":"{% $states.context.Execution.Name %}"}},
			  "Output":"{% $states.result.Payload %}","End":true}}}`,
			`{"v":21}`, StatusSucceeded, `{"v":42,"exec":"e"}`, ""},
		{"choice condition", `{"QueryLanguage":"JSONata","StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 10 %}","Next":"Big","Output":{"size":"big"}}],"Default":"Small"},
			"Big":{"Type":"Succeed"},"Small":{"Type":"Pass","Output":{"size":"small"},"End":true}}}`,
			`{"n":11}`, StatusSucceeded, `{"size":"big"}`, ""},
		{"choice default", `{"QueryLanguage":"JSONata","StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 10 %}","Next":"Big"}],"Default":"Small"},
			"Big":{"Type":"Succeed"},"Small":{"Type":"Pass","Output":{"size":"small"},"End":true}}}`,
			`{"n":1}`, StatusSucceeded, `{"size":"small"}`, ""},
		{"map items and selector", `{"QueryLanguage":"JSONata","StartAt":"M","States":{
			"M":{"Type":"Map","Items":"{% $states.input.list %}","ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value %}"},
			  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.i & ':' & $states.input.v %}","End":true}}},
			  "Output":{"joined":"{% $join($states.result, ',') %}"},"End":true}}}`,
			`{"list":["a","b","c"]}`, StatusSucceeded, `{"joined":"0:a,1:b,2:c"}`, ""},
		{"parallel", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel","Arguments":{"x":"{% $states.input.x + 1 %}"},"End":true,
			"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.x %}","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.x * 10 %}","End":true}}}]}}}`,
			`{"x":1}`, StatusSucceeded, `[2,20]`, ""},
		{"catch output and assign", `{"QueryLanguage":"JSONata","StartAt":"Flaky","States":{
			"Flaky":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Catch":[{"ErrorEquals":["Oops"],"Assign":{"why":"{% $states.errorOutput.Cause %}"},"Output":{"err":"{% $states.errorOutput.Error %}","in":"{% $states.input.k %}"},"Next":"After"}],"End":true},
			"After":{"Type":"Pass","Output":{"err":"{% $states.input.err %}","in":"{% $states.input.in %}","why":"{% $why %}"},"End":true}}}`,
			`{"k":"v"}`, StatusSucceeded, `{"err":"Oops","in":"v","why":"it broke"}`, ""},
		{"fail with expressions", `{"QueryLanguage":"JSONata","StartAt":"F","States":{"F":{"Type":"Fail","Error":"{% 'Bad' & $states.input.code %}","Cause":"plain"}}}`,
			`{"code":"42"}`, StatusFailed, "", "Bad42"},
		{"evaluation error is catchable", `{"QueryLanguage":"JSONata","StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"{% $states.input.missing.deeper %}","Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Next":"Ok"}],"End":true},
			"Ok":{"Type":"Pass","Output":"caught","End":true}}}`,
			`{}`, StatusSucceeded, `"caught"`, ""},
		{"wait seconds expression", `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{% $states.input.s %}","End":true}}}`,
			`{"s":5}`, StatusSucceeded, `{"s":5}`, ""},
		{"jsonata state in a jsonpath machine", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.v"},"Next":"B"},
			"B":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"y":"{% $states.input.x + 1 %}"},"End":true}}}`,
			`{"v":1}`, StatusSucceeded, `{"y":2}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(Options{Invoker: echo, SkipWaits: true})
			sm, err := e.NewStateMachine("sm", []byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			arn, err := e.Start(StartInput{StateMachine: sm, Name: "e", Input: json.RawMessage(tc.input)})
			if err != nil {
				t.Fatal(err)
			}
			info := mustWait(t, e, arn)
			if info.Status != tc.status {
				t.Fatalf("status %s (%s: %s), want %s", info.Status, info.Error, info.Cause, tc.status)
			}
			if tc.status == StatusSucceeded {
				assertJSON(t, info.Output, tc.output)
			} else if info.Error != tc.errName {
				t.Errorf("error %q, want %q", info.Error, tc.errName)
			}
		})
	}
}
