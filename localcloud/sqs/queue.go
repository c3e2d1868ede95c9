package sqs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// AttributeValue is a message attribute as the JSON protocol writes it:
// binary values are base64 in JSON, as []byte marshals.
type AttributeValue struct {
	DataType         string
	StringValue      *string  `json:",omitempty"`
	BinaryValue      []byte   `json:",omitempty"`
	StringListValues []string `json:",omitempty"`
	BinaryListValues [][]byte `json:",omitempty"`
}

// queueRecord is a queue's durable definition.
type queueRecord struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"` // the settable ones, as set
	Tags       map[string]string `json:"tags,omitempty"`
	Created    int64             `json:"created"`  // Unix seconds
	Modified   int64             `json:"modified"` // Unix seconds
}

// message is one message with its delivery state; it is rewritten on
// every change so a restart finds it as it was.
type message struct {
	Key          string                    `json:"key"` // spool id: orders messages by arrival
	ID           string                    `json:"id"`
	Body         string                    `json:"body"`
	Attributes   map[string]AttributeValue `json:"attributes,omitempty"`
	System       map[string]AttributeValue `json:"system,omitempty"` // AWSTraceHeader
	Sent         int64                     `json:"sent"`             // Unix milliseconds
	VisibleAt    int64                     `json:"visibleAt"`        // Unix milliseconds
	ReceiveCount int                       `json:"receiveCount"`
	FirstReceive int64                     `json:"firstReceive,omitempty"`
	Handle       string                    `json:"handle,omitempty"`
	GroupID      string                    `json:"groupId,omitempty"`
	DedupID      string                    `json:"dedupId,omitempty"`
	Sequence     string                    `json:"sequence,omitempty"`
	SourceArn    string                    `json:"sourceArn,omitempty"` // set in a dead-letter queue
	SenderID     string                    `json:"senderId,omitempty"`
}

// queue is a queue in memory: its record, its messages in arrival order
// and the spool that keeps them.
type queue struct {
	queueRecord
	dir      string
	spool    *spool.Spool
	msgs     []*message
	dedup    map[string]int64 // FIFO deduplication id → end of its window (Unix ms)
	changed  chan struct{}    // closed and replaced when a message may have become receivable
	sequence uint64
	purged   int64 // Unix ms of the last PurgeQueue
}

func (q *queue) fifo() bool { return q.Attributes["FifoQueue"] == "true" }

// intAttr reads a numeric attribute, with its default when unset.
func (q *queue) intAttr(name string) int64 {
	v, ok := q.Attributes[name]
	if !ok {
		v = attributeDefaults[name]
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// attributeDefaults are the values of the settable attributes a queue
// was not given, from the SetQueueAttributes reference:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
var attributeDefaults = map[string]string{
	"DelaySeconds":                  "0",
	"MaximumMessageSize":            "1048576",
	"MessageRetentionPeriod":        "345600",
	"ReceiveMessageWaitTimeSeconds": "0",
	"VisibilityTimeout":             "30",
	"SqsManagedSseEnabled":          "true",
}

// settable lists the attributes CreateQueue and SetQueueAttributes take,
// with the integer range of the numeric ones.
var settable = map[string][2]int64{
	"DelaySeconds":                  {0, 900},
	"MaximumMessageSize":            {1024, 1048576},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, 20},
	"VisibilityTimeout":             {0, 43200},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
	"Policy":                        {},
	"RedrivePolicy":                 {},
	"RedriveAllowPolicy":            {},
	"FifoQueue":                     {},
	"ContentBasedDeduplication":     {},
	"KmsMasterKeyId":                {},
	"SqsManagedSseEnabled":          {},
	"DeduplicationScope":            {},
	"FifoThroughputLimit":           {},
}

// checkAttributes validates attributes given to CreateQueue or
// SetQueueAttributes.
func checkAttributes(attrs map[string]string, fifoName bool, creating bool) error {
	for name, v := range attrs {
		r, ok := settable[name]
		if !ok {
			return errAttrName(name)
		}
		if r != [2]int64{} {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < r[0] || n > r[1] {
				return errAttrValue("Invalid value for the parameter %s: %q is not an integer from %d to %d.", name, v, r[0], r[1])
			}
		}
		switch name {
		case "FifoQueue":
			if !creating {
				return errAttrName(name)
			}
			if v != "true" && v != "false" {
				return errAttrValue("Invalid value for the parameter FifoQueue: %q (true or false).", v)
			}
			if (v == "true") != fifoName {
				return errInvalid("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix; a queue whose name ends with .fifo needs FifoQueue true.")
			}
		case "RedrivePolicy":
			if v == "" {
				continue
			}
			if _, _, err := parseRedrive(v); err != nil {
				return err
			}
		}
	}
	if fifoName && creating && attrs["FifoQueue"] != "true" {
		return errInvalid("The name of a FIFO queue must end with the .fifo suffix and the queue needs the attribute FifoQueue set to true.")
	}
	return nil
}

// parseRedrive reads a RedrivePolicy: the dead-letter queue's ARN and the
// receive count after which a message moves there.
func parseRedrive(v string) (arn string, max int64, err error) {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return "", 0, errAttrValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.", v)
	}
	switch x := p.MaxReceiveCount.(type) {
	case float64:
		max = int64(x)
	case string:
		max, _ = strconv.ParseInt(x, 10, 64)
	}
	if p.DeadLetterTargetArn == "" || max < 1 || max > 1000 {
		return "", 0, errAttrValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy needs deadLetterTargetArn and a maxReceiveCount from 1 to 1000.", v)
	}
	return p.DeadLetterTargetArn, max, nil
}

