package events

import (
	"strings"
	"testing"
)

// docEvent is shaped like the examples in EventBridge's documentation on
// event patterns.
const docEvent = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {
    "instance-id": "i-1234567890abcdef0",
    "state": "terminated",
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.123",
    "location": "eu-west-1",
    "filename": "reports/2017/summary.png",
    "nothing": null,
    "empty": "",
    "tags": ["prod", "batch"],
    "items": [{"kind": "a", "n": 1}, {"kind": "b", "n": 2}]
  }
}`

func TestPatternMatching(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		want          bool
	}{
		{"exact source", `{"source":["aws.ec2"]}`, true},
		{"exact source, other value", `{"source":["aws.s3"]}`, false},
		{"array of alternatives", `{"source":["aws.s3","aws.ec2"]}`, true},
		{"several fields all match", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}`, true},
		{"several fields, one fails", `{"source":["aws.ec2"],"region":["eu-west-1"]}`, false},
		{"nested", `{"detail":{"state":["terminated"]}}`, true},
		{"nested, missing field", `{"detail":{"color":["red"]}}`, false},
		{"event array value", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, true},
		{"event array, any element", `{"detail":{"tags":["batch"]}}`, true},
		{"event array, no element", `{"detail":{"tags":["dev"]}}`, false},
		{"array of objects", `{"detail":{"items":{"kind":["b"],"n":[2]}}}`, true},
		{"array of objects, fields from different elements", `{"detail":{"items":{"kind":["a"],"n":[2]}}}`, false},
		{"number equality", `{"detail":{"c-count":[5]}}`, true},
		{"number written differently", `{"detail":{"x-limit":[3.018e2]}}`, true},
		{"string does not match number", `{"detail":{"c-count":["5"]}}`, false},
		{"null", `{"detail":{"nothing":[null]}}`, true},
		{"empty string", `{"detail":{"empty":[""]}}`, true},
		{"null does not match empty string", `{"detail":{"empty":[null]}}`, false},
		{"prefix", `{"time":[{"prefix":"2017-12-22"}]}`, true},
		{"prefix, no", `{"time":[{"prefix":"2018"}]}`, false},
		{"prefix ignoring case", `{"detail":{"state":[{"prefix":{"equals-ignore-case":"TERM"}}]}}`, true},
		{"suffix", `{"detail":{"filename":[{"suffix":".png"}]}}`, true},
		{"suffix, no", `{"detail":{"filename":[{"suffix":".jpg"}]}}`, false},
		{"suffix ignoring case", `{"detail":{"filename":[{"suffix":{"equals-ignore-case":".PNG"}}]}}`, true},
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, true},
		{"wildcard", `{"detail":{"location":[{"wildcard":"eu-*"}]}}`, true},
		{"wildcard in the middle", `{"detail":{"filename":[{"wildcard":"reports/*/summary.png"}]}}`, true},
		{"wildcard, no", `{"detail":{"location":[{"wildcard":"us-*"}]}}`, false},
		{"wildcard, several stars", `{"detail":{"filename":[{"wildcard":"*2017*.png"}]}}`, true},
		{"anything-but value", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, true},
		{"anything-but the value", `{"detail":{"state":[{"anything-but":"terminated"}]}}`, false},
		{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, true},
		{"anything-but list with the value", `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":5}]}}`, false},
		{"anything-but numbers", `{"detail":{"c-count":[{"anything-but":[1,2,3]}]}}`, true},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, true},
		{"anything-but prefix that matches", `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, false},
		{"anything-but suffix", `{"detail":{"filename":[{"anything-but":{"suffix":".png"}}]}}`, false},
		{"anything-but equals-ignore-case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["TERMINATED","STOPPED"]}}]}}`, false},
		{"anything-but wildcard", `{"detail":{"location":[{"anything-but":{"wildcard":"us-*"}}]}}`, true},
		{"anything-but on a missing field", `{"detail":{"color":[{"anything-but":"red"}]}}`, false},
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{"numeric below", `{"detail":{"d-count":[{"numeric":["<",10]}]}}`, true},
		{"numeric equal", `{"detail":{"x-limit":[{"numeric":["=",301.8]}]}}`, true},
		{"numeric exclusive bound", `{"detail":{"c-count":[{"numeric":[">",5]}]}}`, false},
		{"numeric on a string", `{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		{"exists", `{"detail":{"state":[{"exists":true}]}}`, true},
		{"exists on a missing field", `{"detail":{"color":[{"exists":true}]}}`, false},
		{"not exists", `{"detail":{"color":[{"exists":false}]}}`, true},
		{"not exists on a present field", `{"detail":{"state":[{"exists":false}]}}`, false},
		{"not exists under a missing object", `{"missing":{"color":[{"exists":false}]}}`, true},
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, true},
		{"cidr, outside", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, false},
		{"$or, second matches", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",10]}]}]}}`, true},
		{"$or, none matches", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"state":["running"]}]}}`, false},
		{"$or at the top with other fields", `{"source":["aws.ec2"],"$or":[{"region":["us-west-1"]},{"account":["0"]}]}`, true},
		{"$or with nested alternatives", `{"$or":[{"detail":{"state":["running"]}},{"detail":{"location":[{"prefix":"eu"}]}}]}`, true},
		{"mixed alternatives in one array", `{"detail":{"state":["running",{"prefix":"term"}]}}`, true},
		{"our job event rule", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated","stopped"]}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePattern(tc.pattern)
			if err != nil {
				t.Fatalf("ParsePattern(%s): %v", tc.pattern, err)
			}
			got, err := p.Matches([]byte(docEvent))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("%s matched %v, want %v", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestInvalidPatterns(t *testing.T) {
	for _, tc := range []struct{ pattern, reason string }{
		{`[]`, "JSON object"},
		{`{}`, "empty"},
		{`not json`, "not valid JSON"},
		{`{"source":"aws.ec2"}`, "must be an array"},
		{`{"source":[]}`, "empty"},
		{`{"source":[["a"]]}`, "contains an array"},
		{`{"source":[{"prefix":1}]}`, "prefix"},
		{`{"source":[{"nope":"x"}]}`, "unrecognized match type"},
		{`{"source":[{"prefix":"a","suffix":"b"}]}`, "exactly one operator"},
		{`{"n":[{"numeric":[">"]}]}`, "comparisons"},
		{`{"n":[{"numeric":["!",1]}]}`, "not one of"},
		{`{"n":[{"numeric":[">",5,"<",1]}]}`, "range is empty"},
		{`{"n":[{"numeric":[">",1,">",2]}]}`, "at most one lower"},
		{`{"s":[{"wildcard":"a**b"}]}`, "consecutive stars"},
		{`{"s":[{"exists":"yes"}]}`, "true or false"},
		{`{"s":[{"cidr":"10.0.0.0/99"}]}`, "not a valid CIDR"},
		{`{"s":[{"anything-but":[]}]}`, "empty list"},
		{`{"s":[{"anything-but":{"numeric":[">",1]}}]}`, "does not take"},
		{`{"$or":[{"a":["b"]}]}`, "at least two"},
	} {
		_, err := ParsePattern(tc.pattern)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("ParsePattern(%s) = %v, want an error mentioning %q", tc.pattern, err, tc.reason)
		}
	}
}
