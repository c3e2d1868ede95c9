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
	if rerr == nil {
		rerr = checkModel(id, &p)
	}
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

// checkModel judges a valid request against its model's catalogue entry:
// an answer allowed more tokens than the model can give is refused, in the
// words of the request format.
func checkModel(id ID, p *Input) *RecordError {
	spec, ok := ModelOf(id)
	if !ok || spec.MaxOutputTokens == 0 || p.Family.Embedding() || p.Chat.MaxTokens <= spec.MaxOutputTokens {
		return nil
	}
	n, limit := p.Chat.MaxTokens, spec.MaxOutputTokens
	switch {
	case p.Converse:
		return &RecordError{Code: 400, Message: fmt.Sprintf("The maximum tokens you requested exceeds the model limit of %d. Try again with a maximum tokens value that is lower than %d.", limit, limit)}
	case p.Family == FamilyAnthropic:
		return &RecordError{Code: 400, Message: fmt.Sprintf("max_tokens: %d > %d, which is the maximum allowed number of output tokens for %s", n, limit, id.Base())}
	}
	return malformed(fmt.Sprintf("#/%s: %d is not less or equal to %d", maxTokensKey(p.Family), n, limit))
}

// maxTokensKey is the path of the output token limit in a family's body.
func maxTokensKey(f Family) string {
	switch f {
	case FamilyAnthropic, FamilyMistral:
		return "max_tokens"
	case FamilyNova:
		return "inferenceConfig/maxTokens"
	case FamilyTitanText:
		return "textGenerationConfig/maxTokenCount"
	case FamilyLlama:
		return "max_gen_len"
	}
	return "maxTokens"
}

// CheckModelInput is ReadInput for a model: the family's rules, then the
// model's own limits from the catalogue.
func CheckModelInput(id ID, invocationType string, body []byte) (Input, *RecordError) {
	family, err := id.RequireFamily()
	if err != nil {
		return Input{}, &RecordError{Code: 400, Message: err.Error()}
	}
	p, rerr := ReadInput(family, invocationType, body)
	if rerr != nil {
		return p, rerr
	}
	return p, checkModel(id, &p)
}
