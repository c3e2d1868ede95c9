package localcloud_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// A function's Environment from the template, intrinsics resolved, reaches
// its in-process handler.
func TestUserFunctionsSeeTheirTemplateEnvironment(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	c.RegisterFunction("UserApp/Greeter", lambda.HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		return []byte(`"` + lambda.Getenv(ctx, "GREETING") + " from " + lambda.Getenv(ctx, "ROLE_ARN") + `"`), nil
	}))
	res, err := c.Deploy(ctx, "testdata/userfn")
	if err != nil {
		t.Fatal(err)
	}
	out, err := awslambda.NewFromConfig(c.AWSConfig()).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(res.Find("AWS::Lambda::Function")[0].Arn())})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out.Payload); !strings.HasPrefix(got, `"hello from arn:aws:iam::000000000000:role/`) {
		t.Fatalf("the handler saw %s", got)
	}
}
