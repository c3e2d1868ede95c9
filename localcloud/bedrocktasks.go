package localcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// bedrockTasks runs Step Functions' optimized Bedrock integration,
// arn:aws:states:::bedrock:invokeModel, through the local Bedrock
// runtime's InvokeModel, taking the Parameters and answering with the shape
// the developer guide documents
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-bedrock.html):
// {"Body": <the model's response>, "ContentType": "application/json"}.
type bedrockTasks struct{ client *bedrockruntime.Client }

const bedrockInvokeModel = "arn:aws:states:::bedrock:invokeModel"

// serves takes the resource with any pattern suffix, so that Invoke can
// say which patterns there are.
func (t bedrockTasks) serves(resource string) bool {
	return resource == bedrockInvokeModel || strings.HasPrefix(resource, bedrockInvokeModel+".")
}

// bedrockTaskParams are the integration's Parameters.
type bedrockTaskParams struct {
	ModelID     string `json:"ModelId"`
	Body        json.RawMessage
	ContentType string
	Accept      string
	Input       json.RawMessage
	Output      json.RawMessage
}

func (t bedrockTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	if call.Pattern != asl.PatternRequestResponse {
		return nil, badParameters(call, "bedrock:invokeModel has only the request-response pattern; use the resource without a suffix")
	}
	var p bedrockTaskParams
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, badParameters(call, "Parameters are not an object of ModelId, Body, ContentType and Accept: %v", err)
	}
	if len(p.Input) > 0 || len(p.Output) > 0 {
		return nil, badParameters(call, "the Input and Output S3 locations are not served by the local cloud; pass the request as Body and read the answer from the result's Body")
	}
	if p.ModelID == "" {
		return nil, badParameters(call, "Parameters need a ModelId: a model id or ARN such as amazon.nova-lite-v1:0")
	}
	if len(p.Body) == 0 {
		return nil, badParameters(call, "Parameters need a Body: the model's request body, as JSON")
	}
	// A string Body is sent as is; any other JSON value is the body itself.
	body := []byte(p.Body)
	var s string
	if json.Unmarshal(p.Body, &s) == nil {
		body = []byte(s)
	}
	in := &bedrockruntime.InvokeModelInput{ModelId: aws.String(p.ModelID), Body: body, ContentType: aws.String("application/json")}
	if p.ContentType != "" {
		in.ContentType = aws.String(p.ContentType)
	}
	if p.Accept != "" {
		in.Accept = aws.String(p.Accept)
	}
	out, err := t.client.InvokeModel(ctx, in)
	if err != nil {
		return nil, taskError("Bedrock", err)
	}
	if !json.Valid(out.Body) {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf("state %s: the model's response is not JSON", call.StateName)}
	}
	return json.Marshal(struct {
		Body        json.RawMessage
		ContentType string
	}{out.Body, aws.ToString(out.ContentType)})
}
