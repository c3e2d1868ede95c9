package asl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRejectsWhatStepFunctionsRejects(t *testing.T) {
	tests := []struct {
		name, def string
		want      []string // substrings of the message
	}{
		{"not JSON", `{`, []string{"not valid JSON"}},
		{"no StartAt", `{"States":{"A":{"Type":"Succeed"}}}`, []string{"StartAt is missing"}},
		{"StartAt unknown", `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, []string{`StartAt "B"`}},
		{"unreachable", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Lost":{"Type":"Succeed"}}}`, []string{`state "Lost" is not reachable`}},
		{"missing Next", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, []string{`state "A"`, "needs Next"}},
		{"Next and End", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B","End":true},"B":{"Type":"Succeed"}}}`, []string{`state "A"`, "cannot both"}},
		{"Next unknown", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`, []string{`state "A"`, `"Nowhere"`}},
		{"unknown type", `{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}`, []string{`state "A"`, "unknown Type"}},
		{"unknown field", `{"StartAt":"A","States":{"A":{"Type":"Pass","Resource":"x","End":true}}}`, []string{`state "A"`, `"Resource" is not allowed`}},
		{"bad InputPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"a.b","End":true}}}`, []string{`state "A"`, "InputPath"}},
		{"bad ResultPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`, []string{`state "A"`, "reference path"}},
		{"context ResultPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$$.a","End":true}}}`, []string{`state "A"`, "context"}},
		{"bad parameter path", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.a["},"End":true}}}`, []string{`state "A"`, `"x.$"`}},
		{"parameter not a string", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":5},"End":true}}}`, []string{`state "A"`, `"x.$"`}},
		{"bad intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Format('{}' $.a)"},"End":true}}}`, []string{`state "A"`, "intrinsic"}},
		{"unknown intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope(1)"},"End":true}}}`, []string{`state "A"`, "States.Nope"}},
		{"intrinsic arity", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.ArrayLength()"},"End":true}}}`, []string{`state "A"`, "takes 1"}},
		{"format placeholders", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Format('{} {}', $.a)"},"End":true}}}`, []string{"placeholder"}},
		{"task without resource", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, []string{`state "A"`, "Resource"}},
		{"heartbeat too long", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}}}`, []string{`state "A"`, "HeartbeatSeconds"}},
		{"choice without rules", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[]}}}`, []string{`state "C"`, "Choices"}},
		{"choice rule without Next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true}],"Default":"D"},"D":{"Type":"Succeed"}}}`, []string{`state "C"`, "needs Next"}},
		{"choice bad operand", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"D"}]},"D":{"Type":"Succeed"}}}`, []string{`state "C"`, "NumericEquals needs a number"}},
		{"choice two operators", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"IsString":true,"Next":"D"}]},"D":{"Type":"Succeed"}}}`, []string{"exactly one"}},
		{"nested Next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsNull":true,"Next":"D"},"Next":"D"}]},"D":{"Type":"Succeed"}}}`, []string{"nested rule cannot have Next"}},
		{"wait two fields", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, []string{`state "W"`, "exactly one"}},
		{"wait bad timestamp", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"tomorrow","End":true}}}`, []string{`state "W"`, "RFC 3339"}},
		{"fail both", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}`, []string{`state "F"`, "Error and ErrorPath"}},
		{"States.ALL not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}`, []string{`state "A"`, "States.ALL"}},
		{"States.ALL with others", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["X","States.ALL"],"Next":"A"}],"End":true}}}`, []string{`state "A"`, "States.ALL"}},
		{"backoff below one", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}],"End":true}}}`, []string{"BackoffRate"}},
		{"bad jitter", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["X"],"JitterStrategy":"SOME"}],"End":true}}}`, []string{"JitterStrategy"}},
		{"catch without Next", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["X"]}],"End":true}}}`, []string{"needs Next"}},
		{"parallel branch unreachable", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Z":{"Type":"Succeed"}}}]}}}`, []string{`state "Z" (in state "P"`, "not reachable"}},
		{"branch cannot leave", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Out","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Out"}}}]},"Out":{"Type":"Succeed"}}}`, []string{`state "A" (in state "P"`, `"Out"`}},
		{"map without processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, []string{`state "M"`, "ItemProcessor"}},
		{"map selector and parameters", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemSelector":{},"Parameters":{},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}}}}`, []string{"ItemSelector and Parameters"}},
		{"tolerated percentage", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ToleratedFailurePercentage":101,"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}}}}`, []string{"ToleratedFailurePercentage"}},
		{"jsonpath field in jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a","End":true}}}`, []string{`state "A"`, `"InputPath"`, "JSONata"}},
		{"bad jsonata expression", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.( %}","End":true}}}`, []string{`state "A"`, "does not compile"}},
		{"jsonpath inside jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`, []string{`state "A"`, "JSONPath"}},
		{"jsonata fields in jsonpath", `{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`, []string{`state "A"`, "JSONata"}},
		{"bad variable name", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`, []string{`"1x"`}},
		{"long name", `{"StartAt":"` + strings.Repeat("n", 81) + `","States":{"` + strings.Repeat("n", 81) + `":{"Type":"Succeed"}}}`, []string{"1 to 80"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.def))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			var ve *ValidationError
			if tc.name != "not JSON" && !errors.As(err, &ve) {
				t.Errorf("error is %T, want *ValidationError", err)
			}
		})
	}
}

func TestParseAcceptsValidDefinitions(t *testing.T) {
	for _, def := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":null,"OutputPath":null,"ResultPath":null,"End":true}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.x-y.z","b.$":"$$.Execution.Id","c":[{"d.$":"$[0]"}]},"ResultPath":"$.out['key'][0]","End":true}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"ItemsPath":"$.items","Parameters":{"v.$":"$$.Map.Item.Value"},"End":true}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","HeartbeatSeconds":172800,"Retry":[{"ErrorEquals":["States.ALL"],"JitterStrategy":"FULL","MaxDelaySeconds":10}],"End":true}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","StringMatches":"log-*.txt"},{"Not":{"Variable":"$.b","NumericLessThanPath":"$.c"}}],"Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}`,
	} {
		if _, err := Parse([]byte(def)); err != nil {
			t.Errorf("%s: %v", def, err)
		}
	}
}
