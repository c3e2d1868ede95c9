package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Message is one turn of a conversation given to BuildRequest.
type Message struct {
	Role string // "user" or "assistant"
	Text string
}

// Prompt is what a record asks of a text model, independent of the family's
// request format: BuildRequest writes it in the format of the model's family
// (or as a Converse request). For the embedding families only Texts is used.
type Prompt struct {
	// System is the system prompt; empty for none.
	System string
	// Messages is the conversation, ending with the user's turn.
	Messages []Message
	// MaxTokens bounds the answer; 0 means the family's usual default
	// (512), which Anthropic requires to be explicit.
	MaxTokens int
	// Temperature and TopP are passed on when set.
	Temperature *float64
	TopP        *float64
	// Stop sequences end the generation.
	Stop []string
	// Texts are the inputs of an embedding request (Titan Embeddings v2
	// takes exactly one; Cohere Embed up to 96).
	Texts []string
	// InputType is Cohere Embed's input_type; default "search_document".
	InputType string
	// Dimensions is the embedding size asked for; 0 for the model's
	// default. Only Titan Text Embeddings V2 takes it (256, 512 or 1024).
	Dimensions int
}

// anthropicVersion is the Messages API version Bedrock requires in every
// Anthropic request body.
const anthropicVersion = "bedrock-2023-05-31"

