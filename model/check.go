package model

import (
	"bytes"
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// RequestInfo is what CheckRequest learns about a valid request.
type RequestInfo struct {
	// InputTokens estimates the prompt's tokens with CountTokens.
	InputTokens int
	// MaxTokens is the most tokens the answer may have (0 for embeddings).
	MaxTokens int
	// Embedding is true for a request of an embedding family.
	Embedding bool
}

// CheckRequest validates body as a record's modelInput for the model id, as the
// service would when the record runs: the family's request shape, or the
// Converse request shape when invocationType is Converse (where a modelId
// inside the body is refused, as batch inference does). A body the service
// would reject yields a *RecordError in the service's words.
func CheckRequest(id ID, invocationType string, body []byte) (RequestInfo, error) {
	family, err := id.RequireFamily()
	if err != nil {
		return RequestInfo{}, err
	}
	if invocationType == batch.InvocationConverse && hasTopLevelKey(body, "modelId") {
		return RequestInfo{}, &RecordError{Code: 400, Message: "modelInput of a Converse record must not contain modelId: the job's model applies to every record; remove the field"}
	}
	p, rerr := ReadInput(family, invocationType, body)
	if rerr != nil {
		return RequestInfo{}, rerr
	}
	info := RequestInfo{InputTokens: p.InputTokens, Embedding: family.Embedding() && !p.Converse}
	if !info.Embedding {
		info.MaxTokens = p.Chat.MaxTokens
	}
	return info, nil
}

// hasTopLevelKey reports whether the JSON object body has the member key.
func hasTopLevelKey(body []byte, key string) bool {
	d := jsonscan.NewDecoder(bytes.TrimSpace(body))
	if !d.BeginObject() {
		return false
	}
	for d.NextMember() {
		k, _, ok := d.Key()
		if !ok {
			return false
		}
		if string(k) == key {
			return true
		}
		if _, ok := d.Skip(); !ok {
			return false
		}
	}
	return false
}

// String describes the request for people.
func (i RequestInfo) String() string {
	if i.Embedding {
		return fmt.Sprintf("embedding of about %d tokens", i.InputTokens)
	}
	return fmt.Sprintf("about %d input tokens, at most %d output tokens", i.InputTokens, i.MaxTokens)
}
