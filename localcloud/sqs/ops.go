package sqs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flexInt is an integer parameter: a number in the JSON protocol, a string
// in the query protocol.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errInvalid("Value %s is not a valid integer.", string(b))
	}
	*n = flexInt(v)
	return nil
}

// --- queues ---

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string
}

func (s *Service) createQueue(ctx context.Context, in *createQueueInput) (*queueURLOutput, error) {
	if in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	if err := validName(in.QueueName); err != nil {
		return nil, err
	}
	fifo := strings.HasSuffix(in.QueueName, ".fifo")
	if err := checkAttributes(in.Attributes, fifo, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[in.QueueName]; ok {
		// Creating an existing queue with the same attributes returns it;
		// with different ones it is an error.
		for k, v := range in.Attributes {
			if cur, set := q.Attributes[k]; (set && cur != v) || (!set && attributeDefaults[k] != v && !(k == "FifoQueue" && v == "false")) {
				return nil, newError("QueueNameExists", "QueueAlreadyExists",
					"A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return &queueURLOutput{QueueUrl: s.url(ctx, q.Name)}, nil
	}
	now := s.opts.Clock.Now().Unix()
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	if fifo {
		attrs["FifoQueue"] = "true"
	}
	q := &queue{
		queueRecord: queueRecord{Name: in.QueueName, Attributes: attrs, Tags: in.Tags, Created: now, Modified: now},
		dir:         queueDir(s.dir, in.QueueName), dedup: map[string]int64{}, changed: make(chan struct{}),
	}
	if err := q.create(); err != nil {
		return nil, err
	}
	s.queues[q.Name] = q
	return &queueURLOutput{QueueUrl: s.url(ctx, q.Name)}, nil
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

func (s *Service) getQueueURL(ctx context.Context, in *getQueueURLInput) (*queueURLOutput, error) {
	if in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok || (in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.opts.Account) {
		return nil, errNoQueue("queue name " + in.QueueName)
	}
	return &queueURLOutput{QueueUrl: s.url(ctx, in.QueueName)}, nil
}

type queueRef struct {
	QueueUrl string
}

func (s *Service) deleteQueue(_ context.Context, in *queueRef) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := q.destroy(); err != nil {
		return nil, err
	}
	delete(s.queues, q.Name)
	q.wake()
	return &struct{}{}, nil
}

func (s *Service) purgeQueue(_ context.Context, in *queueRef) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := millis(s.opts.Clock.Now())
	if now-q.purged < 60_000 {
		return nil, newError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
			"Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
	}
	for len(q.msgs) > 0 {
		if err := q.remove(q.msgs[0]); err != nil {
			return nil, err
		}
	}
	q.purged = now
	return &struct{}{}, nil
}

type listQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *flexInt
	NextToken       string
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken string   `json:",omitempty"`
}

func (s *Service) listQueues(ctx context.Context, in *listQueuesInput) (*listQueuesOutput, error) {
	s.mu.Lock()
	names := make([]string, 0, len(s.queues))
	for n := range s.queues {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > in.NextToken {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, errInvalid("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	out := &listQueuesOutput{}
	if len(names) > limit {
		names = names[:limit]
		if in.MaxResults != nil {
			out.NextToken = names[limit-1]
		}
	}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.url(ctx, n))
	}
	return out, nil
}

type getAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

func (s *Service) getQueueAttributes(_ context.Context, in *getAttributesInput) (*attributesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	all := s.attributes(q)
	out := &attributesOutput{Attributes: map[string]string{}}
	for _, n := range in.AttributeNames {
		if n == "All" {
			out.Attributes = all
			break
		}
		v, ok := all[n]
		if !ok {
			if _, known := settable[n]; !known {
				return nil, errAttrName(n)
			}
			continue
		}
		out.Attributes[n] = v
	}
	return out, nil
}

// attributes lists every attribute of q that has a value; the caller
// holds s.mu.
func (s *Service) attributes(q *queue) map[string]string {
	out := map[string]string{}
	for k, v := range attributeDefaults {
		out[k] = v
	}
	for k, v := range q.Attributes {
		out[k] = v
	}
	visible, inFlight, delayed := q.counts(millis(s.opts.Clock.Now()))
	out["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	out["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
	out["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	out["CreatedTimestamp"] = strconv.FormatInt(q.Created, 10)
	out["LastModifiedTimestamp"] = strconv.FormatInt(q.Modified, 10)
	out["QueueArn"] = s.Arn(q.Name)
	if q.fifo() {
		if out["ContentBasedDeduplication"] == "" {
			out["ContentBasedDeduplication"] = "false"
		}
		if out["DeduplicationScope"] == "" {
			out["DeduplicationScope"] = "queue"
		}
		if out["FifoThroughputLimit"] == "" {
			out["FifoThroughputLimit"] = "perQueue"
		}
	}
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	return out
}

type setAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string
}

func (s *Service) setQueueAttributes(_ context.Context, in *setAttributesInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkAttributes(in.Attributes, q.fifo(), false); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		q.Attributes[k] = v
	}
	q.Modified = s.opts.Clock.Now().Unix()
	return &struct{}{}, q.saveRecord()
}

// --- sending ---

type sendInput struct {
	QueueUrl                string
	Id                      string // batch entries only
	MessageBody             *string
	DelaySeconds            *flexInt
	MessageAttributes       map[string]AttributeValue
	MessageSystemAttributes map[string]AttributeValue
	MessageDeduplicationId  string
	MessageGroupId          string
}

type sendOutput struct {
	Id                           string `json:",omitempty"` // batch entries only
	MessageId                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty"`
	SequenceNumber               string `json:",omitempty"`
}

func (s *Service) sendMessage(_ context.Context, in *sendInput) (*sendOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.send(q, in)
}

// send validates and stores one message; the caller holds s.mu.
func (s *Service) send(q *queue, in *sendInput) (*sendOutput, error) {
	if in.MessageBody == nil {
		return nil, errMissing("MessageBody")
	}
	body := *in.MessageBody
	if body == "" {
		return nil, errInvalid("The request must contain a non-empty message body.")
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	size := len(body)
	for n, v := range in.MessageAttributes {
		if err := checkAttribute(n, v); err != nil {
			return nil, err
		}
		size += len(n) + len(v.DataType) + len(deref(v.StringValue)) + len(v.BinaryValue)
	}
	if max := q.intAttr("MaximumMessageSize"); int64(size) > max {
		return nil, errInvalid("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
	}
	for n := range in.MessageSystemAttributes {
		if n != "AWSTraceHeader" {
			return nil, errInvalid("Message system attribute name '%s' is invalid; the only one is AWSTraceHeader.", n)
		}
	}
	now := s.opts.Clock.Now()
	delay := q.intAttr("DelaySeconds")
	if in.DelaySeconds != nil {
		delay = int64(*in.DelaySeconds)
		if delay < 0 || delay > 900 {
			return nil, errInvalid("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", delay)
		}
	}
	m := &message{
		ID: newUUID(), Body: body, Attributes: in.MessageAttributes, System: in.MessageSystemAttributes,
		Sent: millis(now), SenderID: s.opts.Account,
	}
	out := &sendOutput{Id: in.Id, MD5OfMessageBody: md5Hex(body), MD5OfMessageAttributes: md5OfAttributes(in.MessageAttributes),
		MD5OfMessageSystemAttributes: md5OfAttributes(in.MessageSystemAttributes)}
	if q.fifo() {
		if in.MessageGroupId == "" {
			return nil, errMissing("MessageGroupId")
		}
		if in.DelaySeconds != nil && *in.DelaySeconds != 0 {
			return nil, errInvalid("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *in.DelaySeconds)
		}
		delay = 0
		dedup := in.MessageDeduplicationId
		if dedup == "" {
			if q.Attributes["ContentBasedDeduplication"] != "true" {
				return nil, errInvalid("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(body))
			dedup = hex.EncodeToString(sum[:])
		}
		m.GroupID, m.DedupID = in.MessageGroupId, dedup
		// A message with a deduplication id seen in the last five
		// minutes is accepted but not delivered again.
		if until, ok := q.dedup[dedup]; ok && until > millis(now) {
			out.MessageId = newUUID()
			out.SequenceNumber = fmt.Sprintf("%020d", q.sequence)
			return out, nil
		}
		q.dedup[dedup] = millis(now.Add(5 * time.Minute))
		q.sequence++
		m.Sequence = fmt.Sprintf("%020d", q.sequence)
		out.SequenceNumber = m.Sequence
	} else if in.MessageGroupId != "" && in.MessageDeduplicationId != "" {
		return nil, errInvalid("The request include parameter MessageDeduplicationId that is not valid for this queue type (standard queues take no deduplication id).")
	}
	if !q.fifo() && in.MessageGroupId != "" {
		m.GroupID = in.MessageGroupId
	}
	m.VisibleAt = millis(now) + delay*1000
	if err := q.add(m); err != nil {
		return nil, err
	}
	out.MessageId = m.ID
	return out, nil
}

// checkBody accepts the characters SQS allows in a message: #x9, #xA, #xD,
// #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to #x10FFFF
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
func checkBody(body string) error {
	for _, c := range body {
		if c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF) {
			continue
		}
		return newError("InvalidMessageContents", "InvalidMessageContents",
			"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (found %U)", c)
	}
	return nil
}

// checkAttribute validates one message attribute: a data type of String,
// Number or Binary (optionally with a .custom suffix) and a value of that
// kind.
func checkAttribute(name string, v AttributeValue) error {
	if name == "" || len(name) > 256 || strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
		return errInvalid("Message attribute name '%s' is invalid: 1 to 256 characters, not starting with AWS. or Amazon.", name)
	}
	base, _, _ := strings.Cut(v.DataType, ".")
	switch base {
	case "String", "Number":
		if v.StringValue == nil {
			return errInvalid("Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
				return errInvalid("Can't cast the value of message (user) attribute '%s' to a number.", name)
			}
		}
	case "Binary":
		if v.BinaryValue == nil {
			return errInvalid("Message attribute '%s' must contain a non-empty message attribute value for message attribute type 'Binary'.", name)
		}
	default:
		return errInvalid("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
	}
	return nil
}

type batchInput[E any] struct {
	QueueUrl string
	Entries  []E
}

type batchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

type batchOutput[E any] struct {
	Successful []E
	Failed     []batchError
}

// checkBatch applies the rules every batch operation shares: one to ten
// entries with distinct, well-formed ids.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return newError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
	}
	if len(ids) > 10 {
		return newError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > 80 || strings.IndexFunc(id, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
		}) >= 0 {
			return newError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long (got %q).", id)
		}
		if seen[id] {
			return newError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

func (s *Service) sendMessageBatch(_ context.Context, in *batchInput[sendInput]) (*batchOutput[sendOutput], error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &batchOutput[sendOutput]{Successful: []sendOutput{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		res, err := s.send(q, &e)
		if err != nil {
			ae := asAPIError(err)
			out.Failed = append(out.Failed, batchError{Id: e.Id, SenderFault: ae.status < 500, Code: ae.code, Message: ae.msg})
			continue
		}
		out.Successful = append(out.Successful, *res)
	}
	return out, nil
}

// --- deleting and visibility ---

type deleteInput struct {
	QueueUrl      string
	Id            string // batch entries only
	ReceiptHandle string
}

type batchResult struct{ Id string }

func (s *Service) deleteMessage(_ context.Context, in *deleteInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, s.delete(q, in.ReceiptHandle)
}

// delete removes the message a receipt handle was issued for; a message
// already gone is no error, as in SQS.
func (s *Service) delete(q *queue, handle string) error {
	id, ok := parseHandle(handle, q.Name)
	if !ok {
		return errReceipt(handle)
	}
	for _, m := range q.msgs {
		if m.ID == id {
			return q.remove(m)
		}
	}
	return nil
}

func (s *Service) deleteMessageBatch(_ context.Context, in *batchInput[deleteInput]) (*batchOutput[batchResult], error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &batchOutput[batchResult]{Successful: []batchResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := s.delete(q, e.ReceiptHandle); err != nil {
			ae := asAPIError(err)
			out.Failed = append(out.Failed, batchError{Id: e.Id, SenderFault: true, Code: ae.code, Message: ae.msg})
			continue
		}
		out.Successful = append(out.Successful, batchResult{Id: e.Id})
	}
	return out, nil
}

type visibilityInput struct {
	QueueUrl          string
	Id                string // batch entries only
	ReceiptHandle     string
	VisibilityTimeout *flexInt
}

func (s *Service) changeMessageVisibility(_ context.Context, in *visibilityInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, s.changeVisibility(q, in)
}

func (s *Service) changeVisibility(q *queue, in *visibilityInput) error {
	if in.VisibilityTimeout == nil {
		return errMissing("VisibilityTimeout")
	}
	v := int64(*in.VisibilityTimeout)
	if v < 0 || v > 43200 {
		return errInvalid("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", v)
	}
	id, ok := parseHandle(in.ReceiptHandle, q.Name)
	if !ok {
		return errReceipt(in.ReceiptHandle)
	}
	now := millis(s.opts.Clock.Now())
	for _, m := range q.msgs {
		if m.ID != id {
			continue
		}
		if m.Handle != in.ReceiptHandle || m.VisibleAt <= now {
			return newError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
		}
		m.VisibleAt = now + v*1000
		if err := q.save(m); err != nil {
			return err
		}
		if v == 0 {
			q.wake()
		}
		return nil
	}
	return newError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
}

func (s *Service) changeMessageVisibilityBatch(_ context.Context, in *batchInput[visibilityInput]) (*batchOutput[batchResult], error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &batchOutput[batchResult]{Successful: []batchResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := s.changeVisibility(q, &e); err != nil {
			ae := asAPIError(err)
			out.Failed = append(out.Failed, batchError{Id: e.Id, SenderFault: true, Code: ae.code, Message: ae.msg})
			continue
		}
		out.Successful = append(out.Successful, batchResult{Id: e.Id})
	}
	return out, nil
}

// --- tags ---

type tagInput struct {
	QueueUrl string
	Tags     map[string]string
	TagKeys  []string
}

func (s *Service) tagQueue(_ context.Context, in *tagInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if q.Tags == nil {
		q.Tags = map[string]string{}
	}
	for k, v := range in.Tags {
		q.Tags[k] = v
	}
	return &struct{}{}, q.saveRecord()
}

func (s *Service) untagQueue(_ context.Context, in *tagInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(q.Tags, k)
	}
	return &struct{}{}, q.saveRecord()
}

func (s *Service) listQueueTags(_ context.Context, in *queueRef) (*struct {
	Tags map[string]string `json:",omitempty"`
}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &struct {
		Tags map[string]string `json:",omitempty"`
	}{Tags: map[string]string{}}
	for k, v := range q.Tags {
		out.Tags[k] = v
	}
	return out, nil
}

// deadLetterSources is ListDeadLetterSourceQueues' answer, whose member
// the service model names in lower camel case.
type deadLetterSources struct {
	QueueUrls []string `json:"queueUrls"`
}

func (s *Service) listDeadLetterSourceQueues(ctx context.Context, in *queueRef) (*deadLetterSources, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &deadLetterSources{QueueUrls: []string{}}
	for _, src := range s.queues {
		if arn, _, err := parseRedrive(src.Attributes["RedrivePolicy"]); err == nil && arn == s.Arn(q.Name) {
			out.QueueUrls = append(out.QueueUrls, s.url(ctx, src.Name))
		}
	}
	sort.Strings(out.QueueUrls)
	return out, nil
}

// newUUID returns a random version-4 UUID, the form of SQS message ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// jsonOp decodes a JSON-shaped body into In and runs fn.
func jsonOp[In, Out any](fn func(context.Context, *In) (Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				if ae, ok := err.(*apiError); ok {
					return nil, ae
				}
				return nil, newError("InvalidParameterValue", "InvalidParameterValue", "The request does not fit this operation: %v", err)
			}
		}
		return fn(ctx, in)
	}
}
