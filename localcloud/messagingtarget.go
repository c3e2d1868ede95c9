package localcloud

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
)

// queueProperties maps AWS::SQS::Queue properties to queue attributes
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html).
var queueProperties = []string{
	"ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds",
	"KmsMasterKeyId", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy",
	"RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
}

// queue creates (or updates) an AWS::SQS::Queue through the SQS API; its
// Ref becomes the queue's URL on the local endpoint.
func (t *target) queue(ctx context.Context, r *deploy.Resolved) error {
	client := awssqs.NewFromConfig(t.c.AWSConfig())
	name := r.Attrs["QueueName"]
	create := &awssqs.CreateQueueInput{QueueName: aws.String(name)}
	if isTrueProp(r.Properties["FifoQueue"]) {
		create.Attributes = map[string]string{"FifoQueue": "true"}
	}
	out, err := client.CreateQueue(ctx, create)
	if err != nil {
		return fmt.Errorf("create queue %s: %w", name, err)
	}
	attrs := map[string]string{"RedrivePolicy": ""}
	for _, p := range queueProperties {
		if v, ok := r.Properties[p]; ok {
			attrs[p] = attrString(v)
		}
	}
	if _, err := client.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: out.QueueUrl, Attributes: attrs}); err != nil {
		return fmt.Errorf("queue %s attributes: %w", name, err)
	}
	r.PhysicalID = aws.ToString(out.QueueUrl)
	r.Attrs["QueueUrl"] = r.PhysicalID
	return nil
}

// topic creates (or updates) an AWS::SNS::Topic and its inline
// subscriptions through the SNS API
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html).
func (t *target) topic(ctx context.Context, r *deploy.Resolved) error {
	client := awssns.NewFromConfig(t.c.AWSConfig())
	name := r.Attrs["TopicName"]
	create := &awssns.CreateTopicInput{Name: aws.String(name)}
	if isTrueProp(r.Properties["FifoTopic"]) {
		create.Attributes = map[string]string{"FifoTopic": "true"}
	}
	if _, err := client.CreateTopic(ctx, create); err != nil {
		return fmt.Errorf("create topic %s: %w", name, err)
	}
	for _, p := range []string{"DisplayName", "ContentBasedDeduplication", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "ArchivePolicy", "FifoThroughputScope"} {
		v, ok := r.Properties[p]
		if !ok {
			continue
		}
		if _, err := client.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(r.PhysicalID),
			AttributeName: aws.String(p), AttributeValue: aws.String(attrString(v))}); err != nil {
			return fmt.Errorf("topic %s attribute %s: %w", name, p, err)
		}
	}
	subs, _ := r.Properties["Subscription"].([]any)
	for i, x := range subs {
		m, _ := x.(map[string]any)
		if _, err := client.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(r.PhysicalID),
			Protocol: aws.String(str(m["Protocol"])), Endpoint: aws.String(str(m["Endpoint"]))}); err != nil {
			return fmt.Errorf("topic %s Subscription[%d]: %w", name, i, err)
		}
	}
	return nil
}

// subscription creates an AWS::SNS::Subscription and sets its attributes
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html);
// its Ref becomes the subscription's ARN.
func (t *target) subscription(ctx context.Context, r *deploy.Resolved) error {
	client := awssns.NewFromConfig(t.c.AWSConfig())
	p := r.Properties
	out, err := client.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(str(p["TopicArn"])), Protocol: aws.String(str(p["Protocol"])),
		Endpoint: aws.String(str(p["Endpoint"])), ReturnSubscriptionArn: true})
	if err != nil {
		return fmt.Errorf("subscribe %s to %s: %w", str(p["Endpoint"]), str(p["TopicArn"]), err)
	}
	r.PhysicalID = aws.ToString(out.SubscriptionArn)
	r.Attrs["Arn"] = r.PhysicalID
	attrs := map[string]string{"RawMessageDelivery": "false"}
	for _, name := range []string{"RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"} {
		if v, ok := p[name]; ok {
			attrs[name] = attrString(v)
		}
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, err := client.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn,
			AttributeName: aws.String(k), AttributeValue: aws.String(attrs[k])}); err != nil {
			return fmt.Errorf("subscription %s attribute %s: %w", r.LogicalID, k, err)
		}
	}
	return nil
}

// attrString renders a property as an attribute value: numbers in plain
// decimal (1209600, not 1.2096e+06), objects as JSON.
func attrString(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return str(v)
}

func isTrueProp(v any) bool { return v == true || v == "true" }

// eventBus creates an AWS::Events::EventBus through the EventBridge API;
// Ref is its name, GetAtt Arn and Name
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-eventbus.html).
func (t *target) eventBus(ctx context.Context, r *deploy.Resolved) error {
	_, err := t.events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(r.PhysicalID)})
	var exists *ebtypes.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create event bus %s: %w", r.PhysicalID, err)
	}
	return nil
}
