package templatetest

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A definition string built with Fn::Join from Ref and Fn::GetAtt (the
// long form, a list, and the short form, "X.A", both of which
// CloudFormation accepts:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getatt.html)
// flattens to JSON with ${...} placeholders.
func TestFlattenDefinition(t *testing.T) {
	var def any
	if err := json.Unmarshal([]byte(`{"Fn::Join": ["", [
		"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:",
		{"Ref": "AWS::Partition"},
		":states:::lambda:invoke\",\"Parameters\":{\"FunctionName\":\"",
		{"Fn::GetAtt": ["Fn1", "Arn"]},
		"\",\"Bucket\":\"",
		{"Fn::GetAtt": "Bucket1.Arn"},
		"\",\"Other\":\"",
		{"Fn::Sub": "x"},
		"\"},\"End\":true}}}"
	]]}`), &def); err != nil {
		t.Fatal(err)
	}
	var asl map[string]any
	if err := json.Unmarshal([]byte(Flatten(def)), &asl); err != nil {
		t.Fatalf("%s: %v", Flatten(def), err)
	}
	want := map[string]any{"FunctionName": "${Fn1.Arn}", "Bucket": "${Bucket1.Arn}", "Other": "${{'Fn::Sub':'x'}}"}
	if got := Dig(asl, "States", "A", "Parameters"); !reflect.DeepEqual(got, want) {
		t.Errorf("parameters %v, want %v", got, want)
	}
	if got := Dig(asl, "States", "A", "Resource"); got != "arn:${AWS::Partition}:states:::lambda:invoke" {
		t.Errorf("resource %v", got)
	}
	if got := Dig(asl, "States", "A", "Type", "deeper"); got != nil {
		t.Errorf("digging past a string gave %v, want nil", got)
	}
}
