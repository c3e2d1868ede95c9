package dynamodb_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// fixture is a local cloud with a DynamoDB client, on a manual clock.
type fixture struct {
	cloud *localcloud.Cloud
	db    *dynamodb.Client
	clock *clock.Manual
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return openFixture(t, t.TempDir())
}

func openFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c, err := localcloud.New(localcloud.Options{DataDir: dir, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{cloud: c, db: dynamodb.NewFromConfig(c.AWSConfig()), clock: clk, dir: dir}
	t.Cleanup(func() { c.Close() })
	return f
}

// serve puts the cloud on a loopback HTTP server for out-of-process
// clients.
func (f *fixture) serve(t *testing.T) string {
	srv := httptest.NewServer(f.cloud.Router)
	t.Cleanup(srv.Close)
	return srv.URL
}

// jobsTable creates a table keyed like a job ledger: pk (S) and sk (S),
// with a GSI on status/created and an LSI on pk/created.
func (f *fixture) jobsTable(t *testing.T, name string) {
	t.Helper()
	_, err := f.db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("created"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byStatus"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("created"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byCreated"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("created"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}
