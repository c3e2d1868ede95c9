package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LambdaFunctions invokes Lambda functions: the part of a Lambda service
// that Task states need. function is a name, a full or partial ARN, with an
// optional ":qualifier".
type LambdaFunctions interface {
	InvokeFunction(ctx context.Context, req LambdaRequest) (LambdaResponse, error)
}

// LambdaRequest is one Lambda Invoke call.
type LambdaRequest struct {
	FunctionName   string
	Qualifier      string
	InvocationType string // RequestResponse (default), Event or DryRun
	ClientContext  string
	Payload        []byte
}

// LambdaResponse is what Lambda's Invoke returns.
type LambdaResponse struct {
	StatusCode int // default 200 (202 for Event, 204 for DryRun)
	// FunctionError is "Unhandled" or "Handled" when the function failed;
	// Payload then holds its error document
	// {"errorType": …, "errorMessage": …}.
	FunctionError   string
	ExecutedVersion string // default "$LATEST"
	RequestID       string
	Payload         []byte
}

// LambdaInvoker runs the Lambda Task resources the way Step Functions does:
// "arn:aws:states:::lambda:invoke" (and its .waitForTaskToken form), whose
// Parameters carry FunctionName and Payload and whose result wraps the
// function's response with ExecutedVersion, StatusCode and SDK metadata;
// and a bare function ARN as Resource, whose input is the payload and whose
// result is the function's response. A function error fails the task with
// the error document's errorType as the error name (Lambda.Unknown when it
// has none) and the document as the cause. Other resources go to Next.
type LambdaInvoker struct {
	Functions LambdaFunctions
	Next      Invoker
	// Now stamps the Date header of the SDK metadata; default time.Now.
	Now func() time.Time
}

// Invoke implements Invoker.
func (l *LambdaInvoker) Invoke(ctx context.Context, call TaskCall) (json.RawMessage, error) {
	res := strings.TrimSuffix(call.Resource, ".waitForTaskToken")
	switch {
	case res == "arn:aws:states:::lambda:invoke":
		return l.invokeIntegration(ctx, call)
	case strings.HasPrefix(call.Resource, "arn:aws:lambda:") && strings.Contains(call.Resource, ":function:"):
		resp, err := l.Functions.InvokeFunction(ctx, LambdaRequest{FunctionName: call.Resource, Payload: call.Input})
		if err != nil {
			return nil, lambdaServiceError(err)
		}
		if resp.FunctionError != "" {
			return nil, lambdaFunctionError(resp.Payload)
		}
		if len(resp.Payload) == 0 {
			return json.RawMessage("null"), nil
		}
		return resp.Payload, nil
	}
	if l.Next == nil {
		return nil, &Error{Name: ErrTaskFailed, Cause: fmt.Sprintf("the resource %s of the Task state %q is not supported", call.Resource, call.StateName)}
	}
	return l.Next.Invoke(ctx, call)
}

func (l *LambdaInvoker) invokeIntegration(ctx context.Context, call TaskCall) (json.RawMessage, error) {
	var p struct {
		FunctionName   string          `json:"FunctionName"`
		Qualifier      string          `json:"Qualifier"`
		InvocationType string          `json:"InvocationType"`
		ClientContext  string          `json:"ClientContext"`
		Payload        json.RawMessage `json:"Payload"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("the Parameters of the Task state %q must be an object with FunctionName: %v", call.StateName, err)}
	}
	if p.FunctionName == "" {
		return nil, &Error{Name: "Lambda.InvalidParameterValueException", Cause: fmt.Sprintf("the Task state %q gives no FunctionName in its Parameters", call.StateName)}
	}
	payload := []byte(p.Payload)
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	resp, err := l.Functions.InvokeFunction(ctx, LambdaRequest{
		FunctionName: p.FunctionName, Qualifier: p.Qualifier, InvocationType: p.InvocationType,
		ClientContext: p.ClientContext, Payload: payload,
	})
	if err != nil {
		return nil, lambdaServiceError(err)
	}
	if resp.FunctionError != "" {
		return nil, lambdaFunctionError(resp.Payload)
	}
	return l.wrap(resp, p.InvocationType), nil
}

// wrap builds the optimized integration's result around a response.
func (l *LambdaInvoker) wrap(resp LambdaResponse, invocationType string) json.RawMessage {
	status := resp.StatusCode
	if status == 0 {
		switch invocationType {
		case "Event":
			status = 202
		case "DryRun":
			status = 204
		default:
			status = 200
		}
	}
	version := resp.ExecutedVersion
	if version == "" {
		version = "$LATEST"
	}
	reqID := resp.RequestID
	if reqID == "" {
		reqID = newUUID()
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	var payload any = ""
	if len(resp.Payload) > 0 {
		if v, err := decodeValue(resp.Payload); err == nil {
			payload = v
		} else {
			payload = string(resp.Payload)
		}
	}
	headers := map[string]string{
		"Connection":                     "keep-alive",
		"Content-Length":                 strconv.Itoa(len(resp.Payload)),
		"Content-Type":                   "application/json",
		"Date":                           now().UTC().Format(time.RFC1123),
		"X-Amz-Executed-Version":         version,
		"x-amzn-Remapped-Content-Length": "0",
		"x-amzn-RequestId":               reqID,
		"X-Amzn-Trace-Id":                "Root=1-" + strings.ReplaceAll(newUUID(), "-", "")[:8] + "-" + strings.ReplaceAll(newUUID(), "-", "")[:24],
	}
	all := map[string]any{}
	single := map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
		single[k] = v
	}
	out := map[string]any{
		"ExecutedVersion": version,
		"Payload":         payload,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all,
			"HttpHeaders":    single,
			"HttpStatusCode": intValue(int64(status)),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
		"StatusCode":          intValue(int64(status)),
	}
	return encodeValue(out)
}

// lambdaFunctionError turns a function's error document into a task error.
func lambdaFunctionError(payload []byte) *Error {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	name := "Lambda.Unknown"
	if json.Unmarshal(payload, &doc) == nil && doc.ErrorType != "" {
		name = doc.ErrorType
	}
	cause := string(payload)
	if v, err := decodeValue(payload); err == nil {
		cause = encodeText(v)
	}
	return &Error{Name: name, Cause: cause}
}

// lambdaServiceError names a failed Invoke call: an *Error passes as is (a
// Lambda service can name its exceptions, e.g.
// Lambda.ResourceNotFoundException); anything else is
// Lambda.ServiceException.
func lambdaServiceError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return &Error{Name: "Lambda.ServiceException", Cause: err.Error()}
}
