package results

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"strconv"
)

// FormatAnthropic writes Anthropic Message Batches result lines.
const FormatAnthropic = "anthropic"

// writeAnthropic writes each record as a Message Batches result line
// (https://docs.anthropic.com/en/api/retrieving-message-batch-results):
// {"custom_id", "result": {"type": "succeeded", "message"} | {"type":
// "errored", "error"} | {"type": "expired"}}. A record that never ran is
// expired, as a request Anthropic's batch did not reach before its end.
func writeAnthropic(ctx context.Context, s *scanner) error {
	return writeLines(ctx, s, func(b []byte, o outcome) ([]byte, error) {
		return appendAnthropicLine(b, o, s.opts.ModelID), nil
	})
}

func appendAnthropicLine(b []byte, o outcome, modelID string) []byte {
	b = append(b, `{"custom_id":`...)
	b = appendJSONString(b, o.ID)
	b = append(b, `,"result":`...)
	switch {
	case o.Missing:
		b = append(b, `{"type":"expired"}`...)
	case o.Failed:
		b = append(b, `{"type":"errored","error":{"type":"error","error":{"type":`...)
		b = appendJSONString(b, anthropicErrorType(o.ErrorCode))
		b = append(b, `,"message":`...)
		b = appendJSONString(b, o.ErrorMessage)
		b = append(b, `}}}`...)
	default:
		b = append(b, `{"type":"succeeded","message":`...)
		b = appendAnthropicMessage(b, o, modelID)
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

// appendAnthropicMessage writes the answer as a Messages API response: an
// Anthropic model's own answer as it came (Bedrock returns the Messages
// response body), another family's text as one text block.
func appendAnthropicMessage(b []byte, o outcome, modelID string) []byte {
	if isAnthropicMessage(o.Raw) {
		var c bytes.Buffer
		if json.Compact(&c, o.Raw) == nil {
			return append(b, c.Bytes()...)
		}
	}
	h := fnv.New64a()
	h.Write([]byte(o.ID))
	b = append(b, `{"id":"msg_`+strconv.FormatUint(h.Sum64(), 16)+`","type":"message","role":"assistant","model":`...)
	b = appendJSONString(b, modelID)
	b = append(b, `,"content":[{"type":"text","text":`...)
	b = appendJSONString(b, o.Text)
	b = append(b, `}],"stop_reason":`...)
	b = appendJSONString(b, anthropicStopReason(o.StopReason))
	b = append(b, `,"stop_sequence":null,"usage":{"input_tokens":`...)
	b = strconv.AppendInt(b, int64(o.InputTokens), 10)
	b = append(b, `,"output_tokens":`...)
	b = strconv.AppendInt(b, int64(o.OutputTokens), 10)
	return append(b, "}}"...)
}

func isAnthropicMessage(raw json.RawMessage) bool {
	var m struct {
		Type string `json:"type"`
		Role string `json:"role"`
	}
	return len(raw) > 0 && json.Unmarshal(raw, &m) == nil && m.Type == "message" && m.Role == "assistant"
}

// anthropicStopReason maps a family's stop reason to the Messages API's.
func anthropicStopReason(r string) string {
	switch r {
	case "max_tokens", "length", "LENGTH", "MAX_TOKENS":
		return "max_tokens"
	case "stop_sequence", "STOP_SEQUENCE":
		return "stop_sequence"
	}
	return "end_turn"
}

// anthropicErrorType names an HTTP error code as Anthropic's API does
// (https://docs.anthropic.com/en/api/errors).
func anthropicErrorType(code int) string {
	switch code {
	case 400:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 529, 503:
		return "overloaded_error"
	}
	return "api_error"
}
