package localcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// dynamodbTasks runs Step Functions' optimized integrations with DynamoDB
// — putItem, getItem, updateItem and deleteItem — as the developer guide
// documents them
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html):
// the Parameters are the API request, whose members already have the
// capitalized names of DynamoDB's JSON protocol, so they travel to the
// local DynamoDB as the request body (JSON 1.0, as the SDK sends it);
// the answer is the API's response with the SDK metadata the optimized
// integrations add, and a service error fails the task as
// DynamoDB.<error code>.
type dynamodbTasks struct {
	client   *http.Client
	endpoint string
}

// dynamodbOperations maps the integrations' resources to the API's
// operations.
var dynamodbOperations = map[string]string{
	"arn:aws:states:::dynamodb:putItem":    "PutItem",
	"arn:aws:states:::dynamodb:getItem":    "GetItem",
	"arn:aws:states:::dynamodb:updateItem": "UpdateItem",
	"arn:aws:states:::dynamodb:deleteItem": "DeleteItem",
}

func (t dynamodbTasks) serves(resource string) bool {
	_, ok := dynamodbOperations[resource]
	return ok
}

func (t dynamodbTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	op := dynamodbOperations[call.Resource]
	var params map[string]json.RawMessage
	if err := json.Unmarshal(call.Input, &params); err != nil || params["TableName"] == nil {
		return nil, badParameters(call, "Parameters need a TableName and the other members of DynamoDB's %s request", op)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint+"/", bytes.NewReader(call.Input))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		// The error document names its type after a '#', and its message
		// as "message" or "Message" (json matches either).
		var e struct {
			Type    string `json:"__type"`
			Message string
		}
		_ = json.Unmarshal(body, &e)
		code := e.Type[strings.LastIndex(e.Type, "#")+1:]
		if code == "" {
			code = fmt.Sprintf("HTTP%d", resp.StatusCode)
		}
		return nil, &asl.Error{Name: "DynamoDB." + code, Cause: e.Message}
	}
	out := map[string]any{}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("dynamodb %s answered %q: %w", op, body, err)
	}
	id := resp.Header.Get("x-amzn-RequestId")
	out["SdkHttpMetadata"] = map[string]any{"HttpStatusCode": resp.StatusCode, "HttpHeaders": map[string]string{"x-amzn-RequestId": id}}
	out["SdkResponseMetadata"] = map[string]any{"RequestId": id}
	return json.Marshal(out)
}

func newDynamoDBTasks(cfg aws.Config) dynamodbTasks {
	client, _ := cfg.HTTPClient.(*http.Client)
	return dynamodbTasks{client: client, endpoint: aws.ToString(cfg.BaseEndpoint)}
}
