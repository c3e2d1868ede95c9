package asl

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// fakeFunctions is a Lambda service with one function per name.
type fakeFunctions map[string]func(payload []byte) LambdaResponse

func (f fakeFunctions) InvokeFunction(_ context.Context, req LambdaRequest) (LambdaResponse, error) {
	fn, ok := f[req.FunctionName]
	if !ok {
		return LambdaResponse{}, &Error{Name: "Lambda.ResourceNotFoundException", Cause: "Function not found: " + req.FunctionName}
	}
	return fn(req.Payload), nil
}

func TestLambdaInvokerShapesResultsLikeStepFunctions(t *testing.T) {
	fns := fakeFunctions{
		"double": func(p []byte) LambdaResponse {
			var in struct{ N int }
			_ = json.Unmarshal(p, &in)
			b, _ := json.Marshal(map[string]int{"n": in.N * 2})
			return LambdaResponse{Payload: b, RequestID: "req-1"}
		},
		"arn:aws:lambda:us-east-1:123456789012:function:double": func(p []byte) LambdaResponse {
			return LambdaResponse{Payload: []byte(`{"echo":` + string(p) + `}`)}
		},
		"boom": func([]byte) LambdaResponse {
			return LambdaResponse{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"ValueError","errorMessage":"bad n"}`)}
		},
		"crash": func([]byte) LambdaResponse {
			return LambdaResponse{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"Runtime exited"}`)}
		},
	}
	inv := &LambdaInvoker{Functions: fns, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	ctx := context.Background()

	out, err := inv.Invoke(ctx, TaskCall{Resource: "arn:aws:states:::lambda:invoke", Input: json.RawMessage(`{"FunctionName":"double","Payload":{"N":21}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct {
		ExecutedVersion string
		Payload         map[string]int
		StatusCode      int
		SdkHttpMetadata struct {
			HttpStatusCode int
			HttpHeaders    map[string]string
		}
		SdkResponseMetadata struct{ RequestId string }
	}
	if err := json.Unmarshal(out, &wrapped); err != nil {
		t.Fatal(err)
	}
	if wrapped.ExecutedVersion != "$LATEST" || wrapped.Payload["n"] != 42 || wrapped.StatusCode != 200 ||
		wrapped.SdkHttpMetadata.HttpStatusCode != 200 || wrapped.SdkResponseMetadata.RequestId != "req-1" ||
		wrapped.SdkHttpMetadata.HttpHeaders["x-amzn-RequestId"] != "req-1" {
		t.Errorf("wrapped result %s", out)
	}

	out, err = inv.Invoke(ctx, TaskCall{Resource: "arn:aws:lambda:us-east-1:123456789012:function:double", Input: json.RawMessage(`{"a":1}`)})
	if err != nil || string(out) != `{"echo":{"a":1}}` {
		t.Errorf("bare ARN: %s %v, want the function's own response", out, err)
	}

	_, err = inv.Invoke(ctx, TaskCall{Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Input: json.RawMessage(`{"FunctionName":"boom"}`)})
	var se *Error
	if !errors.As(err, &se) || se.Name != "ValueError" || se.Cause != `{"errorType":"ValueError","errorMessage":"bad n"}` {
		t.Errorf("function error: %v, want ValueError with the error document as cause", err)
	}
	_, err = inv.Invoke(ctx, TaskCall{Resource: "arn:aws:states:::lambda:invoke", Input: json.RawMessage(`{"FunctionName":"crash"}`)})
	if !errors.As(err, &se) || se.Name != "Lambda.Unknown" {
		t.Errorf("error without errorType: %v, want Lambda.Unknown", err)
	}
	_, err = inv.Invoke(ctx, TaskCall{Resource: "arn:aws:states:::lambda:invoke", Input: json.RawMessage(`{"FunctionName":"nope"}`)})
	if !errors.As(err, &se) || se.Name != "Lambda.ResourceNotFoundException" {
		t.Errorf("unknown function: %v", err)
	}
	_, err = inv.Invoke(ctx, TaskCall{Resource: "arn:aws:states:::sqs:sendMessage", StateName: "Q"})
	if !errors.As(err, &se) || se.Name != ErrTaskFailed {
		t.Errorf("unsupported resource without Next: %v", err)
	}
}

func TestLambdaFunctionErrorIsCaughtByItsErrorType(t *testing.T) {
	fns := fakeFunctions{"boom": func([]byte) LambdaResponse {
		return LambdaResponse{FunctionError: "Handled", Payload: []byte(`{"errorType":"JobFailed","errorMessage":"no"}`)}
	}}
	e := NewEngine(Options{Invoker: &LambdaInvoker{Functions: fns}})
	arn := mustStart(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"boom"},
	  "Catch":[{"ErrorEquals":["JobFailed"],"ResultPath":"$.err","Next":"Caught"}],"End":true},"Caught":{"Type":"Pass","OutputPath":"$.err.Error","End":true}}}`, `{}`)
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `"JobFailed"`)
}
