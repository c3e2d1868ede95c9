package localcloud_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// A user's own function runs its deployed code (the asset of the
// assembly) in a process of its own, with its template environment, its
// intrinsics resolved; a Go handler registered for it wins.
func TestUserFunctionsRunTheirDeployedCode(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	res, err := c.Deploy(ctx, "testdata/userfn")
	if err != nil {
		t.Fatal(err)
	}
	fn := res.Find("AWS::Lambda::Function")[0]
	lc := awslambda.NewFromConfig(c.AWSConfig())
	out, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fn.Arn()), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out.Payload); !strings.HasPrefix(got, `"hello from arn:aws:iam::000000000000:role/`) || out.FunctionError != nil {
		t.Fatalf("the function answered %s", got)
	}

	c.RegisterFunction("UserApp/Greeter", lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`"in-process"`), nil }))
	if _, err := c.Deploy(ctx, "testdata/userfn"); err != nil {
		t.Fatal(err)
	}
	out, err = lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fn.PhysicalID), Payload: []byte(`{}`)})
	if err != nil || string(out.Payload) != `"in-process"` {
		t.Errorf("with a registered handler the function answered %s (%v)", out.Payload, err)
	}
}

// An error a function throws reaches Step Functions with the errorType
// the runtime reports, so a Catch on that name takes it
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-examples).
func TestThrownErrorReachesCatch(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	res, err := c.Deploy(ctx, "testdata/userfn")
	if err != nil {
		t.Fatal(err)
	}
	machine := res.Find("AWS::StepFunctions::StateMachine")[0].PhysicalID
	client := sfn.NewFromConfig(c.AWSConfig())
	run := func(input string) *sfn.DescribeExecutionOutput {
		start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(input)})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != sfntypes.ExecutionStatusRunning {
				return d
			}
		}
		t.Fatal("the execution did not finish")
		return nil
	}
	d := run(`{"fail":"batch-1"}`)
	var out struct {
		Error struct{ Error, Cause string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(aws.ToString(d.Output)), &out)
	if d.Status != sfntypes.ExecutionStatusSucceeded || out.Error.Error != "QuotaError" || !strings.Contains(out.Error.Cause, "out of quota for batch-1") {
		t.Errorf("the execution ended %s with %s; want the Catch to take QuotaError", d.Status, aws.ToString(d.Output))
	}
	if d := run(`{}`); d.Status != sfntypes.ExecutionStatusSucceeded || !strings.Contains(aws.ToString(d.Output), "hello from") {
		t.Errorf("without failing: %s %s", d.Status, aws.ToString(d.Output))
	}
}

// A function the local cloud cannot run fails the deployment with a
// message naming it and saying why, rather than its first invocation.
func TestDeployRefusesFunctionsItCannotRun(t *testing.T) {
	for name, tc := range map[string]struct{ props, want string }{
		"java":    {`"Runtime": "java21", "Handler": "a.B::handle", "Code": {"S3Bucket": "b", "S3Key": "k"}`, "runtime java21"},
		"image":   {`"PackageType": "Image", "Code": {"ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/x:1"}`, "container image"},
		"no code": {`"Runtime": "provided.al2023", "Handler": "bootstrap", "Code": {"S3Bucket": "b", "S3Key": "k"}`, "not an asset of the cloud assembly"},
		"layers": {`"Runtime": "python3.12", "Handler": "index.handler", "Code": {"ZipFile": "def handler(e, c): pass"},
			"Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:tools:3"]`, "its Layers"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			asset := ""
			if name == "java" {
				asset = `, "aws:asset:path": "asset.java"`
				if err := os.MkdirAll(filepath.Join(dir, "asset.java"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write(t, filepath.Join(dir, "manifest.json"), `{"version": "48.0.0", "artifacts": {"App": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}}}}`)
			write(t, filepath.Join(dir, "App.template.json"), `{"Resources": {"Legacy": {"Type": "AWS::Lambda::Function",
				"Properties": {"Role": "arn:aws:iam::000000000000:role/r", `+tc.props+`},
				"Metadata": {"aws:cdk:path": "App/Legacy/Resource"`+asset+`}}}}`)
			_, err := newCloud(t).Deploy(context.Background(), dir)
			if err == nil || !strings.Contains(err.Error(), "Legacy (App/Legacy)") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("deploy: %v; want an error naming Legacy (App/Legacy) and saying %q", err, tc.want)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
