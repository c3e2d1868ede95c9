package localrun_test

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

// A local run bundles the app's own functions as a deployment does: a
// NodejsFunction in TypeScript is bundled by this machine's esbuild (the
// CDK's local bundling, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html#local-bundling)
// and runs from its bundle.
func TestLocalRunBundlesTheAppsFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes an app: skipped with -short")
	}
	if _, err := exec.LookPath("esbuild"); err != nil {
		t.Skip("esbuild is not installed (npm install -g esbuild; .ci/run installs it)")
	}
	t.Setenv("BUNDLEDAPP", "nodejs")
	dir := filepath.Join(t.TempDir(), "cdk.out")
	if err := localrun.Synthesize(context.Background(), "go run ./testdata/bundledapp", dir, localrun.LocalContext()); err != nil {
		t.Fatal(err)
	}
	cloud, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()
	res, err := cloud.Deploy(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	fns := res.Find("AWS::Lambda::Function")
	if len(fns) != 1 {
		t.Fatalf("%d functions deployed, want 1", len(fns))
	}
	out, err := awslambda.NewFromConfig(cloud.AWSConfig()).Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName: aws.String(fns[0].PhysicalID), Payload: []byte(`{"name":"batch"}`),
	})
	if err != nil || out.FunctionError != nil || string(out.Payload) != `{"message":"hello, batch"}` {
		t.Fatalf("the bundled function answered %s (%v)", out.Payload, err)
	}
}

// A function whose asset only a Docker container bundles fails the local
// run with a message that names it and says what to do.
func TestDockerOnlyBundlingIsNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes an app: skipped with -short")
	}
	t.Setenv("BUNDLEDAPP", "docker")
	// No Docker daemon is reachable here; should one be, the app bundles.
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	err := localrun.Synthesize(context.Background(), "go run ./testdata/bundledapp", filepath.Join(t.TempDir(), "cdk.out"), localrun.LocalContext())
	if err == nil || !strings.Contains(err.Error(), "BundledApp/Containerized is bundled with Docker") || !strings.Contains(err.Error(), "lambda.Code_FromAsset") {
		t.Fatalf("synthesis: %v; want an error naming BundledApp/Containerized and Docker", err)
	}
}
