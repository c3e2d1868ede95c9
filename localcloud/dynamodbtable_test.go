package localcloud_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// Tables deploy from the template with their indexes, TTL, point-in-time
// recovery, encryption and billing mode, and a function gets the table's
// name (Ref) and ARN (Fn::GetAtt) in its environment; deploying again keeps
// the items.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html
func TestDeployDynamoDBTables(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	c.RegisterFunction("LedgerApp/Reader", lambda.HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		return []byte("{}"), nil
	}))
	res, err := c.Deploy(ctx, "testdata/ledger")
	if err != nil {
		t.Fatal(err)
	}
	name := res.Outputs["LedgerApp"]["LedgerTable"]
	db := awsdynamodb.NewFromConfig(c.AWSConfig())
	d, err := db.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	if tb.BillingModeSummary == nil || tb.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest ||
		len(tb.GlobalSecondaryIndexes) != 1 || aws.ToString(tb.GlobalSecondaryIndexes[0].IndexName) != "open" ||
		tb.GlobalSecondaryIndexes[0].Projection.ProjectionType != ddbtypes.ProjectionTypeKeysOnly ||
		tb.SSEDescription == nil || tb.SSEDescription.Status != ddbtypes.SSEStatusEnabled ||
		tb.StreamSpecification == nil || tb.StreamSpecification.StreamViewType != ddbtypes.StreamViewTypeNewAndOldImages {
		t.Errorf("deployed table: %+v", tb)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &awsdynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Errorf("TTL: %+v %v", ttl, err)
	}
	for _, table := range []string{name, res.Find("AWS::DynamoDB::GlobalTable")[0].PhysicalID} {
		b, err := db.DescribeContinuousBackups(ctx, &awsdynamodb.DescribeContinuousBackupsInput{TableName: aws.String(table)})
		if err != nil || b.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled {
			t.Errorf("PITR of %s: %+v %v", table, b, err)
		}
	}
	fn, err := awslambda.NewFromConfig(c.AWSConfig()).GetFunctionConfiguration(ctx, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(res.Find("AWS::Lambda::Function")[0].Arn())})
	if err != nil || fn.Environment == nil {
		t.Fatalf("function configuration %+v, %v", fn, err)
	}
	vars := fn.Environment.Variables
	env := []string{vars["TABLE"], vars["TABLE_ARN"], vars["STREAM_ARN"]}
	if env[0] != name || env[1] != aws.ToString(tb.TableArn) || !strings.HasPrefix(env[2], aws.ToString(tb.TableArn)+"/stream/") {
		t.Errorf("function environment %v, table %s %s", env, name, aws.ToString(tb.TableArn))
	}

	if _, err := db.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]ddbtypes.AttributeValue{"jobArn": &ddbtypes.AttributeValueMemberS{Value: "j"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deploy(ctx, "testdata/ledger"); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(name), Key: map[string]ddbtypes.AttributeValue{"jobArn": &ddbtypes.AttributeValueMemberS{Value: "j"}}})
	if err != nil || got.Item == nil {
		t.Errorf("item after a second deployment: %v %v", got, err)
	}
}
