package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan"
)

// The OpenAI Batch API's file formats: each input line asks one request of
// an endpoint; each output line answers one, matched by custom_id. They let
// a user bring a file written for OpenAI to Bedrock and read the results
// with the same code.

// OpenAI batch endpoints that translate to Bedrock.
const (
	OpenAIChatURL       = "/v1/chat/completions"
	OpenAIEmbeddingsURL = "/v1/embeddings"
)

// OpenAIBatchRequest is one line of an OpenAI batch input file.
type OpenAIBatchRequest struct {
	CustomID string          `json:"custom_id"`
	Method   string          `json:"method"`
	URL      string          `json:"url"`
	Body     json.RawMessage `json:"body"`
}

// ParseOpenAIBatchRequest reads one input line and checks what OpenAI
// checks: a custom_id, POST, a supported endpoint and a body object.
func ParseOpenAIBatchRequest(line []byte) (OpenAIBatchRequest, error) {
	var r OpenAIBatchRequest
	if err := json.Unmarshal(line, &r); err != nil {
		return r, fmt.Errorf("not an OpenAI batch request line {\"custom_id\", \"method\", \"url\", \"body\"}: %v", err)
	}
	switch {
	case r.CustomID == "":
		return r, fmt.Errorf("custom_id is missing or empty: every request needs one, unique in the file")
	case r.Method != "POST":
		return r, fmt.Errorf("method %q: OpenAI batch requests use POST", r.Method)
	case r.URL != OpenAIChatURL && r.URL != OpenAIEmbeddingsURL:
		return r, fmt.Errorf("url %q: only %s and %s translate to Bedrock", r.URL, OpenAIChatURL, OpenAIEmbeddingsURL)
	case len(bytes.TrimSpace(r.Body)) == 0 || bytes.TrimSpace(r.Body)[0] != '{':
		return r, fmt.Errorf("body must be the endpoint's request object")
	}
	return r, nil
}

type openAIChatBody struct {
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Stop                json.RawMessage `json:"stop"`
}

