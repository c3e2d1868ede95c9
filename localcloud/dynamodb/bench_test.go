package dynamodb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fill creates a table of n items in a service on dir.
func fill(b *testing.B, dir string, n int) *Service {
	b.Helper()
	s, err := New(Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.createTable(ctx, &createTableInput{
		TableName: "jobs", BillingMode: "PAY_PER_REQUEST",
		AttributeDefinitions: []attributeDefinition{{"job", "S"}, {"state", "S"}, {"submitted", "N"}},
		KeySchema:            []keySchemaElement{{"job", "HASH"}},
		GlobalSecondaryIndexes: []indexSpec{{IndexName: "open", Projection: projection{ProjectionType: "KEYS_ONLY"},
			KeySchema: []keySchemaElement{{"state", "HASH"}, {"submitted", "RANGE"}}}},
	}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := s.putItem(ctx, &putItemInput{TableName: "jobs", Item: jobItem(i, i%500 == 0)}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func jobItem(i int, open bool) Item {
	it := Item{
		"job":       strValue(fmt.Sprintf("arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/%012d", i)),
		"submitted": numValue(mustNumber(fmt.Sprint(1767225600 + i))),
		"token":     strValue(fmt.Sprintf("%0400d", i)),
	}
	if open {
		it["state"] = strValue("OPEN")
	}
	return it
}

// BenchmarkPutItemLargeTable puts into a table of 100,000 items: the cost
// of a put, and the bytes it adds to the store, must not grow with the
// table (go test -bench PutItemLargeTable -run '^$' ./localcloud/dynamodb/).
func BenchmarkPutItemLargeTable(b *testing.B) {
	dir := b.TempDir()
	s := fill(b, dir, benchItems)
	defer s.Close()
	log := filepath.Join(s.tables["jobs"].dir, logFile)
	before, _ := os.Stat(log)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.putItem(ctx, &putItemInput{TableName: "jobs", Item: jobItem(benchItems+i, true)}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	after, _ := os.Stat(log)
	b.ReportMetric(float64(after.Size()-before.Size())/float64(i), "store-bytes/op")
}

// BenchmarkQueryOpenIndex queries the 200 open items of a 100,000-item
// table through a sparse index, as the ledger's reconciler does.
func BenchmarkQueryOpenIndex(b *testing.B) {
	s := fill(b, b.TempDir(), benchItems)
	defer s.Close()
	ctx := context.Background()
	open := "#s = :open"
	in := &readInput{TableName: "jobs", IndexName: ptr("open"), KeyConditionExpression: &open,
		exprInput: exprInput{ExpressionAttributeNames: map[string]string{"#s": "state"}, ExpressionAttributeValues: exprValues{":open": strValue("OPEN")}}}
	for b.Loop() {
		out, err := s.query(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if out.Count != benchItems/500 {
			b.Fatalf("%d open items, want %d", out.Count, benchItems/500)
		}
	}
}

// BenchmarkOpenLargeTable reopens a data directory holding a table of
// 100,000 items (replaying its log).
func BenchmarkOpenLargeTable(b *testing.B) {
	dir := b.TempDir()
	fill(b, dir, benchItems).Close()
	for b.Loop() {
		s, err := New(Options{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// benchItems is the size of the benchmarks' table.
var benchItems = 100_000

func ptr[T any](v T) *T { return &v }
