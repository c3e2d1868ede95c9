package localcloud_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// A state machine puts, gets, updates and deletes an item through the
// DynamoDB optimized integrations; each answers with the API's response
// (Item, Attributes) and the SDK metadata, and a failed condition fails
// the task as DynamoDB.ConditionalCheckFailedException
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
func TestStepFunctionsDynamoDBIntegrations(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	cfg := c.AWSConfig()
	if _, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("jobs"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Put","States":{
	  "Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
	    "Parameters":{"TableName":"jobs","Item":{"id":{"S.$":"$.job"},"tries":{"N":"1"},"tags":{"SS":["a","b"]}}},"ResultPath":"$.put","Next":"PutAgain"},
	  "PutAgain":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
	    "Parameters":{"TableName":"jobs","Item":{"id":{"S.$":"$.job"}},"ConditionExpression":"attribute_not_exists(id)"},
	    "Catch":[{"ErrorEquals":["DynamoDB.ConditionalCheckFailedException"],"ResultPath":"$.conflict","Next":"Get"}],"Next":"Get"},
	  "Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
	    "Parameters":{"TableName":"jobs","Key":{"id":{"S.$":"$.job"}}},"ResultPath":"$.get","Next":"Update"},
	  "Update":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:updateItem",
	    "Parameters":{"TableName":"jobs","Key":{"id":{"S.$":"$.job"}},"UpdateExpression":"SET tries = tries + :one",
	      "ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"},"ResultPath":"$.update","Next":"Delete"},
	  "Delete":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:deleteItem",
	    "Parameters":{"TableName":"jobs","Key":{"id":{"S.$":"$.job"}},"ReturnValues":"ALL_OLD"},"ResultPath":"$.delete","Next":"Gone"},
	  "Gone":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
	    "Parameters":{"TableName":"jobs","Key":{"id":{"S.$":"$.job"}}},"ResultPath":"$.gone","Next":"Missing"},
	  "Missing":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
	    "Parameters":{"TableName":"no-such-table","Key":{"id":{"S":"x"}}},
	    "Catch":[{"ErrorEquals":["DynamoDB.ResourceNotFoundException"],"ResultPath":"$.missing","Next":"Done"}],"Next":"Done"},
	  "Done":{"Type":"Succeed"}}}`
	desc := runMachine(t, sfn.NewFromConfig(cfg), "ledger", def, `{"job":"j-1"}`)
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	type attr map[string]any
	var out struct {
		Put struct {
			SdkHttpMetadata     struct{ HttpStatusCode int }
			SdkResponseMetadata struct{ RequestId string }
		}
		Conflict struct{ Error, Cause string }
		Get      struct{ Item map[string]attr }
		Update   struct{ Attributes map[string]attr }
		Delete   struct{ Attributes map[string]attr }
		Gone     map[string]any
		Missing  struct{ Error string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil {
		t.Fatalf("output %s: %v", aws.ToString(desc.Output), err)
	}
	if out.Put.SdkHttpMetadata.HttpStatusCode != 200 || out.Put.SdkResponseMetadata.RequestId == "" {
		t.Errorf("putItem answered %+v", out.Put)
	}
	if out.Conflict.Error != "DynamoDB.ConditionalCheckFailedException" || out.Conflict.Cause == "" {
		t.Errorf("a failed condition gave %+v", out.Conflict)
	}
	if out.Get.Item["id"]["S"] != "j-1" || out.Get.Item["tries"]["N"] != "1" || len(out.Get.Item["tags"]["SS"].([]any)) != 2 {
		t.Errorf("getItem answered %v", out.Get.Item)
	}
	if len(out.Update.Attributes) != 1 || out.Update.Attributes["tries"]["N"] != "2" {
		t.Errorf("updateItem (UPDATED_NEW) answered %v", out.Update.Attributes)
	}
	if out.Delete.Attributes["id"]["S"] != "j-1" || out.Delete.Attributes["tries"]["N"] != "2" {
		t.Errorf("deleteItem (ALL_OLD) answered %v", out.Delete.Attributes)
	}
	if _, has := out.Gone["Item"]; has || out.Gone["SdkHttpMetadata"] == nil {
		t.Errorf("getItem of a deleted item answered %v", out.Gone)
	}
	if out.Missing.Error != "DynamoDB.ResourceNotFoundException" {
		t.Errorf("a missing table gave %+v", out.Missing)
	}
}
