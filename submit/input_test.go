package submit

import (
	"encoding/json"
	"errors"
	"io/fs"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// TestModelInvocationTypeInTheInput: the jobs' model invocation type
// reaches the execution input as model_invocation_type, given up front or
// set once the manifests are loaded; a type CreateModelInvocationJob does
// not take (InvokeModel or Converse) is a usage error, and an empty one is
// left out so the jobs run as InvokeModel.
func TestModelInvocationTypeInTheInput(t *testing.T) {
	sample, err := fs.Sub(sampleapp.Data, sampleapp.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Input: Source{FS: sample}, ModelID: sampleapp.ModelID, Name: "run-1"}
	inputOf := func(p *Plan) batch.FragmentInput {
		t.Helper()
		var in batch.FragmentInput
		if err := json.Unmarshal(p.Input, &in); err != nil {
			t.Fatal(err)
		}
		return in
	}

	plan, err := Prepare(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := inputOf(plan).ModelInvocationType; got != "" {
		t.Errorf("no type given: model_invocation_type %q, want it left out", got)
	}
	if err := plan.SetModelInvocationType(batch.InvocationConverse); err != nil {
		t.Fatal(err)
	}
	if in := inputOf(plan); in.ModelInvocationType != batch.InvocationConverse || len(in.ManifestKeys) != len(plan.Manifests) {
		t.Errorf("after SetModelInvocationType: input %+v, want Converse and the %d manifest keys", in, len(plan.Manifests))
	}
	if err := plan.SetModelInvocationType("Chat"); !errors.Is(err, ErrUsage) {
		t.Errorf("SetModelInvocationType(Chat): %v, want a usage error", err)
	}

	opts.ModelInvocationType = batch.InvocationConverse
	if plan, err = Prepare(opts); err != nil {
		t.Fatal(err)
	}
	if got := inputOf(plan).ModelInvocationType; got != batch.InvocationConverse {
		t.Errorf("type given: model_invocation_type %q, want Converse", got)
	}
	opts.ModelInvocationType = "Chat"
	if _, err := Prepare(opts); !errors.Is(err, ErrUsage) {
		t.Errorf("Prepare with type Chat: %v, want a usage error", err)
	}
}
