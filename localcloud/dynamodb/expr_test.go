package dynamodb

import (
	"encoding/json"
	"testing"
)

func item(t *testing.T, js string) Item {
	t.Helper()
	var it Item
	if err := json.Unmarshal([]byte(js), &it); err != nil {
		t.Fatalf("item %s: %v", js, err)
	}
	return it
}

// Conditions evaluate as the comparison operators and functions are
// documented, on an item with every data type.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
func TestConditionEvaluation(t *testing.T) {
	it := item(t, `{"s":{"S":"hello"},"n":{"N":"10.50"},"b":{"B":"AQID"},"t":{"BOOL":true},"z":{"NULL":true},
		"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"l":{"L":[{"S":"x"},{"N":"2"}]},"m":{"M":{"k":{"S":"v"},"deep":{"L":[{"M":{"x":{"N":"1"}}}]}}}}`)
	values := map[string]*Value{
		":hello": strValue("hello"), ":he": strValue("he"), ":ten": numValue(mustNumber("10.5")), ":eleven": numValue(mustNumber("11")),
		":a": strValue("a"), ":x": strValue("x"), ":one": numValue(mustNumber("1")), ":two": numValue(mustNumber("2")), ":S": strValue("S"),
		":NULL": strValue("NULL"), ":ell": strValue("ell"), ":b": {Type: "B", Str: "\x01\x02"},
	}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"s = :hello", true},
		{"n = :ten", true}, // 10.50 and 10.5 are the same number
		{"n < :eleven AND n >= :ten", true},
		{"n BETWEEN :ten AND :eleven", true},
		{"s BETWEEN :ten AND :eleven", false}, // a string is not between numbers
		{"s IN (:a, :hello)", true},
		{"NOT s IN (:a, :x)", true},
		{"absent <> :a", true},
		{"absent = :a", false},
		{"begins_with(s, :he)", true},
		{"begins_with(b, :b)", true},
		{"contains(s, :ell)", true},
		{"contains(ss, :a)", true},
		{"contains(ns, :one)", true},
		{"contains(l, :x)", true},
		{"contains(l, :two)", true},
		{"attribute_type(z, :NULL) AND attribute_type(s, :S)", true},
		{"attribute_exists(m.deep[0].x) AND attribute_not_exists(m.deep[1])", true},
		{"m.deep[0].x = :one", true},
		{"size(s) = :two OR size(ss) = :two", true},
		{"size(l) = :two AND size(m) = :two", true},
		{"size(n) = :two", false}, // a number has no size
		{"(s = :a OR s = :hello) AND (n > :one)", true},
		{"NOT (s = :a) AND t = :x OR z = :x", false},
	} {
		env := newExprEnv(map[string]string{}, values)
		c, err := parseCondition("ConditionExpression", tc.expr, env)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := eval(it, c); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// Expressions DynamoDB refuses, with its messages.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
func TestExpressionErrors(t *testing.T) {
	values := map[string]*Value{":v": strValue("x"), ":n": numValue(mustNumber("1")), ":big": numValue(mustNumber("9")), ":ss": {Type: "SS", Set: []string{"a"}}}
	for _, tc := range []struct {
		what, expr, want string
	}{
		{"ConditionExpression", "", "Invalid ConditionExpression: The expression can not be empty;"},
		{"ConditionExpression", "a = = :v", `Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"`},
		{"ConditionExpression", "a = :v AND", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
		{"ConditionExpression", "a > between", `Invalid ConditionExpression: Syntax error; token: "between", near: "> between"`},
		{"ConditionExpression", "a in (:v,)", `Invalid ConditionExpression: Syntax error; token: ")", near: ",)"`},
		{"ConditionExpression", "Status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Status"},
		{"ConditionExpression", "#s = :v", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #s"},
		{"ConditionExpression", "a = :nope", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"ConditionExpression", "whatever(a) = :v", "Invalid ConditionExpression: Invalid function name; function: whatever"},
		{"ConditionExpression", "attribute_exists(a) = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"ConditionExpression", "attribute_exists(a, b)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"ConditionExpression", "attribute_exists(:v)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{"ConditionExpression", "begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"ConditionExpression", "attribute_type(a, :v)", "Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"ConditionExpression", "a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"ConditionExpression", "a BETWEEN :big AND :n", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}"},
		{"ConditionExpression", "((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"UpdateExpression", "SET a = :v SET b = :v", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"UpdateExpression", "SET a = :v REMOVE a", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"UpdateExpression", "SET a.b = :v REMOVE a[1]", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
		{"UpdateExpression", "ADD a :v", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"UpdateExpression", "SET a = :v + :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: +, operand type: S"},
		{"UpdateExpression", "SET a = list_append(:v)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"UpdateExpression", "SET a = :v DELET b :ss", `Invalid UpdateExpression: Syntax error; token: "DELET", near: ":v DELET b"`},
		{"ProjectionExpression", "a, a.b", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"ProjectionExpression", "a[0], a.b", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
	} {
		env := newExprEnv(map[string]string{}, values)
		var err error
		switch tc.what {
		case "UpdateExpression":
			_, err = parseUpdate(tc.expr, env)
		case "ProjectionExpression":
			_, err = parseProjection(tc.expr, env)
		default:
			_, err = parseCondition(tc.what, tc.expr, env)
		}
		e, _ := err.(*Error)
		if e == nil || e.Code() != "ValidationException" || e.Message != tc.want {
			t.Errorf("%s %q:\n got %v\nwant %s", tc.what, tc.expr, err, tc.want)
		}
	}
}

// Update actions apply to the item as it was: SET a = b, b = a swaps.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
func TestUpdateReadsTheOldItem(t *testing.T) {
	it := item(t, `{"a":{"S":"1"},"b":{"S":"2"},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}`)
	env := newExprEnv(nil, nil)
	actions, err := parseUpdate("SET a = b, b = a REMOVE l[1], l[3]", env)
	if err != nil {
		t.Fatal(err)
	}
	got, err := applyUpdate(it, actions)
	if err != nil {
		t.Fatal(err)
	}
	want := item(t, `{"a":{"S":"2"},"b":{"S":"1"},"l":{"L":[{"N":"0"},{"N":"2"}]}}`)
	for k, v := range want {
		if !got[k].equal(v) {
			t.Errorf("%s = %+v, want %+v", k, got[k], v)
		}
	}
}
