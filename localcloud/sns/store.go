package sns

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// topic is a topic's durable definition.
type topic struct {
	Arn        string            `json:"arn"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"` // the settable ones, as set
	Tags       map[string]string `json:"tags,omitempty"`
}

// subscription is a subscription's durable definition.
type subscription struct {
	Arn        string            `json:"arn"`
	TopicArn   string            `json:"topicArn"`
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Attributes map[string]string `json:"attributes"` // RawMessageDelivery, FilterPolicy, …
	Pending    bool              `json:"pending,omitempty"`
	Token      string            `json:"token,omitempty"`
}

// state is everything the service keeps, written whole on every change.
type state struct {
	Topics        map[string]*topic        `json:"topics"`        // by ARN
	Subscriptions map[string]*subscription `json:"subscriptions"` // by ARN
}

func loadState(path string) (*state, error) {
	st := &state{Topics: map[string]*topic{}, Subscriptions: map[string]*subscription{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, err
	}
	return st, nil
}

func (st *state) save(path string) error {
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return spool.WriteFileAtomic(path, raw)
}
