package localcloud_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	brtypes "github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// A state machine invokes a model through Step Functions' optimized Bedrock
// integration: Parameters ModelId (here a foundation model ARN, as the CDK
// renders it) and Body, and a result of Body (the model's response, as
// JSON) and ContentType
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-bedrock.html).
// A model the runtime rejects fails the state with the error named
// Bedrock.<code>; the S3 Input option is refused with a clear cause.
func TestStepFunctionsBedrockInvokeModel(t *testing.T) {
	c := newCloud(t)
	sf := sfn.NewFromConfig(c.AWSConfig())
	def := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::bedrock:invokeModel",
	  "Parameters":{"ModelId":"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
	    "Body":{"inputText.$":"$.prompt","textGenerationConfig":{"maxTokenCount":100}}},
	  "ResultSelector":{"text.$":"$.Body.results[0].outputText","type.$":"$.ContentType"},"End":true}}}`
	desc := runMachine(t, sf, "ask", def, `{"prompt":"Name five colours."}`)
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	var out struct{ Text, Type string }
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Text, `Simulated answer to "Name five colours."`) || out.Type != "application/json" {
		t.Fatalf("output %s", aws.ToString(desc.Output))
	}

	bad := strings.Replace(def, "amazon.titan-text-express-v1", "acme.nothing-v1", 1)
	desc = runMachine(t, sf, "ask-unknown", bad, `{"prompt":"x"}`)
	if desc.Status != sfntypes.ExecutionStatusFailed || aws.ToString(desc.Error) != "Bedrock.ValidationException" ||
		aws.ToString(desc.Cause) != "The provided model identifier is invalid." {
		t.Fatalf("unknown model: %s %s %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}

	fromS3 := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::bedrock:invokeModel",
	  "Parameters":{"ModelId":"amazon.titan-text-express-v1","Input":{"S3Uri":"s3://in/prompt.json"}},"End":true}}}`
	desc = runMachine(t, sf, "ask-s3", fromS3, `{}`)
	if desc.Status != sfntypes.ExecutionStatusFailed || !strings.Contains(aws.ToString(desc.Cause), "Input and Output S3 locations are not served") {
		t.Fatalf("S3 input: %s %s %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
}

// The runtime and the control plane share the cloud's one endpoint and the
// "bedrock" signing name the SDKs use for both (botocore's bedrock-runtime
// model: endpointPrefix bedrock-runtime, signingName bedrock).
func TestRuntimeBesideControlPlane(t *testing.T) {
	c := newCloud(t)
	cfg := c.AWSConfig()
	ctx := context.Background()
	out, err := bedrockruntime.NewFromConfig(cfg).Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId:  aws.String("us.anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: converseMessages("Is the local runtime up?")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Usage == nil || aws.ToInt32(out.Usage.OutputTokens) == 0 {
		t.Fatalf("usage %+v", out.Usage)
	}
	if _, err := bedrock.NewFromConfig(cfg).ListModelInvocationJobs(ctx, &bedrock.ListModelInvocationJobsInput{}); err != nil {
		t.Fatalf("the control plane beside the runtime: %v", err)
	}
}

func converseMessages(text string) []brtypes.Message {
	return []brtypes.Message{{Role: brtypes.ConversationRoleUser, Content: []brtypes.ContentBlock{&brtypes.ContentBlockMemberText{Value: text}}}}
}
