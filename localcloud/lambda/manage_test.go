package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// zipOf builds a deployment package holding files.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A function created through the Lambda API with a zip runs the same way
// as a deployed one; UpdateFunctionCode and UpdateFunctionConfiguration
// take effect on the next invocation; GetFunction reports CodeSha256 as
// the base64 SHA-256 of the package and CodeSize its size
// (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html).
func TestFunctionsCreatedWithAZip(t *testing.T) {
	ctx := context.Background()
	_, c := newProcessLambda(t, lambda.Options{})
	v1 := zipOf(t, map[string]string{"app.py": "import os\ndef handler(event, context):\n    return {'v': 1, 'greeting': os.environ.get('GREETING')}\n"})
	created, err := c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("zipped"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: v1},
		Environment:   &types.Environment{Variables: map[string]string{"GREETING": "hello"}},
		Architectures: []types.Architecture{types.ArchitectureArm64},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(v1)
	if aws.ToString(created.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) || created.CodeSize != int64(len(v1)) ||
		len(created.Architectures) != 1 || created.Architectures[0] != types.ArchitectureArm64 {
		t.Errorf("CreateFunction answered %+v", created)
	}
	got, _ := invoke(t, c, "zipped", `{}`)
	if got["v"] != 1.0 || got["greeting"] != "hello" {
		t.Errorf("v1 answered %v", got)
	}

	_, err = c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("zipped"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: v1},
	})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("creating it twice: %v, want ResourceConflictException", err)
	}

	v2 := zipOf(t, map[string]string{"app.py": "import os\ndef handler(event, context):\n    return {'v': 2, 'greeting': os.environ.get('GREETING')}\n"})
	if _, err := c.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("zipped"), ZipFile: v2}); err != nil {
		t.Fatal(err)
	}
	if got, _ := invoke(t, c, "zipped", `{}`); got["v"] != 2.0 {
		t.Errorf("after UpdateFunctionCode: %v", got)
	}
	if _, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("zipped"), Environment: &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := invoke(t, c, "zipped", `{}`); got["v"] != 2.0 || got["greeting"] != "hi" {
		t.Errorf("after UpdateFunctionConfiguration: %v", got)
	}
	fn, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("zipped")})
	sum = sha256.Sum256(v2)
	if err != nil || aws.ToString(fn.Configuration.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) || fn.Configuration.Environment.Variables["GREETING"] != "hi" {
		t.Errorf("GetFunction: %v %+v", err, fn)
	}

	// What cannot run is refused when created, with the reason.
	_, err = c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("image"), PackageType: types.PackageTypeImage, Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Code: &types.FunctionCode{ImageUri: aws.String("000000000000.dkr.ecr.us-east-1.amazonaws.com/x:latest")},
	})
	if cloudtest.APICode(err) != "InvalidParameterValueException" {
		t.Errorf("an image function: %v", err)
	}
	_, err = c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("ruby"), Runtime: types.RuntimeRuby33, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: v1},
	})
	if cloudtest.APICode(err) != "InvalidParameterValueException" {
		t.Errorf("a ruby function: %v", err)
	}

	if _, err := c.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String("zipped")}); err != nil {
		t.Fatal(err)
	}
	var missing *types.ResourceNotFoundException
	if _, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("zipped")}); !errors.As(err, &missing) {
		t.Errorf("after DeleteFunction: %v", err)
	}
}
