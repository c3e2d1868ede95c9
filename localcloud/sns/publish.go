package sns

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
)

// publication is one message published to a topic.
type publication struct {
	id, topic, subject, message, structure string
	attrs                                  map[string]attributeValue
	groupID, dedupID                       string
	sequence                               string
	at                                     time.Time
}

type publishResult struct {
	XMLName        xml.Name `xml:"PublishResult"`
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

// maxMessage is the largest message SNS publishes: 256 KiB
// (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
const maxMessage = 262144

func (s *Service) publish(ctx context.Context, form url.Values) (any, error) {
	arn := form.Get("TopicArn")
	if arn == "" {
		arn = form.Get("TargetArn")
	}
	if arn == "" {
		return nil, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter (the local SNS publishes to topics, not phone numbers)")
	}
	attrs, err := messageAttributes(form, "MessageAttributes")
	if err != nil {
		return nil, err
	}
	p, err := s.newPublication(arn, form.Get("Subject"), form.Get("Message"), form.Get("MessageStructure"),
		attrs, form.Get("MessageGroupId"), form.Get("MessageDeduplicationId"), form.Has("Message"))
	if err != nil {
		return nil, err
	}
	if err := s.fanOut(ctx, p); err != nil {
		return nil, err
	}
	return &publishResult{MessageId: p.id, SequenceNumber: p.sequence}, nil
}

// newPublication validates one message for a topic.
func (s *Service) newPublication(arn, subject, message, structure string, attrs map[string]attributeValue, group, dedup string, hasMessage bool) (*publication, error) {
	s.mu.Lock()
	t, err := s.topic(arn)
	var fifo bool
	if err == nil {
		fifo = t.Attributes["FifoTopic"] == "true"
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if !hasMessage || message == "" {
		return nil, invalidParameter("Empty message")
	}
	if len(message) > maxMessage {
		return nil, invalidParameter("Message too long (%d bytes; the limit is %d)", len(message), maxMessage)
	}
	if len(subject) > 100 || strings.ContainsAny(subject, "\n\r") {
		return nil, invalidParameter("Subject: at most 100 characters, without line breaks")
	}
	if structure != "" {
		if structure != "json" {
			return nil, invalidParameter("MessageStructure: the only value is json")
		}
		var m map[string]any
		if json.Unmarshal([]byte(message), &m) != nil {
			return nil, invalidParameter("Message Structure - JSON message body failed to parse")
		}
		if _, ok := m["default"].(string); !ok {
			return nil, invalidParameter("Message Structure - No default entry in JSON message body")
		}
	}
	p := &publication{id: uuid(), topic: arn, subject: subject, message: message, structure: structure, attrs: attrs, at: s.opts.Clock.Now().UTC()}
	if fifo {
		if group == "" {
			return nil, invalidParameter("The MessageGroupId parameter is required for FIFO topics")
		}
		if dedup == "" && t.Attributes["ContentBasedDeduplication"] != "true" {
			return nil, invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		if dedup == "" {
			sum := sha256.Sum256([]byte(message))
			dedup = hex.EncodeToString(sum[:])
		}
		p.groupID, p.dedupID = group, dedup
		p.sequence = fmt.Sprintf("%020d", p.at.UnixNano())
	}
	return p, nil
}

// fanOut delivers a publication to every confirmed subscription of its
// topic whose filter policy it matches. Deliveries to queues and functions
// are made before Publish answers, so a published message is in its
// queues once Publish returns; HTTP deliveries run in the background.
func (s *Service) fanOut(ctx context.Context, p *publication) error {
	s.mu.Lock()
	if p.dedupID != "" {
		// A FIFO topic delivers a message whose deduplication id it saw
		// in the last five minutes only once
		// (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html).
		key, now := p.topic+" "+p.dedupID, p.at
		if until, seen := s.dedup[key]; seen && now.Before(until) {
			s.mu.Unlock()
			return nil
		}
		if s.dedup == nil {
			s.dedup = map[string]time.Time{}
		}
		for k, until := range s.dedup {
			if !now.Before(until) {
				delete(s.dedup, k)
			}
		}
		s.dedup[key] = now.Add(5 * time.Minute)
	}
	var subs []subscription
	for _, sub := range s.st.Subscriptions {
		if sub.TopicArn == p.topic && !sub.Pending {
			subs = append(subs, *sub)
		}
	}
	s.mu.Unlock()
	for _, sub := range subs {
		if !matches(&sub, p) {
			continue
		}
		switch sub.Protocol {
		case "sqs":
			if err := s.toQueue(ctx, &sub, p); err != nil {
				s.opts.Logger.Error("sns: delivery to a queue failed", "subscription", sub.Arn, "queue", sub.Endpoint, "error", err)
			}
		case "lambda":
			if err := s.toFunction(ctx, &sub, p); err != nil {
				s.opts.Logger.Error("sns: delivery to a function failed", "subscription", sub.Arn, "function", sub.Endpoint, "error", err)
			}
		case "http", "https":
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.toHTTP(context.WithoutCancel(ctx), &sub, p)
			}()
		}
	}
	return nil
}

// messageFor picks the message text a protocol gets: with MessageStructure
// json, its own entry or the default one.
func messageFor(p *publication, protocol string) string {
	if p.structure != "json" {
		return p.message
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(p.message), &m)
	if v, ok := m[protocol].(string); ok {
		return v
	}
	v, _ := m["default"].(string)
	return v
}

// envelope is the JSON notification SNS delivers to queues and HTTP
// endpoints (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
func (s *Service) envelope(ctx context.Context, sub *subscription, p *publication) map[string]any {
	m := map[string]any{
		"Type":             "Notification",
		"MessageId":        p.id,
		"TopicArn":         p.topic,
		"Message":          messageFor(p, sub.Protocol),
		"Timestamp":        p.at.Format("2006-01-02T15:04:05.000Z"),
		"SignatureVersion": "1",
		"SigningCertURL":   s.link(ctx, "SimpleNotificationService.pem"),
		"UnsubscribeURL":   s.link(ctx, "?Action=Unsubscribe&SubscriptionArn="+url.QueryEscape(sub.Arn)),
	}
	if p.subject != "" {
		m["Subject"] = p.subject
	}
	if p.sequence != "" {
		m["SequenceNumber"] = p.sequence
	}
	if len(p.attrs) > 0 {
		ma := map[string]any{}
		for k, v := range p.attrs {
			val := v.StringValue
			if v.BinaryValue != nil {
				val = base64.StdEncoding.EncodeToString(v.BinaryValue)
			}
			ma[k] = map[string]string{"Type": v.DataType, "Value": val}
		}
		m["MessageAttributes"] = ma
	}
	m["Signature"] = s.signer.sign(m)
	return m
}

func (s *Service) toQueue(ctx context.Context, sub *subscription, p *publication) error {
	if s.opts.SQS == nil {
		return fmt.Errorf("no SQS client to deliver with")
	}
	parts := strings.Split(sub.Endpoint, ":")
	if len(parts) != 6 {
		return fmt.Errorf("endpoint %s is not a queue ARN", sub.Endpoint)
	}
	q, err := s.opts.SQS.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(parts[5]), QueueOwnerAWSAccountId: aws.String(parts[4])})
	if err != nil {
		return err
	}
	in := &awssqs.SendMessageInput{QueueUrl: q.QueueUrl}
	if p.groupID != "" {
		in.MessageGroupId = aws.String(p.groupID)
		in.MessageDeduplicationId = aws.String(p.dedupID)
	}
	if sub.Attributes["RawMessageDelivery"] == "true" {
		in.MessageBody = aws.String(messageFor(p, "sqs"))
		if len(p.attrs) > 0 {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{}
			for k, v := range p.attrs {
				a := sqstypes.MessageAttributeValue{DataType: aws.String(v.DataType)}
				if v.BinaryValue != nil {
					a.BinaryValue = v.BinaryValue
				} else {
					a.StringValue = aws.String(v.StringValue)
				}
				in.MessageAttributes[k] = a
			}
		}
	} else {
		body, _ := json.Marshal(s.envelope(ctx, sub, p))
		in.MessageBody = aws.String(string(body))
	}
	_, err = s.opts.SQS.SendMessage(ctx, in)
	return err
}