// BuildRequest writes p as the modelInput of a record for the model id: the
// InvokeModel request body of the model's family, or a Converse request
// (without modelId, which a batch record must not carry) when
// invocationType is Converse. The body is one line of JSON that the family's
// service accepts. Settings the family cannot carry (a system prompt for an
// embedding model, several texts for Titan Embeddings) are an error rather
// than silently dropped.
func BuildRequest(id ID, invocationType string, p Prompt) ([]byte, error) {
	family, err := id.RequireFamily()
	if err != nil {
		return nil, err
	}
	converse := false
	switch invocationType {
	case "", batch.InvocationInvokeModel:
	case batch.InvocationConverse:
		converse = true
		if family.Embedding() {
			return nil, fmt.Errorf("model %s is an embedding model, which Converse does not serve: use the InvokeModel invocation type", id)
		}
	default:
		return nil, fmt.Errorf("invocation type %q: use InvokeModel or Converse", invocationType)
	}
	if family.Embedding() {
		return buildEmbedding(family, id, p)
	}
	if len(p.Texts) > 0 {
		return nil, fmt.Errorf("model %s generates text: give it messages, not embedding texts", id)
	}
	if len(p.Messages) == 0 {
		return nil, fmt.Errorf("the request has no message: give at least the user's prompt")
	}
	if p.MaxTokens < 0 {
		return nil, fmt.Errorf("max tokens %d: give a positive number, or 0 for the default", p.MaxTokens)
	}
	b := make([]byte, 0, 256+promptLen(p))
	switch {
	case converse:
		return appendNovaRequest(b, p, false), nil
	case family == FamilyAnthropic:
		return appendAnthropicRequest(b, p), nil
	case family == FamilyNova:
		return appendNovaRequest(b, p, true), nil
	case family == FamilyTitanText:
		b = append(b, `{"inputText":`...)
		b = appendJSONString(b, titanPrompt(p))
		b = append(b, `,"textGenerationConfig":{"maxTokenCount":`...)
		b = appendInt(b, maxTokensOr(p))
		b = appendOptionalFloat(b, "temperature", p.Temperature)
		b = appendOptionalFloat(b, "topP", p.TopP)
		if len(p.Stop) > 0 {
			b = append(b, `,"stopSequences":`...)
			b = appendStrings(b, p.Stop)
		}
		return append(b, "}}"...), nil
	case family == FamilyLlama:
		if len(p.Stop) > 0 {
			return nil, fmt.Errorf("model %s: Meta Llama's InvokeModel body has no stop sequences (%s): leave stop out, or use the Converse invocation type, whose inferenceConfig has stopSequences", id, pageLlama)
		}
		b = append(b, `{"prompt":`...)
		b = appendJSONString(b, llamaPrompt(id.Base(), p))
		b = append(b, `,"max_gen_len":`...)
		b = appendInt(b, maxTokensOr(p))
		b = appendOptionalFloat(b, "temperature", p.Temperature)
		b = appendOptionalFloat(b, "top_p", p.TopP)
		return append(b, '}'), nil
	case family == FamilyMistral:
		b = append(b, `{"prompt":`...)
		b = appendJSONString(b, instPrompt(p, false))
		b = append(b, `,"max_tokens":`...)
		b = appendInt(b, maxTokensOr(p))
		b = appendOptionalFloat(b, "temperature", p.Temperature)
		b = appendOptionalFloat(b, "top_p", p.TopP)
		if len(p.Stop) > 0 {
			b = append(b, `,"stop":`...)
			b = appendStrings(b, p.Stop)
		}
		return append(b, '}'), nil
	}
	return nil, &UnknownModelError{ModelID: id.String()}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func promptLen(p Prompt) int {
	n := len(p.System)
	for _, m := range p.Messages {
		n += len(m.Text) + 16
	}
	return n
}

func maxTokensOr(p Prompt) int {
	if p.MaxTokens > 0 {
		return p.MaxTokens
	}
	return defaultMaxTokens
}

func appendOptionalFloat(b []byte, key string, v *float64) []byte {
	if v == nil {
		return b
	}
	b = append(b, ',')
	b = appendKey(b, key)
	return strconv.AppendFloat(b, *v, 'g', -1, 64)
}

func appendAnthropicRequest(b []byte, p Prompt) []byte {
	b = append(b, `{"anthropic_version":"`+anthropicVersion+`","max_tokens":`...)
	b = appendInt(b, maxTokensOr(p))
	if p.System != "" {
		b = append(b, `,"system":`...)
		b = appendJSONString(b, p.System)
	}
	b = append(b, `,"messages":[`...)
	for i, m := range p.Messages {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"role":`...)
		b = appendJSONString(b, m.Role)
		b = append(b, `,"content":[{"type":"text","text":`...)
		b = appendJSONString(b, m.Text)
		b = append(b, "}]}"...)
	}
	b = append(b, ']')
	b = appendOptionalFloat(b, "temperature", p.Temperature)
	b = appendOptionalFloat(b, "top_p", p.TopP)
	if len(p.Stop) > 0 {
		b = append(b, `,"stop_sequences":`...)
		b = appendStrings(b, p.Stop)
	}
	return append(b, '}')
}

// appendNovaRequest writes the messages format that Nova's InvokeModel and
// the Converse API share; nova adds the schema version Nova documents.
func appendNovaRequest(b []byte, p Prompt, nova bool) []byte {
	b = append(b, '{')
	if nova {
		b = append(b, `"schemaVersion":"messages-v1",`...)
	}
	if p.System != "" {
		b = append(b, `"system":[{"text":`...)
		b = appendJSONString(b, p.System)
		b = append(b, `}],`...)
	}
	b = append(b, `"messages":[`...)
	for i, m := range p.Messages {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"role":`...)
		b = appendJSONString(b, m.Role)
		b = append(b, `,"content":[{"text":`...)
		b = appendJSONString(b, m.Text)
		b = append(b, "}]}"...)
	}
	b = append(b, `],"inferenceConfig":{"maxTokens":`...)
	b = appendInt(b, maxTokensOr(p))
	b = appendOptionalFloat(b, "temperature", p.Temperature)
	b = appendOptionalFloat(b, "topP", p.TopP)
	if len(p.Stop) > 0 {
		b = append(b, `,"stopSequences":`...)
		b = appendStrings(b, p.Stop)
	}
	return append(b, "}}"...)
}

// titanPrompt is Titan Text's documented conversational form:
// "User: …\nBot:", with the system prompt before it.
func titanPrompt(p Prompt) string {
	var sb strings.Builder
	if p.System != "" {
		sb.WriteString(p.System)
		sb.WriteString("\n\n")
	}
	for _, m := range p.Messages {
		if m.Role == "assistant" {
			sb.WriteString("Bot: ")
		} else {
			sb.WriteString("User: ")
		}
		sb.WriteString(m.Text)
		sb.WriteByte('\n')
	}
	sb.WriteString("Bot:")
	return sb.String()
}

// llamaPrompt writes the chat template of the model's Llama generation:
// header tokens for Llama 3 and later, [INST] for Llama 2.
func llamaPrompt(baseID string, p Prompt) string {
	if strings.HasPrefix(baseID, "meta.llama2") {
		return instPrompt(p, true)
	}
	var sb strings.Builder
	sb.WriteString("<|begin_of_text|>")
	if p.System != "" {
		sb.WriteString("<|start_header_id|>system<|end_header_id|>\n\n")
		sb.WriteString(p.System)
		sb.WriteString("<|eot_id|>")
	}
	for _, m := range p.Messages {
		sb.WriteString("<|start_header_id|>")
		sb.WriteString(m.Role)
		sb.WriteString("<|end_header_id|>\n\n")
		sb.WriteString(m.Text)
		sb.WriteString("<|eot_id|>")
	}
	sb.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
	return sb.String()
}

// instPrompt writes the [INST] template of Mistral and Llama 2; the system
// prompt goes in <<SYS>> for Llama 2 and before the first instruction for
// Mistral, which has no system role.
func instPrompt(p Prompt, sysTags bool) string {
	var sb strings.Builder
	sb.WriteString("<s>")
	first := true
	for _, m := range p.Messages {
		if m.Role == "assistant" {
			sb.WriteString(" ")
			sb.WriteString(m.Text)
			sb.WriteString("</s>")
			continue
		}
		sb.WriteString("[INST] ")
		if first && p.System != "" {
			if sysTags {
				sb.WriteString("<<SYS>>\n" + p.System + "\n<</SYS>>\n\n")
			} else {
				sb.WriteString(p.System + "\n\n")
			}
		}
		first = false
		sb.WriteString(m.Text)
		sb.WriteString(" [/INST]")
	}
	return sb.String()
}

func buildEmbedding(family Family, id ID, p Prompt) ([]byte, error) {
	if p.System != "" || p.MaxTokens != 0 || p.Temperature != nil || p.TopP != nil || len(p.Stop) > 0 {
		return nil, fmt.Errorf("model %s is an embedding model: a system prompt, max tokens, temperature, top-p and stop sequences do not apply; leave them out", id)
	}
	texts := p.Texts
	if len(texts) == 0 {
		for _, m := range p.Messages {
			texts = append(texts, m.Text)
		}
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("the embedding request has no text")
	}
	b := make([]byte, 0, 64+promptLen(p)+len(strings.Join(texts, "")))
	switch family {
	case FamilyTitanEmbed:
		if len(texts) != 1 {
			return nil, fmt.Errorf("model %s embeds one text per request, not %d: give one text per record", id, len(texts))
		}
		if texts[0] == "" {
			return nil, fmt.Errorf("the text to embed is empty")
		}
		b = append(b, `{"inputText":`...)
		b = appendJSONString(b, texts[0])
		if p.Dimensions != 0 {
			if spec, ok := ModelOf(id); ok && !containsInt(spec.Dimensions, float64(p.Dimensions)) {
				return nil, fmt.Errorf("dimensions %d: model %s makes embeddings of %s dimensions only (%s)", p.Dimensions, id, joinInts(spec.Dimensions), spec.Source)
			}
			b = append(b, `,"dimensions":`...)
			b = appendInt(b, p.Dimensions)
		}
		return append(b, '}'), nil
	case FamilyCohereEmbed:
		if p.Dimensions != 0 {
			return nil, fmt.Errorf("dimensions %d: model %s takes no dimensions parameter (%s); leave it out", p.Dimensions, id, pageCohereEmbed)
		}
		if len(texts) > cohereMaxTexts {
			return nil, fmt.Errorf("model %s embeds at most %d texts per request, not %d", id, cohereMaxTexts, len(texts))
		}
		inputType := p.InputType
		if inputType == "" {
			inputType = "search_document"
		}
		switch inputType {
		case "search_document", "search_query", "classification", "clustering":
		default:
			return nil, fmt.Errorf("input type %q of Cohere Embed: use search_document, search_query, classification or clustering", inputType)
		}
		b = append(b, `{"texts":`...)
		b = appendStrings(b, texts)
		b = append(b, `,"input_type":`...)
		b = appendJSONString(b, inputType)
		return append(b, '}'), nil
	}
	return nil, &UnknownModelError{ModelID: id.String()}
}
