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
	p := CreateJobPayload{ExecutionArn: "arn", ModelInvocationType: "Converse",
		JobTags: map[string]string{"a": "b"}, DefaultJobTags: map[string]string{"c": "d"},
		VpcConfig: &VpcConfig{SubnetIDs: []string{"s"}, SecurityGroupIDs: []string{"g"}}}
	p.InputDataConfig.S3InputDataConfig.S3BucketOwner = "o"
	p.OutputDataConfig.S3OutputDataConfig.S3BucketOwner = "o"
	p.OutputDataConfig.S3OutputDataConfig.S3EncryptionKeyID = "k"
	data, err := json.Marshal(p)
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
			if sub, ok := v.(map[string]any); ok && k != KeyJobTags && k != KeyDefaultJobTags {
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
		KeyInputDataConfig + "." + KeyS3InputDataConfig + "." + KeyS3BucketOwner,
		KeyOutputDataConfig + "." + KeyS3OutputDataConfig + "." + KeyS3BucketOwner,
		KeyOutputDataConfig + "." + KeyS3OutputDataConfig + "." + KeyS3EncryptionKeyID,
		KeyVpcConfig + "." + KeySubnetIDs, KeyVpcConfig + "." + KeySecurityGroupIDs,
		KeyModelInvocationType, KeyJobTags, KeyDefaultJobTags,
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payload JSON keys %v, want %v", got, want)
	}
}

// TestFragmentInputKeys holds the input's struct tags and the Input* names
// the construct reads together, and leaves out the path not taken (the
// fragment chooses the prefix path by the presence of manifest_prefix) and
// the optional job options when empty.
func TestFragmentInputKeys(t *testing.T) {
	for _, tc := range []struct {
		in   FragmentInput
		want []string
	}{
		{FragmentInput{JobName: "j", ManifestKeys: []string{"k"}, ManifestPrefix: "p/", ModelID: "m"},
			[]string{InputJobName, InputManifestKeys, InputManifestPrefix, InputModelID}},
		{FragmentInput{JobName: "j", ManifestKeys: []string{"k"}, ModelID: "m"},
			[]string{InputJobName, InputManifestKeys, InputModelID}},
		{FragmentInput{JobName: "j", ManifestPrefix: "p/", ModelID: "m"},
			[]string{InputJobName, InputManifestPrefix, InputModelID}},
		{FragmentInput{JobName: "j", ManifestKeys: []string{"k"}, ModelID: "m",
			ModelInvocationType: InvocationConverse, JobTags: map[string]string{"team": "ml"}},
			[]string{InputJobName, InputManifestKeys, InputModelID, InputModelInvocationType, InputJobTags}},
	} {
		data, err := json.Marshal(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for k := range doc {
			got = append(got, k)
		}
		sort.Strings(got)
		sort.Strings(tc.want)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: keys %v, want %v", data, got, tc.want)
		}
	}
}