// toFunction invokes a function asynchronously with an SNS event, the
// shape of aws-lambda-go's events.SNSEvent
// (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
func (s *Service) toFunction(ctx context.Context, sub *subscription, p *publication) error {
	if s.opts.Lambda == nil {
		return fmt.Errorf("no Lambda client to deliver with")
	}
	env := s.envelope(ctx, sub, p)
	var subject any
	if p.subject != "" {
		subject = p.subject
	}
	record := map[string]any{
		"EventSource":          "aws:sns",
		"EventVersion":         "1.0",
		"EventSubscriptionArn": sub.Arn,
		"Sns": map[string]any{
			"Type": "Notification", "MessageId": p.id, "TopicArn": p.topic, "Subject": subject,
			"Message": env["Message"], "Timestamp": env["Timestamp"], "SignatureVersion": "1",
			"Signature": env["Signature"], "SigningCertUrl": env["SigningCertURL"], "UnsubscribeUrl": env["UnsubscribeURL"],
			"MessageAttributes": orEmpty(env["MessageAttributes"]),
		},
	}
	payload, _ := json.Marshal(map[string]any{"Records": []any{record}})
	_, err := s.opts.Lambda.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String(sub.Endpoint), InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload,
	})
	return err
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// toHTTP posts a notification to an HTTP endpoint with the headers SNS
// sends, retrying a failed post three times, 20 seconds apart, as SNS's
// default delivery policy does
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html#http-header).
func (s *Service) toHTTP(ctx context.Context, sub *subscription, p *publication) {
	var body []byte
	raw := sub.Attributes["RawMessageDelivery"] == "true"
	if raw {
		body = []byte(messageFor(p, sub.Protocol))
	} else {
		body, _ = json.Marshal(s.envelope(ctx, sub, p))
	}
	headers := map[string]string{
		"x-amz-sns-message-type":     "Notification",
		"x-amz-sns-message-id":       p.id,
		"x-amz-sns-topic-arn":        p.topic,
		"x-amz-sns-subscription-arn": sub.Arn,
	}
	if raw {
		headers["x-amz-sns-rawdelivery"] = "true"
	}
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			select {
			case <-s.opts.Clock.After(20 * time.Second):
			case <-ctx.Done():
				return
			}
		}
		err := s.post(ctx, sub.Endpoint, headers, body)
		if err == nil {
			return
		}
		s.opts.Logger.Warn("sns: delivery to an HTTP endpoint failed", "subscription", sub.Arn, "endpoint", sub.Endpoint, "attempt", attempt+1, "error", err)
	}
}

