package sns

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
)

type action func(ctx context.Context, form url.Values) (any, error)

func (s *Service) actions() map[string]action {
	return map[string]action{
		"CreateTopic":               s.createTopic,
		"DeleteTopic":               s.deleteTopic,
		"ListTopics":                s.listTopics,
		"GetTopicAttributes":        s.getTopicAttributes,
		"SetTopicAttributes":        s.setTopicAttributes,
		"Subscribe":                 s.subscribe,
		"ConfirmSubscription":       s.confirmSubscription,
		"Unsubscribe":               s.unsubscribe,
		"ListSubscriptions":         s.listSubscriptions,
		"ListSubscriptionsByTopic":  s.listSubscriptions,
		"GetSubscriptionAttributes": s.getSubscriptionAttributes,
		"SetSubscriptionAttributes": s.setSubscriptionAttributes,
		"Publish":                   s.publish,
		"PublishBatch":              s.publishBatch,
		"TagResource":               s.tagResource,
		"ListTagsForResource":       s.listTagsForResource,
	}
}

func (s *Service) actionNames() string {
	var names []string
	for n := range s.actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

var topicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// topicAttributes are the attributes CreateTopic and SetTopicAttributes
// take (https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html).
var topicAttributes = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true, "TracingConfig": true,
	"SignatureVersion": true, "FifoTopic": true, "ContentBasedDeduplication": true, "ArchivePolicy": true,
	"FifoThroughputScope": true, "DataProtectionPolicy": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSFailureFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true,
}

type createTopicResult struct {
	XMLName  xml.Name `xml:"CreateTopicResult"`
	TopicArn string
}

