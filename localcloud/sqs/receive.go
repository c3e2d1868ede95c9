package sqs

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

type receiveInput struct {
	QueueUrl                    string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *flexInt
	VisibilityTimeout           *flexInt
	WaitTimeSeconds             *flexInt
	ReceiveRequestAttemptId     string
}

// Message is a received message as the API returns it.
type Message struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string         `json:",omitempty"`
	MD5OfMessageAttributes string                    `json:",omitempty"`
	MessageAttributes      map[string]AttributeValue `json:",omitempty"`
}

type receiveOutput struct {
	Messages []Message `json:",omitempty"`
}

// systemAttributes are the names ReceiveMessage takes in AttributeNames
// and MessageSystemAttributeNames
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
var systemAttributes = map[string]bool{
	"All": true, "SenderId": true, "SentTimestamp": true, "ApproximateReceiveCount": true,
	"ApproximateFirstReceiveTimestamp": true, "SequenceNumber": true, "MessageDeduplicationId": true,
	"MessageGroupId": true, "AWSTraceHeader": true, "DeadLetterQueueSourceArn": true,
}

func (s *Service) receiveMessage(ctx context.Context, in *receiveInput) (*receiveOutput, error) {
	limit := int64(1)
	if in.MaxNumberOfMessages != nil {
		limit = int64(*in.MaxNumberOfMessages)
		if limit < 1 || limit > 10 {
			return nil, errInvalid("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", limit)
		}
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return nil, errInvalid("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return nil, errInvalid("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	names := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	for _, n := range names {
		if !systemAttributes[n] {
			return nil, errAttrName(n)
		}
	}
	s.mu.Lock()
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	wait := q.intAttr("ReceiveMessageWaitTimeSeconds")
	if in.WaitTimeSeconds != nil {
		wait = int64(*in.WaitTimeSeconds)
	}
	visibility := q.intAttr("VisibilityTimeout")
	if in.VisibilityTimeout != nil {
		visibility = int64(*in.VisibilityTimeout)
	}
	deadline := s.opts.Clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		msgs, next, err := s.take(q, int(limit), visibility)
		if err != nil || len(msgs) > 0 || !s.opts.Clock.Now().Before(deadline) {
			s.mu.Unlock()
			if err != nil {
				return nil, err
			}
			return &receiveOutput{Messages: render(msgs, names, in.MessageAttributeNames)}, nil
		}
		changed := q.changed
		s.mu.Unlock()
		pause := deadline.Sub(s.opts.Clock.Now())
		if next > 0 {
			pause = min(pause, time.Until(time.UnixMilli(next)))
		}
		select {
		case <-changed:
		case <-s.opts.Clock.After(max(pause, time.Millisecond)):
		case <-ctx.Done():
			return &receiveOutput{}, nil
		case <-s.stop:
			return &receiveOutput{}, nil
		}
		s.mu.Lock()
		if s.queues[q.Name] != q {
			s.mu.Unlock()
			return nil, errNoQueue("queue URL " + in.QueueUrl)
		}
	}
}

// take marks up to limit receivable messages received and returns copies of
// them, moving those received too often to the dead-letter queue. It also
// returns when the next invisible message becomes visible (0: none). The
// caller holds s.mu.
func (s *Service) take(q *queue, limit int, visibility int64) ([]message, int64, error) {
	now := millis(s.opts.Clock.Now())
	retention := q.intAttr("MessageRetentionPeriod") * 1000
	dlqArn, maxReceives, _ := parseRedrive(q.Attributes["RedrivePolicy"])
	var out []message
	var next int64
	blocked := map[string]bool{} // FIFO groups with a message in flight
	for i := 0; i < len(q.msgs) && len(out) < limit; i++ {
		m := q.msgs[i]
		if now-m.Sent > retention {
			if err := q.remove(m); err != nil {
				return nil, 0, err
			}
			i--
			continue
		}
		if m.VisibleAt > now {
			if next == 0 || m.VisibleAt < next {
				next = m.VisibleAt
			}
			if q.fifo() {
				blocked[m.GroupID] = true
			}
			continue
		}
		if q.fifo() && blocked[m.GroupID] {
			continue
		}
		if maxReceives > 0 && int64(m.ReceiveCount) >= maxReceives {
			if dlq, ok := s.byArn(dlqArn); ok && dlq != q {
				if err := s.moveTo(q, m, dlq); err != nil {
					return nil, 0, err
				}
				s.opts.Logger.Info("sqs: message moved to the dead-letter queue", "queue", q.Name, "dead_letter_queue", dlq.Name,
					"message_id", m.ID, "receive_count", m.ReceiveCount)
				i--
				continue
			}
		}
		m.ReceiveCount++
		if m.FirstReceive == 0 {
			m.FirstReceive = now
		}
		m.VisibleAt = now + visibility*1000
		m.Handle = newHandle(q.Name, m.ID)
		if err := q.save(m); err != nil {
			return nil, 0, err
		}
		out = append(out, *m)
	}
	return out, next, nil
}

// moveTo moves message m from q to dst as a redrive does: same id, body
// and attributes, the source queue recorded, received afresh. The caller
// holds s.mu.
func (s *Service) moveTo(q *queue, m *message, dst *queue) error {
	c := *m
	c.Key, c.Handle, c.VisibleAt = "", "", millis(s.opts.Clock.Now())
	if c.SourceArn == "" {
		c.SourceArn = s.Arn(q.Name)
	}
	if dst.fifo() && c.GroupID == "" {
		c.GroupID = "redrive"
	}
	if err := dst.add(&c); err != nil {
		return err
	}
	return q.remove(m)
}

// render shapes received messages for the response with the system and
// message attributes the request asked for.
func render(msgs []message, system, user []string) []Message {
	out := make([]Message, 0, len(msgs))
	want := func(list []string, name string) bool {
		for _, n := range list {
			if n == "All" || n == ".*" || n == name || (strings.HasSuffix(n, ".*") && strings.HasPrefix(name, strings.TrimSuffix(n, "*"))) {
				return true
			}
		}
		return false
	}
	for _, m := range msgs {
		r := Message{MessageId: m.ID, ReceiptHandle: m.Handle, MD5OfBody: md5Hex(m.Body), Body: m.Body}
		sys := map[string]string{
			"SenderId":                         m.SenderID,
			"SentTimestamp":                    strconv.FormatInt(m.Sent, 10),
			"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceive, 10),
			"SequenceNumber":                   m.Sequence,
			"MessageDeduplicationId":           m.DedupID,
			"MessageGroupId":                   m.GroupID,
			"DeadLetterQueueSourceArn":         m.SourceArn,
		}
		if v, ok := m.System["AWSTraceHeader"]; ok {
			sys["AWSTraceHeader"] = deref(v.StringValue)
		}
		for k, v := range sys {
			if v != "" && want(system, k) {
				if r.Attributes == nil {
					r.Attributes = map[string]string{}
				}
				r.Attributes[k] = v
			}
		}
		for k, v := range m.Attributes {
			if want(user, k) {
				if r.MessageAttributes == nil {
					r.MessageAttributes = map[string]AttributeValue{}
				}
				r.MessageAttributes[k] = v
			}
		}
		r.MD5OfMessageAttributes = md5OfAttributes(r.MessageAttributes)
		out = append(out, r)
	}
	return out
}

// newHandle issues a receipt handle for one receipt of a message; it
// names the queue and the message so DeleteMessage finds it.
func newHandle(queue, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(queue + " " + id + " " + newUUID()))
}

// parseHandle returns the message id a receipt handle of queue names.
func parseHandle(handle, queue string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), " ")
	if len(parts) != 3 || parts[0] != queue {
		return "", false
	}
	return parts[1], true
}