// Prompt translates the request's body into a Prompt: chat messages (the
// system and developer roles become the system prompt), the token limit,
// temperature, top_p and stop sequences; or an embedding's input texts.
func (r OpenAIBatchRequest) Prompt() (Prompt, error) {
	var p Prompt
	if r.URL == OpenAIEmbeddingsURL {
		var body struct {
			Input      json.RawMessage `json:"input"`
			Dimensions *int            `json:"dimensions"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return p, fmt.Errorf("body: %v", err)
		}
		texts, err := stringOrStrings(body.Input, "input")
		if err != nil {
			return p, err
		}
		if len(texts) == 0 {
			return p, fmt.Errorf("body.input is missing: give the text to embed")
		}
		p.Texts = texts
		if body.Dimensions != nil {
			if *body.Dimensions < 1 {
				return p, fmt.Errorf("body.dimensions %d: give a positive number of dimensions", *body.Dimensions)
			}
			p.Dimensions = *body.Dimensions
		}
		return p, nil
	}
	var body openAIChatBody
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return p, fmt.Errorf("body: %v", err)
	}
	var system []string
	for i, m := range body.Messages {
		text, err := openAIContentText(m.Content)
		if err != nil {
			return p, fmt.Errorf("body.messages[%d].content: %v", i, err)
		}
		switch m.Role {
		case "system", "developer":
			system = append(system, text)
		case "user", "assistant":
			p.Messages = append(p.Messages, Message{Role: m.Role, Text: text})
		default:
			return p, fmt.Errorf("body.messages[%d].role %q: use system, developer, user or assistant", i, m.Role)
		}
	}
	if len(p.Messages) == 0 {
		return p, fmt.Errorf("body.messages has no user message")
	}
	p.System = strings.Join(system, "\n")
	switch {
	case body.MaxCompletionTokens != nil:
		p.MaxTokens = *body.MaxCompletionTokens
	case body.MaxTokens != nil:
		p.MaxTokens = *body.MaxTokens
	}
	p.Temperature, p.TopP = body.Temperature, body.TopP
	stop, err := stringOrStrings(body.Stop, "stop")
	if err != nil {
		return p, err
	}
	p.Stop = stop
	return p, nil
}

// openAIMeaningful are the body parameters of each endpoint that translate
// to Bedrock (model is replaced by the job's model).
var openAIMeaningful = map[string][]string{
	OpenAIChatURL:       {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop"},
	OpenAIEmbeddingsURL: {"model", "input", "dimensions"},
}

// openAIHarmless are parameters with no Bedrock meaning whose value asks
// for what Bedrock does anyway: n of 1, no streaming, no log
// probabilities, float embeddings.
var openAIHarmless = map[string]string{
	"n": "1", "stream": "false", "logprobs": "false", "encoding_format": `"float"`,
}

// Unsupported lists, in the body's order, the parameters of the request
// that have no Bedrock meaning (tools, response_format, n above 1, seed,
// logprobs, …): translating the request would drop them.
func (r OpenAIBatchRequest) Unsupported() []string {
	var out []string
	d := jsonscan.NewDecoder(bytes.TrimSpace(r.Body))
	if !d.BeginObject() {
		return nil
	}
	for d.NextMember() {
		key, escaped, ok := d.Key()
		if !ok {
			return out
		}
		k := jsonscan.Unquote(key, escaped)
		raw, ok := d.Skip()
		if !ok {
			return out
		}
		if slices.Contains(openAIMeaningful[r.URL], k) || string(raw) == "null" || openAIHarmless[k] == string(raw) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func stringOrStrings(raw json.RawMessage, field string) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return []string{s}, err
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("body.%s must be a string or a list of strings", field)
	}
	return list, nil
}

// openAIContentText reads a message's content: a string, or parts of which
// the text parts are joined. Images are refused: a batch record cannot fetch
// a URL.
func openAIContentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("must be a string or a list of content parts")
	}
	var texts []string
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q: only text parts translate", p.Type)
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// OpenAIResponseBody writes a as the body an OpenAI endpoint answers with:
// a chat.completion for text, a list of embeddings for vectors. id names
// the completion and model is reported as the model that answered.
func OpenAIResponseBody(a Answer, id, model string, created int64) []byte {
	b := make([]byte, 0, 256+len(a.Text))
	if a.Embeddings != nil {
		b = append(b, `{"object":"list","data":[`...)
		for i, v := range a.Embeddings {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"object":"embedding","index":`...)
			b = appendInt(b, i)
			b = append(b, `,"embedding":`...)
			b = appendArray(b, v, appendFloat64)
			b = append(b, '}')
		}
		b = append(b, `],"model":`...)
		b = appendJSONString(b, model)
		b = append(b, `,"usage":{"prompt_tokens":`...)
		b = appendInt(b, a.InputTokens)
		b = append(b, `,"total_tokens":`...)
		b = appendInt(b, a.InputTokens)
		return append(b, "}}"...)
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = appendInt(b, int(created))
	b = append(b, `,"model":`...)
	b = appendJSONString(b, model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = appendJSONString(b, a.Text)
	b = append(b, `},"finish_reason":`...)
	b = appendJSONString(b, openAIFinishReason(a.StopReason))
	b = append(b, `}],"usage":{"prompt_tokens":`...)
	b = appendInt(b, a.InputTokens)
	b = append(b, `,"completion_tokens":`...)
	b = appendInt(b, a.OutputTokens)
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, a.InputTokens+a.OutputTokens)
	return append(b, "}}"...)
}

// openAIFinishReason maps every family's stop wording to OpenAI's.
func openAIFinishReason(s string) string {
	switch s {
	case "max_tokens", "length", "LENGTH":
		return "length"
	case "content_filtered", "CONTENT_FILTERED", "refusal":
		return "content_filter"
	}
	return "stop"
}

func appendFloat64(b []byte, x float64) []byte { return strconv.AppendFloat(b, x, 'g', -1, 64) }
