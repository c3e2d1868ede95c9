package batch

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Limits of a job's tags (Bedrock's TagList, TagKey and TagValue shapes).
const (
	MaxJobTags   = 200
	MaxTagKeyLen = 128
)

// systemTagPrefixes start the keys of tags this system puts on its jobs
// (OriginalNameTag, ExecutionTag) or once put there (the task token's
// TaskToken:<n> parts, which older jobs still carry); a user's tag may not
// start with them, nor with "aws:", which AWS reserves for its own tags.
var systemTagPrefixes = []string{"TaskToken:", "bedrockbatch:"}

// ValidUserTag checks a tag a user asks to put on jobs: a key of 1–128
// and a value of up to 256 letters, digits, white space and ._:/=+@-
// characters, a key that starts neither with "aws:" (any case) nor with a
// prefix of the tags the create-job function sets itself.
func ValidUserTag(key, value string) error {
	if key == "" || len(key) > MaxTagKeyLen {
		return fmt.Errorf("tag key %q is %d characters; a key has 1 to %d", key, len(key), MaxTagKeyLen)
	}
	if err := validTagText(key); err != nil {
		return fmt.Errorf("tag key %q: %w (allowed: letters, digits, white space and ._:/=+@-)", key, err)
	}
	if strings.HasPrefix(strings.ToLower(key), "aws:") {
		return fmt.Errorf("tag key %q starts with \"aws:\", which AWS reserves for its own tags", key)
	}
	for _, p := range systemTagPrefixes {
		if strings.HasPrefix(key, p) {
			return fmt.Errorf("tag key %q starts with %q, which the create-job function reserves for the tags it sets itself", key, p)
		}
	}
	if err := ValidTagValue(value); err != nil {
		return fmt.Errorf("tag %q: %w (allowed: letters, digits, white space and ._:/=+@-)", key, err)
	}
	return nil
}

// ValidUserTags checks every tag of tags (ValidUserTag) in key order and
// that there are at most max of them.
func ValidUserTags(tags map[string]string, max int) error {
	if len(tags) > max {
		return fmt.Errorf("has %d tags; at most %d fit beside the tags the create-job function sets (a job has at most %d)",
			len(tags), max, MaxJobTags)
	}
	for _, k := range SortedTagKeys(tags) {
		if err := ValidUserTag(k, tags[k]); err != nil {
			return err
		}
	}
	return nil
}

// SortedTagKeys returns the keys of tags in order, so tags are sent and
// reported in a stable order.
func SortedTagKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MaxSystemTags is the most tags the create-job function sets on a job
// itself: the original name and the execution. Users' tags share the rest
// of MaxJobTags.
const MaxSystemTags = 2

// MaxUserTags is how many tags of their own users may put on a job.
const MaxUserTags = MaxJobTags - MaxSystemTags

// TagMap is a set of tags given as a JSON object of strings. Decoding
// anything else fails with an error that says which tag is wrong, rather
// than the decoder's "cannot unmarshal number into Go value of type
// string".
type TagMap map[string]string

// UnmarshalJSON decodes a JSON object whose values are all strings.
func (m *TagMap) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("job tags must be a JSON object of tag keys and string values, such as {\"team\": \"search\"}, got %s",
			Truncate(string(data), 100))
	}
	out := make(TagMap, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("job tag %q has the value %s; tag values are strings: write it in quotes", k, Truncate(string(v), 100))
		}
		out[k] = s
	}
	*m = out
	return nil
}
