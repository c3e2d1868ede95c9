package events_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Custom buses: CreateEventBus, rules on a bus, DescribeEventBus and
// ListEventBuses, as the API reference describes
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
func TestCustomEventBuses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, t.TempDir(), nil)
	c := e.client
	_, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("describe a missing bus: %v", err)
	}
	created, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	if err != nil || aws.ToString(created.EventBusArn) != "arn:aws:events:us-east-1:000000000000:event-bus/orders" {
		t.Fatalf("create bus: %v %v", created, err)
	}
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("create the bus again: %v", err)
	}
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders"), EventPattern: aws.String(`{"source":["shop"]}`)})
	if err != nil || aws.ToString(rule.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/orders/big" {
		t.Fatalf("put rule on the bus: %v %v", rule, err)
	}
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big"), EventBusName: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/orders")})
	if err != nil || aws.ToString(d.EventBusName) != "orders" {
		t.Errorf("describe the rule by bus ARN: %v %v", d, err)
	}
	if _, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big")}); !errors.As(err, &nf) {
		t.Errorf("the bus's rule is not on the default bus: %v", err)
	}
	if list, err := c.ListRules(ctx, &eventbridge.ListRulesInput{}); err != nil || len(list.Rules) != 0 {
		t.Errorf("rules of the default bus: %v %v", list, err)
	}
	buses, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(buses.EventBuses) != 2 || aws.ToString(buses.EventBuses[1].Name) != "orders" {
		t.Errorf("list buses: %+v %v", buses, err)
	}
	if _, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}); err == nil {
		t.Errorf("deleted a bus that has rules")
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{EventBusName: aws.String("nope"),
		Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{}`)}}})
	if err != nil || out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("put events on a missing bus: %+v %v", out, err)
	}
}
