package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueRow is a queue on the messaging page.
type queueRow struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Arn      string `json:"arn"`
	Visible  int    `json:"visible"`
	InFlight int    `json:"inFlight"`
	Delayed  int    `json:"delayed"`
	// DeadLetterQueue is the ARN its RedrivePolicy sends messages to.
	DeadLetterQueue string `json:"deadLetterQueue,omitempty"`
	MaxReceiveCount string `json:"maxReceiveCount,omitempty"`
	Fifo            bool   `json:"fifo"`
}

// subscriptionRow is a subscription of a topic.
type subscriptionRow struct {
	Arn      string `json:"arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

// topicRow is a topic with its subscriptions.
type topicRow struct {
	Arn           string            `json:"arn"`
	Name          string            `json:"name"`
	Subscriptions []subscriptionRow `json:"subscriptions"`
}

// messaging lists the SQS queues with their message counts and the SNS
// topics with their subscriptions, through the SQS and SNS APIs.
func (h *handler) messaging(r *http.Request) (any, error) {
	ctx := r.Context()
	sqsc, snsc := awssqs.NewFromConfig(h.opts.AWS), awssns.NewFromConfig(h.opts.AWS)
	queues := []queueRow{}
	list, err := sqsc.ListQueues(ctx, &awssqs.ListQueuesInput{})
	if err != nil {
		return nil, err
	}
	for _, u := range list.QueueUrls {
		attrs, err := sqsc.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			continue // deleted meanwhile
		}
		a := attrs.Attributes
		count := func(k string) int { n, _ := strconv.Atoi(a[k]); return n }
		row := queueRow{Name: u[strings.LastIndex(u, "/")+1:], URL: u, Arn: a["QueueArn"], Visible: count("ApproximateNumberOfMessages"),
			InFlight: count("ApproximateNumberOfMessagesNotVisible"), Delayed: count("ApproximateNumberOfMessagesDelayed"), Fifo: a["FifoQueue"] == "true"}
		if p := a["RedrivePolicy"]; p != "" {
			var rp struct {
				DeadLetterTargetArn string `json:"deadLetterTargetArn"`
				MaxReceiveCount     any    `json:"maxReceiveCount"`
			}
			if jsonUnmarshal(p, &rp) == nil {
				row.DeadLetterQueue, row.MaxReceiveCount = rp.DeadLetterTargetArn, anyString(rp.MaxReceiveCount)
			}
		}
		queues = append(queues, row)
	}
	topics := []topicRow{}
	byArn := map[string]int{}
	tl, err := snsc.ListTopics(ctx, &awssns.ListTopicsInput{})
	if err != nil {
		return nil, err
	}
	for _, t := range tl.Topics {
		arn := aws.ToString(t.TopicArn)
		byArn[arn] = len(topics)
		topics = append(topics, topicRow{Arn: arn, Name: arn[strings.LastIndex(arn, ":")+1:], Subscriptions: []subscriptionRow{}})
	}
	subs, err := snsc.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil {
		return nil, err
	}
	for _, s := range subs.Subscriptions {
		if i, ok := byArn[aws.ToString(s.TopicArn)]; ok {
			topics[i].Subscriptions = append(topics[i].Subscriptions, subscriptionRow{Arn: aws.ToString(s.SubscriptionArn),
				Protocol: aws.ToString(s.Protocol), Endpoint: aws.ToString(s.Endpoint)})
		}
	}
	sort.Slice(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
	return map[string]any{"queues": queues, "topics": topics}, nil
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func anyString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return ""
}
