package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	awslambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestErrorTypesAsTheGoRuntime checks that a failing aws-lambda-go handler
// reports the errorType the Lambda Go runtime gives it on AWS: the Type of
// an InvokeResponse_Error, the Go type name of any other error (wrapError
// for fmt.Errorf with %w, errorString for errors.New), the panic value's
// type for a panic.
func TestErrorTypesAsTheGoRuntime(t *testing.T) {
	ctx := context.Background()
	svc, c := newLambda(t, t.TempDir())
	register := func(name string, fn any) { svc.Register(name, awslambdago.NewHandler(fn)) }
	register("named", func(context.Context, json.RawMessage) error {
		return messages.InvokeResponse_Error{Type: "ThrottlingException", Message: "slow down"}
	})
	register("wrapped", func(context.Context, json.RawMessage) error {
		return fmt.Errorf("read job: %w", errors.New("gone"))
	})
	register("plain", func(context.Context, json.RawMessage) error { return errors.New("plain") })
	register("panics", func(context.Context, json.RawMessage) error { panic("boom") })
	register("typed", func(context.Context, struct{ N int }) error { return nil })

	for name, want := range map[string][2]string{
		"named":   {"ThrottlingException", "slow down"},
		"wrapped": {"wrapError", "read job: gone"},
		"plain":   {"errorString", "plain"},
		"panics":  {"string", "boom"},
		"typed":   {"UnmarshalTypeError", ""},
	} {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"N":"x"}`)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var doc struct{ ErrorMessage, ErrorType string }
		if err := json.Unmarshal(out.Payload, &doc); err != nil {
			t.Fatalf("%s: payload %s: %v", name, out.Payload, err)
		}
		if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != want[0] || (want[1] != "" && doc.ErrorMessage != want[1]) {
			t.Errorf("%s: FunctionError %v, errorType %q, errorMessage %q; want %q, %q",
				name, aws.ToString(out.FunctionError), doc.ErrorType, doc.ErrorMessage, want[0], want[1])
		}
	}
}
