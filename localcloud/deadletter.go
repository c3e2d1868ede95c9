package localcloud

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// deadLetters sends the asynchronous invocations and event deliveries
// that failed for good to the dead-letter queue (or topic) the template
// gave the function or the rule target, through the SQS and SNS APIs.
type deadLetters struct {
	c *Cloud
}

// invocation sends a failed asynchronous invocation: the event as the
// body, with RequestID, ErrorCode and ErrorMessage attributes
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
func (d *deadLetters) invocation(ctx context.Context, f lambda.FailedInvocation) {
	arn := f.DeadLetterArn
	msg := f.ErrorMessage
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	d.send(ctx, arn, string(f.Payload), []attr{
		{"RequestID", "String", f.RequestID},
		{"ErrorCode", "Number", strconv.Itoa(f.ErrorCode)},
		{"ErrorMessage", "String", msg},
	}, "function "+f.Function)
}

// delivery sends an event EventBridge could not deliver: the event as the
// body, with RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE and, when the
// retries ran out, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
func (d *deadLetters) delivery(ctx context.Context, f events.FailedDelivery) {
	attrs := []attr{
		{"RULE_ARN", "String", f.RuleArn},
		{"TARGET_ARN", "String", f.TargetArn},
		{"ERROR_CODE", "String", f.ErrorCode},
		{"ERROR_MESSAGE", "String", f.ErrorMessage},
	}
	if f.ExhaustedRetryCondition != "" {
		attrs = append(attrs, attr{"EXHAUSTED_RETRY_CONDITION", "String", f.ExhaustedRetryCondition},
			attr{"RETRY_ATTEMPTS", "String", strconv.Itoa(f.RetryAttempts)})
	}
	d.send(ctx, f.DeadLetterArn, string(f.Event), attrs, "rule target "+f.TargetArn)
}

type attr struct{ name, typ, value string }

func (d *deadLetters) send(ctx context.Context, arn, body string, attrs []attr, what string) {
	ctx = context.WithoutCancel(ctx)
	cfg := d.c.AWSConfig()
	var err error
	switch {
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		client := awssqs.NewFromConfig(cfg)
		parts := strings.Split(arn, ":")
		var q *awssqs.GetQueueUrlOutput
		if q, err = client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(parts[len(parts)-1])}); err != nil {
			break
		}
		in := &awssqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body), MessageAttributes: map[string]sqstypes.MessageAttributeValue{}}
		for _, a := range attrs {
			if a.value != "" {
				in.MessageAttributes[a.name] = sqstypes.MessageAttributeValue{DataType: aws.String(a.typ), StringValue: aws.String(a.value)}
			}
		}
		_, err = client.SendMessage(ctx, in)
	case strings.HasPrefix(arn, "arn:aws:sns:"):
		in := &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(body), MessageAttributes: map[string]snstypes.MessageAttributeValue{}}
		for _, a := range attrs {
			if a.value != "" {
				in.MessageAttributes[a.name] = snstypes.MessageAttributeValue{DataType: aws.String(a.typ), StringValue: aws.String(a.value)}
			}
		}
		_, err = awssns.NewFromConfig(cfg).Publish(ctx, in)
	default:
		err = fmt.Errorf("dead-letter target %s is neither an SQS queue nor an SNS topic", arn)
	}
	if err != nil {
		d.c.opts.Logger.Error("dead-letter queue: the failed work of "+what+" could not be kept", "dead_letter_target", arn, "error", err)
		return
	}
	d.c.opts.Logger.Warn("dead-letter queue: the failed work of "+what+" was sent there", "dead_letter_target", arn)
}
