package cloudtest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/dynamodb"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
)

// DynamoDB serves a local DynamoDB over files in a temporary directory,
// on clk (the wall clock when nil), on a test server, and returns a client
// of it.
func DynamoDB(t testing.TB, clk clock.Clock) *awsdynamodb.Client {
	t.Helper()
	svc, err := dynamodb.New(dynamodb.Options{DataDir: t.TempDir(), Region: "us-east-1", Account: "123456789012", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	srv := Start(t, false)
	srv.Router.Register(edge.DynamoDB, svc)
	cfg, endpoint := srv.Config()
	return awsdynamodb.NewFromConfig(cfg, func(o *awsdynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// LedgerTable creates a job ledger table called name as the construct
// defines it: key batch.LedgerJobArn, the sparse open-jobs index and the
// execution index with their projections.
func LedgerTable(t testing.TB, db *awsdynamodb.Client, name string) {
	t.Helper()
	s := func(n string) ddbtypes.AttributeDefinition {
		return ddbtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: ddbtypes.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []ddbtypes.KeySchemaElement {
		return []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String(hash), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String(rng), KeyType: ddbtypes.KeyTypeRange},
		}
	}
	include := func(attrs []string) *ddbtypes.Projection {
		return &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeInclude, NonKeyAttributes: attrs}
	}
	_, err := db.CreateTable(context.Background(), &awsdynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			s(batch.LedgerJobArn), s(batch.LedgerOpen), s(batch.LedgerExecutionArn), s(batch.LedgerSubmitTime),
		},
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String(batch.LedgerJobArn), KeyType: ddbtypes.KeyTypeHash}},
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{
			{IndexName: aws.String(batch.LedgerOpenIndex), KeySchema: key(batch.LedgerOpen, batch.LedgerSubmitTime),
				Projection: include(batch.LedgerOpenProjection)},
			{IndexName: aws.String(batch.LedgerExecutionIndex), KeySchema: key(batch.LedgerExecutionArn, batch.LedgerSubmitTime),
				Projection: include(batch.LedgerExecutionProjection)},
		},
	})
	if err != nil {
		t.Fatalf("create ledger table %s: %v", name, err)
	}
}
