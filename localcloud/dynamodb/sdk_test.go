package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

type job struct {
	PK      string            `dynamodbav:"pk"`
	SK      string            `dynamodbav:"sk"`
	Status  string            `dynamodbav:"status,omitempty"`
	Created int64             `dynamodbav:"created"`
	Tries   int               `dynamodbav:"tries"`
	Tags    []string          `dynamodbav:"tags,stringset,omitempty"`
	Meta    map[string]string `dynamodbav:"meta,omitempty"`
	Log     []string          `dynamodbav:"log,omitempty"`
}

func put(t *testing.T, f *fixture, table string, j job) {
	t.Helper()
	item, err := attributevalue.MarshalMap(j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// Conditional writes: attribute_not_exists makes a put idempotent, and a
// failed condition is ConditionalCheckFailedException, with the old item
// when ReturnValuesOnConditionCheckFailure is ALL_OLD.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func TestConditionalPut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	item, _ := attributevalue.MarshalMap(job{PK: "exec#1", SK: "job#1", Status: "OPEN", Created: 10})
	cond := expression.AttributeNotExists(expression.Name("pk"))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		t.Fatal(err)
	}
	in := &dynamodb.PutItemInput{
		TableName: aws.String("jobs"), Item: item,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if _, err := f.db.PutItem(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = f.db.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second put: %v, want ConditionalCheckFailedException", err)
	}
	if got := ccf.Item["status"]; got == nil || got.(*types.AttributeValueMemberS).Value != "OPEN" {
		t.Errorf("failed condition returned item %v, want the stored one", ccf.Item)
	}
	if ccf.ErrorMessage() != "The conditional request failed" {
		t.Errorf("message %q", ccf.ErrorMessage())
	}
}

// Update expressions: SET with arithmetic, if_not_exists and list_append,
// REMOVE, ADD to a number and a set, DELETE from a set; ReturnValues.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
func TestUpdateExpressions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	put(t, f, "jobs", job{PK: "e", SK: "j", Status: "OPEN", Created: 5, Tries: 1, Tags: []string{"a", "b"},
		Meta: map[string]string{"model": "m1", "region": "us"}, Log: []string{"submitted"}})
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "e"}, "sk": &types.AttributeValueMemberS{Value: "j"}}
	upd := expression.Set(expression.Name("tries"), expression.Name("tries").Plus(expression.Value(2))).
		Set(expression.Name("first"), expression.IfNotExists(expression.Name("first"), expression.Value("x"))).
		Set(expression.Name("log"), expression.ListAppend(expression.Name("log"), expression.Value([]string{"running"}))).
		Set(expression.Name("meta.model"), expression.Value("m2")).
		Remove(expression.Name("meta.region")).
		Add(expression.Name("count"), expression.Value(3)).
		Add(expression.Name("labels"), expression.Value(&types.AttributeValueMemberSS{Value: []string{"c"}})).
		Delete(expression.Name("tags"), expression.Value(&types.AttributeValueMemberSS{Value: []string{"a"}}))
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("jobs"), Key: key, UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tries  int               `dynamodbav:"tries"`
		First  string            `dynamodbav:"first"`
		Log    []string          `dynamodbav:"log"`
		Meta   map[string]string `dynamodbav:"meta"`
		Count  int               `dynamodbav:"count"`
		Tags   []string          `dynamodbav:"tags,stringset"`
		Labels []string          `dynamodbav:"labels,stringset"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &got); err != nil {
		t.Fatal(err)
	}
	if got.Tries != 3 || got.First != "x" || strings.Join(got.Log, ",") != "submitted,running" ||
		got.Meta["model"] != "m2" || len(got.Meta) != 1 || got.Count != 3 || strings.Join(got.Tags, ",") != "b" || strings.Join(got.Labels, ",") != "c" {
		t.Errorf("after update: %+v", got)
	}

	// UPDATED_OLD returns the updated attributes as they were.
	out, err = f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("jobs"), Key: key, UpdateExpression: aws.String("SET #s = :s"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "CLOSED"}},
		ReturnValues:              types.ReturnValueUpdatedOld,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Attributes) != 1 || out.Attributes["status"].(*types.AttributeValueMemberS).Value != "OPEN" {
		t.Errorf("UPDATED_OLD = %v", out.Attributes)
	}
	// Arithmetic on a missing attribute fails as DynamoDB reports it.
	_, err = f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("jobs"), Key: key, UpdateExpression: aws.String("SET nope = nope + :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if apiMessage(err) != "The provided expression refers to an attribute that does not exist in the item" {
		t.Errorf("missing operand: %v", err)
	}
}

// Numbers are decimals of up to 38 digits, compared and added exactly.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
func TestNumbersAreExact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "n"}, "sk": &types.AttributeValueMemberS{Value: "n"}}
	out, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("jobs"), Key: key, UpdateExpression: aws.String("SET v = :a + :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":a": &types.AttributeValueMemberN{Value: "12345678901234567890123456789012345678"},
			":b": &types.AttributeValueMemberN{Value: "0.00000000000000000000000000000000000001"},
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err == nil || !strings.Contains(apiMessage(err), "38 significant digits") {
		t.Errorf("sum of 76 significant digits: %v, %v", out, err)
	}
	out, err = f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("jobs"), Key: key, UpdateExpression: aws.String("SET v = :a - :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":a": &types.AttributeValueMemberN{Value: "0.3"}, ":b": &types.AttributeValueMemberN{Value: "0.1e0"},
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.Attributes["v"].(*types.AttributeValueMemberN).Value; v != "0.2" {
		t.Errorf("0.3 - 0.1 = %s", v)
	}
}

// Query on the table, a GSI and an LSI: key conditions, order, Limit and
// paging with ExclusiveStartKey, Select COUNT, filters.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
func TestQueryAndPaging(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	for i := 0; i < 25; i++ {
		status := "OPEN"
		if i%5 == 0 {
			status = "CLOSED"
		}
		put(t, f, "jobs", job{PK: "exec#1", SK: fmt.Sprintf("job#%02d", i), Status: status, Created: int64(100 - i), Tries: i})
	}
	put(t, f, "jobs", job{PK: "exec#2", SK: "job#00", Status: "OPEN", Created: 1})

	keyCond := expression.Key("pk").Equal(expression.Value("exec#1")).And(expression.Key("sk").BeginsWith("job#1"))
	expr, _ := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	out, err := f.db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("jobs"), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	var jobs []job
	_ = attributevalue.UnmarshalListOfMaps(out.Items, &jobs)
	if len(jobs) != 10 || jobs[0].SK != "job#19" || jobs[9].SK != "job#10" {
		t.Errorf("descending begins_with query: %d items, first %v", len(jobs), jobs)
	}

	// The GSI holds the open jobs of both executions, keys only; paging by
	// 7 visits all of them once, in created order.
	var seen []string
	var start map[string]types.AttributeValue
	pages := 0
	for {
		out, err := f.db.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("jobs"), IndexName: aws.String("byStatus"),
			KeyConditionExpression:    aws.String("#s = :open AND created BETWEEN :lo AND :hi"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":open": &types.AttributeValueMemberS{Value: "OPEN"}, ":lo": &types.AttributeValueMemberN{Value: "0"}, ":hi": &types.AttributeValueMemberN{Value: "1000"}},
			Limit:                     aws.Int32(7), ExclusiveStartKey: start,
		})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range out.Items {
			if _, ok := it["tries"]; ok {
				t.Fatalf("KEYS_ONLY index returned a non-key attribute: %v", it)
			}
			seen = append(seen, it["pk"].(*types.AttributeValueMemberS).Value+"/"+it["sk"].(*types.AttributeValueMemberS).Value)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 4 {
			t.Errorf("GSI LastEvaluatedKey %v: want the table and index keys", out.LastEvaluatedKey)
		}
		start = out.LastEvaluatedKey
	}
	if len(seen) != 21 || seen[0] != "exec#2/job#00" || seen[20] != "exec#1/job#01" {
		t.Errorf("GSI pages: %d items in %d pages: %v", len(seen), pages, seen)
	}
	if pages != 4 {
		t.Errorf("21 items by 7: %d pages, want 4 (the third page ends at the limit, so a fourth comes back empty)", pages)
	}

	// COUNT with a filter: Count after the filter, ScannedCount before.
	out, err = f.db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("jobs"), IndexName: aws.String("byCreated"),
		KeyConditionExpression: aws.String("pk = :p AND created > :c"), FilterExpression: aws.String("tries >= :t OR attribute_type(tries, :s)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "exec#1"}, ":c": &types.AttributeValueMemberN{Value: "80"}, ":t": &types.AttributeValueMemberN{Value: "15"}, ":s": &types.AttributeValueMemberS{Value: "S"}},
		Select:                    types.SelectCount,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ScannedCount != 20 || out.Count != 5 || out.Items != nil {
		t.Errorf("COUNT: count %d scanned %d items %v; want 5 of 20", out.Count, out.ScannedCount, out.Items)
	}
}

// Scan pages through a table; a filter and a projection with nested paths.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
func TestScanAndProjection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	for i := 0; i < 30; i++ {
		put(t, f, "jobs", job{PK: fmt.Sprintf("e%02d", i), SK: "j", Created: int64(i), Tries: i, Log: []string{"a", "b", "c"}, Meta: map[string]string{"k": "v", "x": "y"}})
	}
	p := dynamodb.NewScanPaginator(f.db, &dynamodb.ScanInput{
		TableName: aws.String("jobs"), Limit: aws.Int32(4),
		FilterExpression:          aws.String("contains(#l, :b) AND NOT tries IN (:one, :two) AND size(meta) = :two"),
		ProjectionExpression:      aws.String("pk, #l[2], meta.k"),
		ExpressionAttributeNames:  map[string]string{"#l": "log"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":b": &types.AttributeValueMemberS{Value: "b"}, ":one": &types.AttributeValueMemberN{Value: "1"}, ":two": &types.AttributeValueMemberN{Value: "2"}},
	})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			n++
			if len(it) != 3 {
				t.Fatalf("projected item %v", it)
			}
			l := it["log"].(*types.AttributeValueMemberL).Value
			m := it["meta"].(*types.AttributeValueMemberM).Value
			if len(l) != 1 || l[0].(*types.AttributeValueMemberS).Value != "c" || len(m) != 1 {
				t.Errorf("projection of log[2], meta.k: %v", it)
			}
		}
	}
	if n != 28 {
		t.Errorf("scan found %d items, want 28", n)
	}
}

// Batch writes and reads.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
func TestBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	var reqs []types.WriteRequest
	var keys []map[string]types.AttributeValue
	for i := 0; i < 25; i++ {
		item, _ := attributevalue.MarshalMap(job{PK: "b", SK: fmt.Sprint(i), Created: 1})
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		keys = append(keys, map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]})
	}
	if _, err := f.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"jobs": reqs}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"jobs": append(reqs, reqs[0])}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("26 writes: %v, want ValidationException", err)
	}
	out, err := f.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"jobs": {Keys: keys[:10], ProjectionExpression: aws.String("sk")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses["jobs"]) != 10 || len(out.Responses["jobs"][0]) != 1 {
		t.Errorf("batch get: %v", out.Responses)
	}
}

// Errors with DynamoDB's types and messages.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
func TestErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing table", func() error {
			_, err := f.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]types.AttributeValue{"pk": s("a")}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"wrong key", func() error {
			_, err := f.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("jobs"), Key: map[string]types.AttributeValue{"pk": s("a")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"table exists", func() error {
			_, err := f.db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("jobs"), BillingMode: types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}})
			return err
		}, "ResourceInUseException", "Table already exists: jobs"},
		{"update syntax", func() error {
			_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("jobs"), Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b")},
				UpdateExpression: aws.String("SET a = = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}})
			return err
		}, "ValidationException", `Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"`},
		{"reserved word", func() error {
			_, err := f.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("jobs"), IndexName: aws.String("byStatus"),
				KeyConditionExpression: aws.String("status = :s"), ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("OPEN")}})
			return err
		}, "ValidationException", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"unused value", func() error {
			_, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("jobs"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b")},
				ConditionExpression: aws.String("attribute_not_exists(pk)"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": s("x")}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"},
		{"undefined name", func() error {
			_, err := f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("jobs"), Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b")},
				ConditionExpression: aws.String("attribute_exists(#n)")})
			return err
		}, "ValidationException", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"},
		{"empty set", func() error {
			_, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("jobs"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b"), "x": &types.AttributeValueMemberSS{Value: []string{}}}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: An string set  may not be empty"},
		{"key type", func() error {
			_, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("jobs"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": &types.AttributeValueMemberN{Value: "1"}}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key sk expected: S actual: N"},
		{"update key", func() error {
			_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("jobs"), Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b")},
				UpdateExpression: aws.String("SET sk = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
		{"item too large", func() error {
			_, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("jobs"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b"), "x": s(strings.Repeat("x", 400*1024))}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
	}
	for _, c := range cases {
		err := c.call()
		if apiCode(err) != c.code || apiMessage(err) != c.msg {
			t.Errorf("%s: got %s %q, want %s %q", c.name, apiCode(err), apiMessage(err), c.code, c.msg)
		}
	}
}

// Expired items stay readable until the sweeper deletes them; the sweeper
// runs on the cloud's clock.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
func TestTTL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	if err := f.cloud.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("jobs"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("expires")}}); err != nil {
		t.Fatal(err)
	}
	d, err := f.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("jobs")})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "expires" {
		t.Fatalf("DescribeTimeToLive: %+v %v", d, err)
	}
	now := f.clock.Now().Unix()
	for i, exp := range []string{fmt.Sprint(now - 10), fmt.Sprint(now + 3600), "not a number"} {
		item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}, "sk": &types.AttributeValueMemberS{Value: "x"}}
		if i < 2 {
			item["expires"] = &types.AttributeValueMemberN{Value: exp}
		} else {
			item["expires"] = &types.AttributeValueMemberS{Value: exp}
		}
		if _, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("jobs"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int32 {
		out, err := f.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("jobs"), Select: types.SelectCount})
		if err != nil {
			t.Fatal(err)
		}
		return out.Count
	}
	if n := count(); n != 3 {
		t.Fatalf("before the sweep: %d items, want 3 (expired items are still returned)", n)
	}
	waitFor(t, func() bool { f.clock.Advance(time.Minute); return count() == 2 })
	waitFor(t, func() bool { f.clock.Advance(time.Hour); return count() == 1 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A restart keeps tables, items, indexes and settings.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	f := openFixture(t, dir)
	ctx := context.Background()
	f.jobsTable(t, "jobs")
	for i := 0; i < 50; i++ {
		put(t, f, "jobs", job{PK: "e", SK: fmt.Sprint(i), Status: "OPEN", Created: int64(i)})
	}
	for i := 0; i < 50; i += 2 {
		if _, err := f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("jobs"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "e"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("jobs"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	f.cloud.Close()
	g := openFixture(t, dir)
	d, err := g.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(d.Table.ItemCount) != 25 || len(d.Table.GlobalSecondaryIndexes) != 1 || aws.ToInt64(d.Table.GlobalSecondaryIndexes[0].ItemCount) != 25 {
		t.Errorf("after restart: %d items, indexes %+v", aws.ToInt64(d.Table.ItemCount), d.Table.GlobalSecondaryIndexes)
	}
	b, err := g.db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("jobs")})
	if err != nil || b.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled {
		t.Errorf("PITR after restart: %+v %v", b, err)
	}
}
