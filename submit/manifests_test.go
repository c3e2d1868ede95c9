package submit

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// records is a manifest of n records in the Amazon Nova request format.
func records(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"recordId":"R%05d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Item %d."}]}]}}`+"\n", i, i)
	}
	return b.String()
}

// TestLoadManifestsFromTheBundledSample reads the sample's file system:
// its two files of 520 and 480 records pass the per-job minimum and are
// keyed under the prefix, in name order.
func TestLoadManifestsFromTheBundledSample(t *testing.T) {
	sample, err := fs.Sub(sampleapp.Data, sampleapp.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := LoadManifests(Source{FS: sample}, "input/", manifest.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, fmt.Sprintf("%s %d", m.Key, m.Records))
	}
	want := []string{"input/manifest-1.jsonl 520", "input/manifest-2.jsonl 480"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("manifests %v, want %v", got, want)
	}
}

// TestLoadManifestsHoldsEachFileToTheJobMinimum rejects a file below the
// per-job minimum whatever the source, naming the file: each manifest
// runs as one job, and Bedrock's default minimum is 100 records
// (https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html,
// "Minimum number of records per batch inference job").
func TestLoadManifestsHoldsEachFileToTheJobMinimum(t *testing.T) {
	dir := t.TempDir()
	for name, n := range map[string]int{"a.jsonl": 100, "b.jsonl": 99} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(records(n)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mem := fstest.MapFS{"a.jsonl": {Data: []byte(records(100))}, "b.jsonl": {Data: []byte(records(99))}}
	for _, src := range []Source{{Path: dir}, {FS: mem}} {
		_, err := LoadManifests(src, "in/", manifest.Limits{})
		if err == nil || !strings.Contains(err.Error(), "b.jsonl") || !strings.Contains(err.Error(), "99 records") || !strings.Contains(err.Error(), "minimum is 100") {
			t.Errorf("source %+v: error %v, want b.jsonl's 99 records below the minimum of 100", src, err)
		}
		ms, err := LoadManifests(src, "in/", manifest.Limits{MinRecordsPerJob: 99})
		if err != nil || len(ms) != 2 || ms[1].Key != "in/b.jsonl" || ms[1].Records != 99 {
			t.Errorf("source %+v with a minimum of 99: %+v, %v; want both files", src, ms, err)
		}
	}
}

// TestPrepareMakesTheFragmentInput names the execution, keys the
// manifests under the default prefix and writes the fragment's input by
// keys, or by prefix with ByPrefix, before any service is reached.
func TestPrepareMakesTheFragmentInput(t *testing.T) {
	src := Source{FS: fstest.MapFS{"m.jsonl": {Data: []byte(records(100))}}}
	for _, byPrefix := range []bool{false, true} {
		plan, err := Prepare(Options{Input: src, ModelID: "amazon.nova-pro-v1:0", ByPrefix: byPrefix})
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckExecutionName(plan.Name); err != nil {
			t.Errorf("execution name: %v", err)
		}
		want := batch.FragmentInput{JobName: plan.Name, ModelID: "amazon.nova-pro-v1:0"}
		if byPrefix {
			want.ManifestPrefix = "input/" + plan.Name + "/"
		} else {
			want.ManifestKeys = []string{"input/" + plan.Name + "/m.jsonl"}
		}
		var got batch.FragmentInput
		if err := json.Unmarshal(plan.Input, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("by prefix %v: input %s, want %+v", byPrefix, plan.Input, want)
		}
	}
	if _, err := Prepare(Options{Input: src}); err == nil || !strings.Contains(err.Error(), "--model") {
		t.Errorf("no model: error %v, want one asking for --model", err)
	}
}