func (s *Service) post(ctx context.Context, endpoint string, headers map[string]string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := s.opts.HTTP.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", res.Status)
	}
	return nil
}

// confirmHTTP posts the SubscriptionConfirmation message to a new HTTP
// subscription's endpoint; the endpoint confirms by visiting SubscribeURL
// or calling ConfirmSubscription with the token.
func (s *Service) confirmHTTP(ctx context.Context, sub *subscription) {
	subscribeURL := s.link(ctx, "?Action=ConfirmSubscription&TopicArn="+url.QueryEscape(sub.TopicArn)+"&Token="+sub.Token)
	m := map[string]any{
		"Type":      "SubscriptionConfirmation",
		"MessageId": uuid(),
		"Token":     sub.Token,
		"TopicArn":  sub.TopicArn,
		"Message": "You have chosen to subscribe to the topic " + sub.TopicArn +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		"SubscribeURL":     subscribeURL,
		"Timestamp":        s.opts.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"SignatureVersion": "1",
		"SigningCertURL":   s.link(ctx, "SimpleNotificationService.pem"),
	}
	m["Signature"] = s.signer.sign(m)
	body, _ := json.Marshal(m)
	headers := map[string]string{
		"x-amz-sns-message-type": "SubscriptionConfirmation",
		"x-amz-sns-message-id":   m["MessageId"].(string),
		"x-amz-sns-topic-arn":    sub.TopicArn,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.post(context.WithoutCancel(ctx), sub.Endpoint, headers, body); err != nil {
			s.opts.Logger.Warn("sns: subscription confirmation not delivered", "subscription", sub.Arn, "endpoint", sub.Endpoint, "error", err)
		}
	}()
}