// openQueue reads a queue and its messages from dir.
func openQueue(dir string) (*queue, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "queue.json"))
	if err != nil {
		return nil, err
	}
	q := &queue{dir: dir, dedup: map[string]int64{}, changed: make(chan struct{})}
	if err := json.Unmarshal(raw, &q.queueRecord); err != nil {
		return nil, fmt.Errorf("queue %s: %w", dir, err)
	}
	if q.spool, err = spool.Open(filepath.Join(dir, "messages")); err != nil {
		return nil, err
	}
	ids, err := q.spool.IDs()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		m := new(message)
		if err := q.spool.Get(id, m); err != nil {
			return nil, fmt.Errorf("queue %s message %s: %w", q.Name, id, err)
		}
		q.msgs = append(q.msgs, m)
		if s, err := strconv.ParseUint(m.Sequence, 10, 64); err == nil && s > q.sequence {
			q.sequence = s
		}
	}
	sort.Slice(q.msgs, func(i, j int) bool { return q.msgs[i].Key < q.msgs[j].Key })
	return q, nil
}

// saveRecord writes the queue's definition.
func (q *queue) saveRecord() error {
	raw, err := json.MarshalIndent(q.queueRecord, "", "  ")
	if err != nil {
		return err
	}
	return spool.WriteFileAtomic(filepath.Join(q.dir, "queue.json"), raw)
}

// add stores a new message durably and appends it.
func (q *queue) add(m *message) error {
	if m.Key == "" {
		m.Key = q.spool.NewID()
	}
	if err := q.spool.Put(m.Key, m); err != nil {
		return err
	}
	q.msgs = append(q.msgs, m)
	q.wake()
	return nil
}

// save rewrites a message after its delivery state (receive count,
// visibility, receipt handle) changed. Unlike add, it does not wait for
// the disk: a crash may lose the latest receipt, which makes the message
// visible again early, as SQS's at-least-once delivery allows; it never
// loses the message.
func (q *queue) save(m *message) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return spool.ReplaceFile(filepath.Join(q.spool.Dir(), m.Key+".json"), q.spool.Dir(), ".tmp-*", false, func(f *os.File) error {
		_, err := f.Write(raw)
		return err
	})
}

// remove deletes message i durably.
func (q *queue) remove(m *message) error {
	if err := q.spool.Remove(m.Key); err != nil {
		return err
	}
	for i, x := range q.msgs {
		if x == m {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			break
		}
	}
	return nil
}

// wake tells long polls waiting on the queue to look again.
func (q *queue) wake() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// counts returns the numbers of visible, in-flight and delayed messages.
func (q *queue) counts(now int64) (visible, inFlight, delayed int) {
	for _, m := range q.msgs {
		switch {
		case m.VisibleAt <= now:
			visible++
		case m.ReceiveCount > 0:
			inFlight++
		default:
			delayed++
		}
	}
	return
}

// validName checks a queue name: up to 80 alphanumerics, hyphens and
// underscores, with a .fifo suffix for FIFO queues
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
func validName(name string) error {
	base := strings.TrimSuffix(name, ".fifo")
	if name == "" || len(name) > 80 {
		return errInvalid("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name %q)", name)
	}
	for _, c := range base {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errInvalid("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name %q)", name)
		}
	}
	return nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

// queueDir is the directory of queue name; queue names are safe file names.
func queueDir(root, name string) string { return filepath.Join(root, name) }

// create makes a new queue's directory and writes its definition.
func (q *queue) create() error {
	var err error
	if q.spool, err = spool.Open(filepath.Join(q.dir, "messages")); err != nil {
		return err
	}
	return q.saveRecord()
}

// destroy deletes the queue's definition first (so a crash half-way
// leaves no queue behind), then its messages.
func (q *queue) destroy() error {
	if err := os.Remove(filepath.Join(q.dir, "queue.json")); err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.RemoveAll(q.dir)
}
