package deploy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingTarget keeps what deploy applied; it creates functions, buckets
// and state machines and only records the rest, like the local cloud.
type recordingTarget struct {
	mu      sync.Mutex
	applied []*Resolved
}

func (t *recordingTarget) Apply(_ context.Context, r *Resolved) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.applied = append(t.applied, r)
	switch r.Type {
	case "AWS::Lambda::Function", "AWS::S3::Bucket", "AWS::StepFunctions::StateMachine":
		return nil
	}
	return ErrUnsupported
}

func TestReadAssemblyOrdersStacksByDependency(t *testing.T) {
	a, err := ReadAssembly("testdata/intrinsics")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range a.Stacks {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "Base,my-app" {
		t.Fatalf("stacks = %v, want [Base my-app]", names)
	}
}

func TestDeployResolvesIntrinsics(t *testing.T) {
	a, err := ReadAssembly("testdata/intrinsics")
	if err != nil {
		t.Fatal(err)
	}
	target := &recordingTarget{}
	d := &Deployer{Env: DefaultEnv, Target: target, StateDir: t.TempDir()}
	res, err := d.Deploy(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	app := res.Resources["my-app"]
	bucket := app["Bucket"].PhysicalID
	if bucket != strings.ToLower(bucket) || len(bucket) > 63 || !strings.HasPrefix(bucket, "my-app-bucket-") {
		t.Errorf("bucket name %q: want a lowercase generated name of at most 63 characters", bucket)
	}
	fn := app["Fn"]
	code := fn.Properties["Code"].(map[string]any)
	if got := code["S3Bucket"]; got != "cdk-assets-000000000000-us-east-1" {
		t.Errorf("Fn::Sub with pseudo parameters = %v", got)
	}
	env := fn.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	if env["BUCKET"] != bucket {
		t.Errorf("Ref Bucket = %v, want %v", env["BUCKET"], bucket)
	}
	if _, ok := env["GONE"]; ok {
		t.Error("AWS::NoValue did not remove the property")
	}
	if want := filepath.Join("testdata/intrinsics", "asset.abc123"); fn.AssetPath != want {
		t.Errorf("asset path = %q, want %q", fn.AssetPath, want)
	}
	if tag := app["Bucket"].Properties["Tags"].([]any)[0].(map[string]any)["Value"]; tag != "yes" {
		t.Errorf("Fn::If on a true condition = %v, want yes", tag)
	}
	sm := app["SM"]
	var def map[string]string
	if err := json.Unmarshal([]byte(sm.Properties["DefinitionString"].(string)), &def); err != nil {
		t.Fatalf("definition string: %v", err)
	}
	if def["Resource"] != fn.Attrs["Arn"] || !strings.HasPrefix(def["Resource"], "arn:aws:lambda:us-east-1:000000000000:function:") {
		t.Errorf("Fn::Join with Fn::GetAtt = %q", def["Resource"])
	}
	if def["B"] != "aws" {
		t.Errorf("Fn::Select over Fn::Split = %q, want aws", def["B"])
	}
	wantRole := app["Role"].Attrs["Arn"] + "/${Literal}/arn:aws:s3:::" + bucket
	if sm.Properties["RoleArn"] != wantRole {
		t.Errorf("Fn::Sub with variables = %v, want %v", sm.Properties["RoleArn"], wantRole)
	}
	if got := res.Outputs["my-app"]["Machine"]; got != sm.PhysicalID || !strings.Contains(got, ":stateMachine:") {
		t.Errorf("output Machine = %q, want the state machine ARN %q", got, sm.PhysicalID)
	}
	// Every referenced resource was applied before the one referencing it.
	pos := map[string]int{}
	for i, r := range target.applied {
		pos[r.LogicalID] = i
	}
	if !(pos["Role"] < pos["Fn"] && pos["Fn"] < pos["SM"] && pos["Bucket"] < pos["SM"]) {
		t.Errorf("apply order %v does not follow references", pos)
	}
}

func TestRedeployUnchangedReportsNoChange(t *testing.T) {
	a, err := ReadAssembly("testdata/intrinsics")
	if err != nil {
		t.Fatal(err)
	}
	d := &Deployer{Env: DefaultEnv, Target: &recordingTarget{}, StateDir: t.TempDir()}
	first, err := d.Deploy(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range first.Changes {
		if c.Action != Created && c.Action != Recorded {
			t.Errorf("first deploy: %s %s", c.LogicalID, c.Action)
		}
	}
	second, err := d.Deploy(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range second.Changes {
		if c.Action != Unchanged {
			t.Errorf("second deploy of an unchanged assembly: %s %s", c.LogicalID, c.Action)
		}
	}
	a.Stacks[1].Template.Resources["Bucket"].Properties["Tags"] = []any{}
	third, err := d.Deploy(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range third.Changes {
		want := Unchanged
		if c.LogicalID == "Bucket" {
			want = Updated
		}
		if c.Stack == "my-app" && (c.LogicalID == "Bucket" || c.LogicalID == "Role") && c.Action != want {
			t.Errorf("after changing the bucket: %s %s, want %s", c.LogicalID, c.Action, want)
		}
	}
}

func TestDeployErrorsNameTheResource(t *testing.T) {
	s := &Stack{Name: "S", Template: Template{Resources: map[string]Resource{
		"A": {Type: "AWS::S3::Bucket", Properties: map[string]any{"X": map[string]any{"Ref": "Missing"}}},
	}}}
	d := &Deployer{Env: DefaultEnv, Target: &recordingTarget{}}
	_, err := d.Deploy(context.Background(), &Assembly{Stacks: []*Stack{s}})
	if err == nil || !strings.Contains(err.Error(), "Missing") || !strings.Contains(err.Error(), "A.X") {
		t.Fatalf("err = %v, want it to name the property A.X and the unknown Missing", err)
	}
}

// Without asset metadata (the CDK writes it only when its CLI asks), a
// function's code asset is found by the S3 key the CDK gives it: the
// asset's hash from the assembly's asset manifest, plus ".zip".
func TestFunctionAssetFoundByItsS3Key(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"manifest.json", "App.assets.json", "Base.template.json"} {
		copyFile(t, filepath.Join("testdata/intrinsics", f), filepath.Join(dir, f))
	}
	raw, err := os.ReadFile("testdata/intrinsics/App.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	delete(tmpl["Resources"].(map[string]any)["Fn"].(map[string]any), "Metadata")
	raw, _ = json.Marshal(tmpl)
	if err := os.WriteFile(filepath.Join(dir, "App.template.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := ReadAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Deployer{Env: DefaultEnv, Target: &recordingTarget{}}).Deploy(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Resources["my-app"]["Fn"].AssetPath, filepath.Join(dir, "asset.abc123"); got != want {
		t.Errorf("asset path = %q, want %q", got, want)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