// matches applies a subscription's filter policy, written in the filter
// policy language SNS shares with EventBridge patterns
// (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html),
// to the message attributes or, with FilterPolicyScope MessageBody, to
// the message.
func matches(sub *subscription, p *publication) bool {
	policy := sub.Attributes["FilterPolicy"]
	if policy == "" {
		return true
	}
	pat, err := events.ParsePattern(policy)
	if err != nil {
		return false
	}
	if sub.Attributes["FilterPolicyScope"] == "MessageBody" {
		var body any
		if json.Unmarshal([]byte(p.message), &body) != nil {
			return false
		}
		return pat.MatchesValue(body)
	}
	doc := map[string]any{}
	for k, v := range p.attrs {
		switch {
		case v.DataType == "String.Array":
			var list []any
			if json.Unmarshal([]byte(v.StringValue), &list) == nil {
				doc[k] = list
			}
		case strings.HasPrefix(v.DataType, "Number"):
			if f, err := strconv.ParseFloat(v.StringValue, 64); err == nil {
				doc[k] = f
			}
		case strings.HasPrefix(v.DataType, "String"):
			doc[k] = v.StringValue
		}
	}
	return pat.MatchesValue(doc)
}

// --- PublishBatch ---

type batchEntryResult struct {
	Id             string
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

type batchEntryError struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

type publishBatchResult struct {
	XMLName    xml.Name           `xml:"PublishBatchResult"`
	Successful []batchEntryResult `xml:"Successful>member"`
	Failed     []batchEntryError  `xml:"Failed>member"`
}

func (s *Service) publishBatch(ctx context.Context, form url.Values) (any, error) {
	arn := form.Get("TopicArn")
	s.mu.Lock()
	_, err := s.topic(arn)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	prefix := "PublishBatchRequestEntries.member"
	groups := indexed(form, prefix)
	if len(groups) == 0 {
		return nil, &apiError{status: 400, code: "EmptyBatchRequest", msg: "The batch request doesn't contain any entries."}
	}
	if len(groups) > 10 {
		return nil, &apiError{status: 400, code: "TooManyEntriesInBatchRequest", msg: "The batch request contains more entries than permissible (10)."}
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if seen[g["Id"]] {
			return nil, &apiError{status: 400, code: "BatchEntryIdsNotDistinct", msg: "Two or more batch entries in the request have the same Id: " + g["Id"]}
		}
		seen[g["Id"]] = true
	}
	out := &publishBatchResult{Successful: []batchEntryResult{}, Failed: []batchEntryError{}}
	for _, g := range groups {
		sub := url.Values{}
		for k, v := range g {
			sub.Set(k, v)
		}
		attrs, err := messageAttributes(sub, "MessageAttributes")
		var p *publication
		if err == nil {
			_, has := g["Message"]
			p, err = s.newPublication(arn, g["Subject"], g["Message"], g["MessageStructure"], attrs, g["MessageGroupId"], g["MessageDeduplicationId"], has)
		}
		if err == nil {
			err = s.fanOut(ctx, p)
		}
		if err != nil {
			e, _ := err.(*apiError)
			if e == nil {
				e = &apiError{status: 500, code: "InternalError", msg: err.Error()}
			}
			out.Failed = append(out.Failed, batchEntryError{Id: g["Id"], Code: e.code, Message: e.msg, SenderFault: e.status < 500})
			continue
		}
		out.Successful = append(out.Successful, batchEntryResult{Id: g["Id"], MessageId: p.id, SequenceNumber: p.sequence})
	}
	return out, nil
}
