package batch

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTagMapSaysWhichTagIsWrong(t *testing.T) {
	var p CreateJobPayload
	if err := json.Unmarshal([]byte(`{"jobTags": {"team": "search", "run": 7}}`), &p); err == nil ||
		!strings.Contains(err.Error(), `job tag "run" has the value 7; tag values are strings`) {
		t.Errorf("error %v, want one naming the tag run", err)
	}
	if err := json.Unmarshal([]byte(`{"jobTags": ["team"]}`), &p); err == nil || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("error %v, want one asking for an object", err)
	}
	if err := json.Unmarshal([]byte(`{"jobTags": {"team": "search"}, "defaultJobTags": {}}`), &p); err != nil ||
		p.JobTags["team"] != "search" || p.DefaultJobTags == nil {
		t.Errorf("decoded %v, %v: %v", p.JobTags, p.DefaultJobTags, err)
	}
}

func TestValidUserTag(t *testing.T) {
	// Bedrock's TagKey and TagValue shapes (botocore
	// data/bedrock/2023-04-20/service-2.json): key 1–128, value 0–256,
	// [a-zA-Z0-9\s._:/=+@-]*; "aws:" is reserved
	// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"cost-center", "ml platform/2026", true},
		{strings.Repeat("k", 128), strings.Repeat("v", 256), true},
		{"team", "", true},
		{"", "x", false},
		{strings.Repeat("k", 129), "x", false},
		{"team", strings.Repeat("v", 257), false},
		{"team", "a;b", false},
		{"Aws:cost", "x", false},
		{"TaskToken:0", "x", false},
		{"bedrockbatch:execution", "x", false},
	} {
		if err := ValidUserTag(c.key, c.value); (err == nil) != c.ok {
			t.Errorf("ValidUserTag(%q, %q) = %v, want ok %v", c.key, c.value, err, c.ok)
		}
	}
}