func (s *Service) createTopic(_ context.Context, form url.Values) (any, error) {
	name := form.Get("Name")
	base := strings.TrimSuffix(name, ".fifo")
	if !topicName.MatchString(base) {
		return nil, invalidParameter("Topic Name %q: topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.", name)
	}
	attrs := entries(form, "Attributes")
	for k := range attrs {
		if !topicAttributes[k] {
			return nil, invalidParameter("Attributes Reason: Unknown attribute %s", k)
		}
	}
	fifo := strings.HasSuffix(name, ".fifo")
	if (attrs["FifoTopic"] == "true") != fifo {
		return nil, invalidParameter("Topic Name: a FIFO topic's name ends with .fifo and it needs the attribute FifoTopic set to true.")
	}
	arn := s.TopicArn(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.st.Topics[arn]; ok {
		for k, v := range attrs {
			if t.Attributes[k] != v {
				return nil, invalidParameter("Attributes Reason: Topic already exists with different attributes (%s)", k)
			}
		}
		return &createTopicResult{TopicArn: arn}, nil
	}
	t := &topic{Arn: arn, Name: name, Attributes: attrs, Tags: map[string]string{}}
	for _, g := range indexed(form, "Tags.member") {
		t.Tags[g["Key"]] = g["Value"]
	}
	s.st.Topics[arn] = t
	return &createTopicResult{TopicArn: arn}, s.st.save(s.path)
}

// topic finds a topic by ARN; the caller holds s.mu.
func (s *Service) topic(arn string) (*topic, error) {
	if arn == "" {
		return nil, invalidParameter("TopicArn is required")
	}
	t, ok := s.st.Topics[arn]
	if !ok {
		return nil, notFound("Topic does not exist: %s", arn)
	}
	return t, nil
}

func (s *Service) deleteTopic(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := form.Get("TopicArn")
	if _, ok := s.st.Topics[arn]; !ok {
		return nil, nil // deleting a topic that does not exist succeeds, as in SNS
	}
	delete(s.st.Topics, arn)
	for id, sub := range s.st.Subscriptions {
		if sub.TopicArn == arn {
			delete(s.st.Subscriptions, id)
		}
	}
	return nil, s.st.save(s.path)
}

type topicMember struct {
	TopicArn string
}

type listTopicsResult struct {
	XMLName   xml.Name      `xml:"ListTopicsResult"`
	Topics    []topicMember `xml:"Topics>member"`
	NextToken string        `xml:",omitempty"`
}

func (s *Service) listTopics(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	arns := make([]string, 0, len(s.st.Topics))
	for a := range s.st.Topics {
		if a > form.Get("NextToken") {
			arns = append(arns, a)
		}
	}
	s.mu.Unlock()
	sort.Strings(arns)
	out := &listTopicsResult{Topics: []topicMember{}}
	if len(arns) > 100 {
		arns = arns[:100]
		out.NextToken = arns[99]
	}
	for _, a := range arns {
		out.Topics = append(out.Topics, topicMember{a})
	}
	return out, nil
}

type entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type attributesResult struct {
	XMLName    xml.Name
	Attributes []entry `xml:"Attributes>entry"`
}

func mapEntries(m map[string]string) []entry {
	out := make([]entry, 0, len(m))
	for k, v := range m {
		out = append(out, entry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Service) getTopicAttributes(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{
		"TopicArn": t.Arn, "Owner": s.opts.Account, "DisplayName": "", "SignatureVersion": "1",
		"Policy":                  defaultPolicy(t.Arn, s.opts.Account),
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
	}
	for k, v := range t.Attributes {
		attrs[k] = v
	}
	confirmed, pending := 0, 0
	for _, sub := range s.st.Subscriptions {
		if sub.TopicArn == t.Arn {
			if sub.Pending {
				pending++
			} else {
				confirmed++
			}
		}
	}
	attrs["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	attrs["SubscriptionsPending"] = strconv.Itoa(pending)
	attrs["SubscriptionsDeleted"] = "0"
	return &attributesResult{XMLName: xml.Name{Local: "GetTopicAttributesResult"}, Attributes: mapEntries(attrs)}, nil
}

func defaultPolicy(arn, account string) string {
	return fmt.Sprintf(`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":%q,"Condition":{"StringEquals":{"AWS:SourceOwner":%q}}}]}`, arn, account)
}

func (s *Service) setTopicAttributes(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	name := form.Get("AttributeName")
	if !topicAttributes[name] || name == "FifoTopic" {
		return nil, invalidParameter("AttributeName")
	}
	t.Attributes[name] = form.Get("AttributeValue")
	return nil, s.st.save(s.path)
}

// --- subscriptions ---

type subscribeResult struct {
	XMLName         xml.Name `xml:"SubscribeResult"`
	SubscriptionArn string
}

// subscriptionAttributes are those Subscribe and SetSubscriptionAttributes
// take (https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html).
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func (s *Service) subscribe(ctx context.Context, form url.Values) (any, error) {
	protocol, endpoint := form.Get("Protocol"), form.Get("Endpoint")
	attrs := entries(form, "Attributes")
	for k, v := range attrs {
		if err := checkSubscriptionAttribute(k, v); err != nil {
			return nil, err
		}
	}
	switch protocol {
	case "sqs":
		if !strings.HasPrefix(endpoint, "arn:aws:sqs:") {
			return nil, invalidParameter("SQS endpoint ARN")
		}
	case "lambda":
		if !strings.HasPrefix(endpoint, "arn:aws:lambda:") {
			return nil, invalidParameter("Lambda endpoint ARN")
		}
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return nil, invalidParameter("Endpoint must match the specified protocol (%s URL, got %q)", protocol, endpoint)
		}
	case "":
		return nil, invalidParameter("Protocol is required")
	default:
		return nil, invalidParameter("Invalid protocol type: %s. The local SNS delivers to sqs, lambda, http and https endpoints.", protocol)
	}
	s.mu.Lock()
	t, err := s.topic(form.Get("TopicArn"))
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	for _, sub := range s.st.Subscriptions {
		if sub.TopicArn == t.Arn && sub.Protocol == protocol && sub.Endpoint == endpoint {
			s.mu.Unlock()
			return s.subscribeAnswer(sub, form), nil
		}
	}
	sub := &subscription{Arn: t.Arn + ":" + uuid(), TopicArn: t.Arn, Protocol: protocol, Endpoint: endpoint, Attributes: attrs}
	if protocol == "http" || protocol == "https" {
		sub.Pending, sub.Token = true, token()
	}
	s.st.Subscriptions[sub.Arn] = sub
	err = s.st.save(s.path)
	c := *sub
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if c.Pending {
		s.confirmHTTP(ctx, &c)
	}
	return s.subscribeAnswer(&c, form), nil
}

func (s *Service) subscribeAnswer(sub *subscription, form url.Values) *subscribeResult {
	if sub.Pending && form.Get("ReturnSubscriptionArn") != "true" {
		return &subscribeResult{SubscriptionArn: "pending confirmation"}
	}
	return &subscribeResult{SubscriptionArn: sub.Arn}
}

func checkSubscriptionAttribute(name, value string) error {
	if !subscriptionAttributes[name] {
		return invalidParameter("Attributes Reason: Unknown attribute %s", name)
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return invalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
	case "FilterPolicy":
		if value == "" {
			return nil
		}
		if _, err := events.ParsePattern(value); err != nil {
			return invalidParameter("Filter policy: %v", err)
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
	}
	return nil
}

type confirmResult struct {
	XMLName         xml.Name `xml:"ConfirmSubscriptionResult"`
	SubscriptionArn string
}

func (s *Service) confirmSubscription(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	tok := form.Get("Token")
	for _, sub := range s.st.Subscriptions {
		if sub.TopicArn == t.Arn && sub.Token == tok && tok != "" {
			sub.Pending = false
			return &confirmResult{SubscriptionArn: sub.Arn}, s.st.save(s.path)
		}
	}
	return nil, invalidParameter("Token")
}

func (s *Service) unsubscribe(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := form.Get("SubscriptionArn")
	if _, ok := s.st.Subscriptions[arn]; !ok {
		return nil, notFound("Subscription does not exist: %s", arn)
	}
	delete(s.st.Subscriptions, arn)
	return nil, s.st.save(s.path)
}

type subscriptionMember struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

type listSubscriptionsResult struct {
	XMLName       xml.Name
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
	NextToken     string               `xml:",omitempty"`
}

func (s *Service) listSubscriptions(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &listSubscriptionsResult{XMLName: xml.Name{Local: "ListSubscriptionsResult"}, Subscriptions: []subscriptionMember{}}
	topicArn := form.Get("TopicArn")
	if form.Get("Action") == "ListSubscriptionsByTopic" {
		out.XMLName.Local = "ListSubscriptionsByTopicResult"
		if _, err := s.topic(topicArn); err != nil {
			return nil, err
		}
	}
	for _, sub := range s.st.Subscriptions {
		if topicArn != "" && sub.TopicArn != topicArn {
			continue
		}
		arn := sub.Arn
		if sub.Pending {
			arn = "PendingConfirmation"
		}
		out.Subscriptions = append(out.Subscriptions, subscriptionMember{arn, s.opts.Account, sub.Protocol, sub.Endpoint, sub.TopicArn})
	}
	sort.Slice(out.Subscriptions, func(i, j int) bool {
		a, b := out.Subscriptions[i], out.Subscriptions[j]
		return a.TopicArn+a.Endpoint < b.TopicArn+b.Endpoint
	})
	return out, nil
}

func (s *Service) getSubscriptionAttributes(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.st.Subscriptions[form.Get("SubscriptionArn")]
	if !ok {
		return nil, notFound("Subscription does not exist")
	}
	attrs := map[string]string{
		"SubscriptionArn": sub.Arn, "TopicArn": sub.TopicArn, "Owner": s.opts.Account, "Protocol": sub.Protocol,
		"Endpoint": sub.Endpoint, "ConfirmationWasAuthenticated": strconv.FormatBool(!sub.Pending),
		"PendingConfirmation": strconv.FormatBool(sub.Pending), "RawMessageDelivery": "false",
		"SubscriptionPrincipal": "arn:aws:iam::" + s.opts.Account + ":user/localcloud",
	}
	if sub.Attributes["FilterPolicy"] != "" {
		attrs["FilterPolicyScope"] = "MessageAttributes"
	}
	for k, v := range sub.Attributes {
		attrs[k] = v
	}
	return &attributesResult{XMLName: xml.Name{Local: "GetSubscriptionAttributesResult"}, Attributes: mapEntries(attrs)}, nil
}

func (s *Service) setSubscriptionAttributes(_ context.Context, form url.Values) (any, error) {
	name, value := form.Get("AttributeName"), form.Get("AttributeValue")
	if err := checkSubscriptionAttribute(name, value); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.st.Subscriptions[form.Get("SubscriptionArn")]
	if !ok {
		return nil, notFound("Subscription does not exist")
	}
	if sub.Attributes == nil {
		sub.Attributes = map[string]string{}
	}
	sub.Attributes[name] = value
	return nil, s.st.save(s.path)
}

// --- tags ---

func (s *Service) tagResource(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.st.Topics[form.Get("ResourceArn")]
	if !ok {
		return nil, &apiError{status: 404, code: "ResourceNotFound", msg: "Resource does not exist: " + form.Get("ResourceArn")}
	}
	if t.Tags == nil {
		t.Tags = map[string]string{}
	}
	for _, g := range indexed(form, "Tags.member") {
		t.Tags[g["Key"]] = g["Value"]
	}
	return &struct {
		XMLName xml.Name `xml:"TagResourceResult"`
	}{}, s.st.save(s.path)
}

type tagMember struct {
	Key   string
	Value string
}

func (s *Service) listTagsForResource(_ context.Context, form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.st.Topics[form.Get("ResourceArn")]
	if !ok {
		return nil, &apiError{status: 404, code: "ResourceNotFound", msg: "Resource does not exist: " + form.Get("ResourceArn")}
	}
	out := &struct {
		XMLName xml.Name    `xml:"ListTagsForResourceResult"`
		Tags    []tagMember `xml:"Tags>member"`
	}{Tags: []tagMember{}}
	for k, v := range t.Tags {
		out.Tags = append(out.Tags, tagMember{k, v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func token() string {
	var b [64]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}
