package prepare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// FormatAnthropic is the input format of an Anthropic Message Batches
// request file: one {"custom_id", "params"} object per line, params being a
// Messages API request
// (https://docs.anthropic.com/en/api/creating-message-batches).
const FormatAnthropic = "anthropic"

// anthropicCustomID is the custom_id Anthropic accepts: 1 to 64 letters,
// digits, underscores and hyphens (Message Batches API reference).
var anthropicCustomID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// anthropicNotForBedrock are Messages API parameters that Bedrock's
// InvokeModel body for Anthropic models does not take: the model is the
// job's, streaming does not apply to a batch, and the others are features
// of Anthropic's own API
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html).
var anthropicNotForBedrock = map[string]string{
	"model":        "the job's model runs every record",
	"stream":       "batch records are not streamed",
	"metadata":     "Bedrock's Anthropic body has no metadata",
	"service_tier": "Bedrock's Anthropic body has no service tier",
	"container":    "Bedrock's Anthropic body has no container",
	"mcp_servers":  "Bedrock's Anthropic body has no MCP servers",
}

// anthropicToPrompt are the params a request for another family can carry,
// through the portable prompt.
var anthropicToPrompt = map[string]bool{
	"max_tokens": true, "messages": true, "system": true, "temperature": true,
	"top_p": true, "stop_sequences": true,
}

type anthropicSource struct {
	r     io.ReadCloser
	opts  Options
	model model.ID
}

func (s *anthropicSource) close() { s.r.Close() }

func (s *anthropicSource) each(ctx context.Context, emit func(string, []byte) error, rows *int) error {
	return eachJSONLine(ctx, s.r, s.opts, rows, func(text []byte, line int) error {
		id, body, err := anthropicRecord(text, s.opts, s.model)
		if err != nil {
			return &table.RowError{File: s.opts.Input, Line: line, Msg: err.Error()}
		}
		return emit(id, body)
	})
}

// anthropicRecord turns one request line into a record: for an Anthropic
// model the params as Bedrock takes them (with its anthropic_version, and
// without what only Anthropic's API has), for another family the prompt
// the params carry.
func anthropicRecord(text []byte, opts Options, id model.ID) (string, []byte, error) {
	var req struct {
		CustomID string                     `json:"custom_id"`
		Params   map[string]json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(text, &req); err != nil {
		return "", nil, fmt.Errorf("not an Anthropic batch request line {\"custom_id\", \"params\"}: %v", err)
	}
	if !anthropicCustomID.MatchString(req.CustomID) {
		return "", nil, fmt.Errorf("custom_id %q: give 1 to 64 letters, digits, _ or -, unique in the file", req.CustomID)
	}
	if req.Params == nil {
		return "", nil, fmt.Errorf("params is missing: give the Messages API request")
	}
	if _, ok := req.Params["max_tokens"]; !ok {
		return "", nil, fmt.Errorf("params.max_tokens is missing: the Messages API requires it")
	}
	if _, ok := req.Params["messages"]; !ok {
		return "", nil, fmt.Errorf("params.messages is missing: give the conversation")
	}
	family, err := id.RequireFamily()
	if err != nil {
		return "", nil, err
	}
	if family == model.FamilyAnthropic && opts.InvocationType != batch.InvocationConverse {
		body, err := anthropicBedrockBody(req.Params)
		return req.CustomID, body, err
	}
	var unknown []string
	for k := range req.Params {
		if !anthropicToPrompt[k] && anthropicNotForBedrock[k] == "" {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "", nil, fmt.Errorf("params.%s: no meaning for %s: run these requests on an Anthropic model, or remove the parameter", strings.Join(unknown, ", params."), opts.ModelID)
	}
	p, err := anthropicPrompt(req.Params)
	if err != nil {
		return "", nil, err
	}
	body, err := model.BuildRequest(id, opts.InvocationType, p)
	return req.CustomID, body, err
}

// anthropicBedrockBody is params as Bedrock's InvokeModel takes them for an
// Anthropic model.
func anthropicBedrockBody(params map[string]json.RawMessage) ([]byte, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		if _, drop := anthropicNotForBedrock[k]; !drop {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString(`{"anthropic_version":"bedrock-2023-05-31"`)
	for _, k := range keys {
		if k == "anthropic_version" {
			continue
		}
		var v bytes.Buffer
		if err := json.Compact(&v, params[k]); err != nil {
			return nil, fmt.Errorf("params.%s: %v", k, err)
		}
		b.WriteByte(',')
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v.Bytes())
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// anthropicPrompt reads the portable part of params: the system prompt, the
// text of the messages, the token limit, temperature, top_p and stop
// sequences.
func anthropicPrompt(params map[string]json.RawMessage) (model.Prompt, error) {
	var p model.Prompt
	if err := json.Unmarshal(params["max_tokens"], &p.MaxTokens); err != nil || p.MaxTokens < 1 {
		return p, fmt.Errorf("params.max_tokens must be a positive whole number")
	}
	if raw, ok := params["system"]; ok {
		text, err := anthropicText(raw)
		if err != nil {
			return p, fmt.Errorf("params.system: %v", err)
		}
		p.System = text
	}
	var msgs []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(params["messages"], &msgs); err != nil {
		return p, fmt.Errorf("params.messages must be a list of {role, content}: %v", err)
	}
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return p, fmt.Errorf("params.messages[%d].role %q: use user or assistant", i, m.Role)
		}
		text, err := anthropicText(m.Content)
		if err != nil {
			return p, fmt.Errorf("params.messages[%d].content: %v", i, err)
		}
		p.Messages = append(p.Messages, model.Message{Role: m.Role, Text: text})
	}
	if len(p.Messages) == 0 {
		return p, fmt.Errorf("params.messages is empty: give the user's turn")
	}
	for _, f := range []struct {
		key string
		dst **float64
	}{{"temperature", &p.Temperature}, {"top_p", &p.TopP}} {
		if raw, ok := params[f.key]; ok {
			var v float64
			if err := json.Unmarshal(raw, &v); err != nil {
				return p, fmt.Errorf("params.%s must be a number", f.key)
			}
			*f.dst = &v
		}
	}
	if raw, ok := params["stop_sequences"]; ok {
		if err := json.Unmarshal(raw, &p.Stop); err != nil {
			return p, fmt.Errorf("params.stop_sequences must be a list of strings")
		}
	}
	return p, nil
}

// anthropicText reads a string or a list of content blocks of which only
// text blocks translate.
func anthropicText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", fmt.Errorf("must be a string or a list of content blocks")
	}
	texts := make([]string, 0, len(blocks))
	for _, b := range blocks {
		if b.Type != "text" {
			return "", fmt.Errorf("a content block of type %q only an Anthropic model reads: run these requests on one", b.Type)
		}
		texts = append(texts, b.Text)
	}
	return strings.Join(texts, "\n"), nil
}
