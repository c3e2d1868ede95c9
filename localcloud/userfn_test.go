package localcloud_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// A user's own function runs the Go handler registered for it; a deployed
// function without one fails with a message saying how to register it.
func TestUserFunctionsRunRegisteredHandlers(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	c.RegisterFunction("UserApp/Greeter", lambda.HandlerFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		return []byte(`{"greeting":"hello ` + strings.Trim(string(payload), `"`) + `"}`), nil
	}))
	res, err := c.Deploy(ctx, "testdata/userfn")
	if err != nil {
		t.Fatal(err)
	}
	fns := res.Find("AWS::Lambda::Function")
	if len(fns) != 2 {
		t.Fatalf("deployed %d functions, want 2", len(fns))
	}
	lc := awslambda.NewFromConfig(c.AWSConfig())
	out, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fns[0].Arn()), Payload: []byte(`"world"`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil || string(out.Payload) != `{"greeting":"hello world"}` {
		t.Errorf("Greeter answered %s (function error %v)", out.Payload, aws.ToString(out.FunctionError))
	}
	out, err = lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fns[1].PhysicalID), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError == nil || !strings.Contains(string(out.Payload), "RegisterFunction") || !strings.Contains(string(out.Payload), "Unwired") {
		t.Errorf("a function without a handler answered %s; want an error naming it and RegisterFunction", out.Payload)
	}

	// A handler registered with the Lambda service itself survives a
	// redeployment that has none for the function.
	c.Lambda.Register(fns[1].PhysicalID, lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`"direct"`), nil }))
	if _, err := c.Deploy(ctx, "testdata/userfn"); err != nil {
		t.Fatal(err)
	}
	out, err = lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fns[1].PhysicalID), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil || string(out.Payload) != `"direct"` {
		t.Errorf("after redeploying, the directly registered handler answered %s (function error %v)", out.Payload, aws.ToString(out.FunctionError))
	}
}
