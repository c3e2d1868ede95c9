"""Checks the local DynamoDB with boto3, as Python users drive it.

Run by TestWithBoto3 with the endpoint as the only argument. Each check
cites the page of the DynamoDB documentation its expectation comes from.
Exits non-zero on the first failed check.
"""
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
client = session.client("dynamodb", endpoint_url=endpoint)
ddb = session.resource("dynamodb", endpoint_url=endpoint)


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def error_of(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None, None


# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
table = ddb.create_table(
    TableName="ledger",
    BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "state", "AttributeType": "S"},
    ],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    GlobalSecondaryIndexes=[{
        "IndexName": "open",
        "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["model"]},
    }],
    SSESpecification={"Enabled": True},
)
table.wait_until_exists()
desc = client.describe_table(TableName="ledger")["Table"]
check(desc["TableStatus"] == "ACTIVE" and desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", "table is active, on-demand")
check(desc["SSEDescription"]["Status"] == "ENABLED", "SSE is reported")

# The resource layer's batch_writer sends BatchWriteItem in 25s.
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
with table.batch_writer() as w:
    for i in range(60):
        w.put_item(Item={"pk": "exec", "sk": i, "state": "OPEN" if i % 3 else "DONE", "model": "m", "cost": Decimal("0.1") * i,
                         "tags": {"a", "b"}, "doc": {"steps": [1, 2, 3], "note": "n"}})

# Key() and Attr() conditions, a descending query, paging by Limit.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html
res = table.query(KeyConditionExpression=Key("pk").eq("exec") & Key("sk").between(10, 19), ScanIndexForward=False)
check([int(i["sk"]) for i in res["Items"]] == list(range(19, 9, -1)), "BETWEEN on the sort key, descending")
seen, start = [], None
while True:
    kw = {"KeyConditionExpression": Key("pk").eq("exec"), "Limit": 7,
          "FilterExpression": Attr("cost").gt(Decimal("2.05")) & Attr("tags").contains("a")}
    if start:
        kw["ExclusiveStartKey"] = start
    res = table.query(**kw)
    seen += [int(i["sk"]) for i in res["Items"]]
    start = res.get("LastEvaluatedKey")
    if not start:
        break
check(seen == list(range(21, 60)), "paged query with a filter on an exact decimal (0.1 * 21 > 2.05)")
res = table.query(IndexName="open", KeyConditionExpression=Key("state").eq("OPEN"), Select="COUNT")
check(res["Count"] == 40 and "Items" not in res, "COUNT on a GSI")
res = table.query(IndexName="open", KeyConditionExpression=Key("state").eq("DONE"))
check(all(set(i) == {"pk", "sk", "state", "model"} for i in res["Items"]) and len(res["Items"]) == 20, "INCLUDE projection of a GSI")

# Update expressions that no handler uses: list index, nested map, NS ADD and DELETE, REMOVE of a list element.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
res = client.update_item(
    TableName="ledger", Key={"pk": {"S": "exec"}, "sk": {"N": "1"}},
    UpdateExpression="SET doc.steps[1] = :x, doc.extra = :m ADD nums :ns REMOVE doc.steps[0] DELETE tags :a",
    ExpressionAttributeValues={":x": {"N": "20"}, ":m": {"M": {"k": {"BOOL": True}}}, ":ns": {"NS": ["1", "2.50"]}, ":a": {"SS": ["a"]}},
    ReturnValues="ALL_NEW",
)
a = res["Attributes"]
check(a["doc"]["M"]["steps"]["L"] == [{"N": "20"}, {"N": "3"}], "SET a list element and REMOVE another in one update")
check(a["doc"]["M"]["extra"] == {"M": {"k": {"BOOL": True}}} and sorted(a["nums"]["NS"]) == ["1", "2.5"] and a["tags"]["SS"] == ["b"],
      "nested SET, ADD to a number set (numbers normalized), DELETE from a string set")

# Conditions no handler uses: size, attribute_type, IN, NOT, begins_with on a nested path.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
res = table.scan(FilterExpression=Attr("doc.steps").size().eq(3) & Attr("model").attribute_type("S") &
                 Attr("sk").is_in([2, 4, 6]) & ~Attr("doc.note").begins_with("x"))
check(sorted(int(i["sk"]) for i in res["Items"]) == [2, 4, 6], "size, attribute_type, IN, NOT begins_with")

# A parallel scan covers every item once.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
total = sum(table.scan(Segment=s, TotalSegments=3, Select="COUNT")["Count"] for s in range(3))
check(total == 60, "three scan segments add up to the table")

# Errors as DynamoDB answers them.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
code, msg = error_of(table.put_item, Item={"pk": "exec", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
check(code == "ConditionalCheckFailedException" and msg == "The conditional request failed", "conditional put on an existing item")
code, msg = error_of(client.update_item, TableName="ledger", Key={"pk": {"S": "exec"}, "sk": {"N": "1"}},
                     UpdateExpression="SET a = :v ADD", ExpressionAttributeValues={":v": {"S": "x"}})
check(code == "ValidationException" and msg == 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "ADD"', "update syntax error names <EOF>: " + str(msg))
code, msg = error_of(client.query, TableName="ledger", KeyConditionExpression="pk = :p OR sk = :s",
                     ExpressionAttributeValues={":p": {"S": "x"}, ":s": {"N": "1"}})
check(code == "ValidationException" and msg == "Invalid operator used in KeyConditionExpression: OR", "OR in a key condition")
code, msg = error_of(client.get_item, TableName="missing", Key={"pk": {"S": "x"}})
check(code == "ResourceNotFoundException" and msg == "Requested resource not found", "missing table")
code, msg = error_of(client.put_item, TableName="ledger", Item={"pk": {"S": "x"}, "sk": {"N": "1e126"}})
check(code == "ValidationException" and "Number overflow" in msg, "number out of range")

# BatchGetItem with a projection.
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
res = ddb.batch_get_item(RequestItems={"ledger": {"Keys": [{"pk": "exec", "sk": i} for i in range(5)], "ProjectionExpression": "sk, #s", "ExpressionAttributeNames": {"#s": "state"}}})
check(sorted(int(i["sk"]) for i in res["Responses"]["ledger"]) == [0, 1, 2, 3, 4] and all(set(i) == {"sk", "state"} for i in res["Responses"]["ledger"]), "batch get with a projection")

# TTL settings.
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
client.update_time_to_live(TableName="ledger", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
d = client.describe_time_to_live(TableName="ledger")["TimeToLiveDescription"]
check(d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}, "TTL enabled")

client.delete_table(TableName="ledger")
check("ledger" not in client.list_tables()["TableNames"], "table deleted")
print("all boto3 checks passed")
