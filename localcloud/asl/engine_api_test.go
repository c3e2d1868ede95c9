package asl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestStartRejectsWithSentinelErrors(t *testing.T) {
	e := NewEngine(Options{})
	sm, err := e.NewStateMachine("sm", []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   StartInput
		want error
	}{
		{StartInput{StateMachine: sm, Name: "has space"}, ErrInvalidName},
		{StartInput{StateMachine: sm, Name: "a:b"}, ErrInvalidName},
		{StartInput{StateMachine: sm, Name: strings.Repeat("x", 81)}, ErrInvalidName},
		{StartInput{StateMachine: sm, Input: json.RawMessage(`{"unclosed":`)}, ErrInvalidExecutionInput},
		{StartInput{StateMachine: sm, Context: json.RawMessage(`nope`)}, ErrInvalidExecutionInput},
	} {
		if _, err := e.Start(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("Start(name %q, input %s, context %s): %v, want %v", tc.in.Name, tc.in.Input, tc.in.Context, err, tc.want)
		}
	}
	// 80 characters are allowed however many bytes they take.
	if _, err := e.Start(StartInput{StateMachine: sm, Name: strings.Repeat("é", 80)}); err != nil {
		t.Errorf("an 80-character name: %v", err)
	}
}

func TestExecutionsListsOneMachineWithoutData(t *testing.T) {
	e := NewEngine(Options{})
	def := []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	a, _ := e.NewStateMachine("a", def)
	b, _ := e.NewStateMachine("b", def)
	a.Version = "v7"
	var arns []string
	for _, sm := range []*StateMachine{a, a, b} {
		arn, err := e.Start(StartInput{StateMachine: sm, Input: json.RawMessage(`{"big":"data"}`)})
		if err != nil {
			t.Fatal(err)
		}
		mustWait(t, e, arn)
		arns = append(arns, arn)
	}
	list := e.Executions(a.Arn)
	if len(list) != 2 {
		t.Fatalf("%d executions of a, want 2", len(list))
	}
	for _, x := range list {
		if x.StateMachineArn != a.Arn || x.Status != StatusSucceeded || x.Name == "" || x.StartDate.IsZero() {
			t.Errorf("listed %+v", x)
		}
		if x.Input != nil || x.Output != nil || x.Definition != nil {
			t.Errorf("a listing carries data: input %s output %s", x.Input, x.Output)
		}
		if x.StateMachineVersion != "v7" || x.RoleArn != a.RoleArn || x.StateMachineName != "a" {
			t.Errorf("listed version %q role %q name %q", x.StateMachineVersion, x.RoleArn, x.StateMachineName)
		}
	}
	if n := len(e.Executions("")); n != 3 {
		t.Errorf("%d executions in all, want 3", n)
	}
	// Describe reports the version the execution ran, whatever happens to
	// the state machine later.
	a.Version, a.RoleArn = "v8", "arn:aws:iam::123456789012:role/other"
	info, err := e.Describe(arns[0])
	if err != nil {
		t.Fatal(err)
	}
	if info.StateMachineVersion != "v7" || info.RoleArn == a.RoleArn || string(info.Definition) != string(def) {
		t.Errorf("described version %q role %q definition %s", info.StateMachineVersion, info.RoleArn, info.Definition)
	}
	assertJSON(t, info.Input, `{"big":"data"}`)
}
