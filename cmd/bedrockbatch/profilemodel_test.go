package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/httpapi"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// An application inference profile ARN does not name its model; Bedrock's
// GetInferenceProfile lists the foundation models it routes to
// (models[].modelArn), and --profile-model names the model where Bedrock
// cannot be asked.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html
const appProfileARN = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"

// noAWS leaves the command without an AWS region or credentials, as on a
// machine that is offline or not signed in.
func noAWS(t *testing.T) {
	t.Helper()
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestPrepareValidateWithProfileModel(t *testing.T) {
	noAWS(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "rows.csv")
	var sb strings.Builder
	sb.WriteString("id,text\n")
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&sb, "r%d,text %d\n", i, i)
	}
	os.WriteFile(src, []byte(sb.String()), 0o644)
	manifests := filepath.Join(dir, "m")
	const claude = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
	out, err := run(t, "prepare", src, "--model", appProfileARN, "--profile-model", claude, "--prompt", "{{.text}}", "--out", manifests)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"for " + appProfileARN + " (" + model.FamilyAnthropic.String(),
		"--model " + appProfileARN + " --profile-model " + claude,
		"local run --input " + manifests + " --model " + appProfileARN + " --inference-profile " + appProfileARN + "=" + claude,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("prepare's output lacks %q:\n%s", want, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(manifests, "*.jsonl"))
	if len(files) == 0 {
		t.Fatalf("no manifests in %s", manifests)
	}
	first, _ := os.ReadFile(files[0])
	var rec struct {
		ModelInput map[string]any `json:"modelInput"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(string(first), "\n", 2)[0]), &rec); err != nil {
		t.Fatal(err)
	}
	// Claude's Messages bodies carry anthropic_version.
	if _, ok := rec.ModelInput["anthropic_version"]; !ok {
		t.Errorf("the records are not in the profile model's format: %v", rec.ModelInput)
	}

	out, err = run(t, "validate", manifests, "--model", appProfileARN, "--profile-model", claude)
	if err != nil || !strings.Contains(out, "would be accepted for "+appProfileARN) {
		t.Errorf("validate with the profile's model: %v\n%s", err, out)
	}
	// Checked against the family --profile-model names: Claude bodies are
	// not Nova requests.
	if out, err := run(t, "validate", manifests, "--model", appProfileARN, "--profile-model", "amazon.nova-pro-v1:0"); exitCode(err) != 1 {
		t.Errorf("validate as Nova: exit %v\n%s", err, out)
	}
	_, err = run(t, "validate", manifests, "--model", appProfileARN)
	if err == nil || !strings.Contains(err.Error(), "--profile-model MODEL") || !strings.Contains(err.Error(), "bedrock:GetInferenceProfile") {
		t.Errorf("validate offline without --profile-model: %v", err)
	}
}

// The profile is priced as its model: the published Nova Pro example (see
// TestCostNovaProExample) costs the same through a profile.
func TestCostWithProfileModel(t *testing.T) {
	noAWS(t)
	args := []string{"cost", "--records", "30000", "--input-tokens", "10000", "--output-tokens", "1000", "--model", appProfileARN}
	out, err := run(t, append(args, "--profile-model", "us.amazon.nova-pro-v1:0")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"(" + appProfileARN + ")", "batch         $168.00", "on-demand     $336.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "--profile-model MODEL") {
		t.Errorf("cost offline without --profile-model: %v", err)
	}
	if _, err := run(t, "cost", "--records", "1", "--input-tokens", "1", "--output-tokens", "1", "--model", "amazon.nova-pro-v1:0", "--profile-model", "amazon.nova-lite-v1:0"); err == nil || !strings.Contains(err.Error(), "leave it out") {
		t.Errorf("--profile-model with a model id: %v", err)
	}
}

// Without --profile-model, cost asks the Bedrock AWS_ENDPOINT_URL points
// at: here the local cloud's, told of the profile as local run's
// --inference-profile does.
func TestCostAsksBedrockForProfileModel(t *testing.T) {
	noAWS(t)
	root := t.TempDir()
	sim, err := backend.NewSim(backend.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := bedrock.New(bedrock.Config{
		DataDir:           root + "/data",
		Store:             bedrock.NewS3Store(cloudtest.S3(t, root+"/s3", "inbox")),
		Backends:          func(model.ID) (backend.Backend, error) { return sim, nil },
		Account:           "111122223333",
		InferenceProfiles: map[string]string{appProfileARN: "us.amazon.nova-pro-v1:0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewHandler(e, nil))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = e.Close() })
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local-secret")
	out, err := run(t, "cost", "--records", "30000", "--input-tokens", "10000", "--output-tokens", "1000", "--model", appProfileARN)
	if err != nil || !strings.Contains(out, "batch         $168.00") {
		t.Errorf("cost through GetInferenceProfile: %v\n%s", err, out)
	}
	other := strings.Replace(appProfileARN, "a1b2c3d4e5f6", "zzzzzzzzzzzz", 1)
	_, err = run(t, "cost", "--records", "1", "--input-tokens", "1", "--output-tokens", "1", "--model", other)
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || !strings.Contains(err.Error(), "--profile-model") {
		t.Errorf("a profile Bedrock does not know: %v", err)
	}
}
