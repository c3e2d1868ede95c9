package batch

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
)

// TestCreateJobPayloadKeys holds the payload's struct tags and the Key*
// names the fragment writes together.
func TestCreateJobPayloadKeys(t *testing.T) {
	data, err := json.Marshal(CreateJobPayload{ExecutionArn: "arn"})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			got = append(got, prefix+k)
		}
	}
	walk("", doc)
	want := []string{
		KeyJobName, KeyRoleArn, KeyModelID,
		KeyInputDataConfig + "." + KeyS3InputDataConfig + "." + KeyS3URI,
		KeyOutputDataConfig + "." + KeyS3OutputDataConfig + "." + KeyS3URI,
		KeyTimeoutHours, KeyTaskToken, PayloadExecutionArnKey,
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payload JSON keys %v, want %v", got, want)
	}
}
