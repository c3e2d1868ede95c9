package console_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// The DynamoDB pages list the tables with their item counts and show a
// table's first items, key attributes first.
func TestDynamoDBTables(t *testing.T) {
	s := serveCloud(t, localcloud.Options{})
	ctx := context.Background()
	db := awsdynamodb.NewFromConfig(s.cloud.AWSConfig())
	if _, err := db.CreateTable(ctx, &awsdynamodb.CreateTableInput{
		TableName: aws.String("ledger"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("job"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("job"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 120; i++ {
		if _, err := db.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String("ledger"), Item: map[string]ddbtypes.AttributeValue{
			"job": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("j%03d", i)}, "open": &ddbtypes.AttributeValueMemberBOOL{Value: i%2 == 0},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	var list struct {
		Tables []struct {
			Name  string   `json:"name"`
			Items int64    `json:"items"`
			Keys  []string `json:"keys"`
		} `json:"tables"`
	}
	if code := s.call(t, http.MethodGet, "api/tables", nil, &list); code != http.StatusOK {
		t.Fatalf("tables: status %d", code)
	}
	if len(list.Tables) != 1 || list.Tables[0].Name != "ledger" || list.Tables[0].Items != 120 || list.Tables[0].Keys[0] != "job" {
		t.Errorf("tables: %+v", list.Tables)
	}
	var items struct {
		Count   int64            `json:"count"`
		Columns []string         `json:"columns"`
		Items   []map[string]any `json:"items"`
		More    bool             `json:"more"`
	}
	if code := s.call(t, http.MethodGet, "api/items?table=ledger", nil, &items); code != http.StatusOK {
		t.Fatalf("items: status %d", code)
	}
	if items.Count != 120 || len(items.Items) != 100 || !items.More || len(items.Columns) != 2 || items.Columns[0] != "job" || items.Columns[1] != "open" {
		t.Errorf("items: count %d, %d shown, more %v, columns %v", items.Count, len(items.Items), items.More, items.Columns)
	}
	if code := s.call(t, http.MethodGet, "api/items?table=missing", nil, &items); code != http.StatusBadRequest {
		t.Errorf("missing table: status %d, want 400", code)
	}
}
