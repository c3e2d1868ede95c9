package localcloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
)

// eventTargets delivers EventBridge events to Lambda functions, SQS
// queues (SendMessage with the event as the body) and SNS topics (Publish
// with the event as the message), each through its service's API
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html).
type eventTargets struct {
	lambda events.Deliverer
	sqs    *awssqs.Client
	sns    *awssns.Client
}

func (d eventTargets) Deliver(ctx context.Context, target events.Target, input []byte) error {
	switch {
	case strings.HasPrefix(target.Arn, "arn:aws:sqs:"):
		parts := strings.Split(target.Arn, ":")
		q, err := d.sqs.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(parts[len(parts)-1])})
		if err != nil {
			return notFoundIsPermanent(err)
		}
		in := &awssqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(string(input))}
		if strings.HasSuffix(target.Arn, ".fifo") {
			// A FIFO queue target needs SqsParameters.MessageGroupId,
			// which the local cloud does not take: one group per target
			// keeps the events in order, deduplicated by content.
			sum := sha256.Sum256(input)
			in.MessageGroupId, in.MessageDeduplicationId = aws.String(target.ID), aws.String(hex.EncodeToString(sum[:]))
		}
		_, err = d.sqs.SendMessage(ctx, in)
		return notFoundIsPermanent(err)
	case strings.HasPrefix(target.Arn, "arn:aws:sns:"):
		_, err := d.sns.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(target.Arn), Message: aws.String(string(input))})
		return notFoundIsPermanent(err)
	}
	return d.lambda.Deliver(ctx, target, input)
}

// notFoundIsPermanent makes a missing queue or topic a failure EventBridge
// does not retry, as for a missing function.
func notFoundIsPermanent(err error) error {
	var nq *sqstypes.QueueDoesNotExist
	var nt *snstypes.NotFoundException
	if errors.As(err, &nq) || errors.As(err, &nt) {
		return events.Permanent(fmt.Errorf("target does not exist: %w", err))
	}
	return err
}
