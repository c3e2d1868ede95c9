package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// defaultMaxTokens is the generation limit used when a request sets none and
// its family does not require one.
const defaultMaxTokens = 512

// Image is an image given to a chat model, base64-encoded.
type Image struct {
	MediaType string // e.g. "image/png"
	Data      string // base64
}

// Turn is one message of a conversation, reduced to its text and images.
type Turn struct {
	Role   string // "user" or "assistant"
	Text   string
	Images []Image
}

// ChatRequest is a text-generation request of any family (or Converse),
// normalised.
type ChatRequest struct {
	System      []string
	Turns       []Turn
	MaxTokens   int // the request's limit, or the family's default
	Temperature *float64
	TopP        *float64
	Stop        []string // stop sequences
}

// EmbedRequest is an embedding request of either embedding family,
// normalised.
type EmbedRequest struct {
	Texts     []string
	Dims      int
	Normalize bool
	Types     []string // requested embedding types; nil when the request names none
	InputType string   // Cohere only
}

// Input is a record's modelInput, validated as its family's service would
// validate it and reduced to what a model needs to answer it.
type Input struct {
	Family      Family
	Converse    bool // a Converse request rather than the family's own body
	mistralChat bool // a Mistral chat-completion request (messages, not prompt)
	Chat        ChatRequest
	Embed       EmbedRequest
	InputTokens int // estimated with CountTokens
}

// LastUserText returns the text of the conversation's last user turn.
func (g *ChatRequest) LastUserText() string {
	for i := len(g.Turns) - 1; i >= 0; i-- {
		if g.Turns[i].Role == "user" {
			return g.Turns[i].Text
		}
	}
	return ""
}

// ReadInput validates body as a request of family (a Converse request when
// invocationType is Converse) and normalises it. A body the service would
// reject yields a *RecordError in the service's words.
func ReadInput(family Family, invocationType string, body []byte) (Input, *RecordError) {
	p := Input{Family: family}
	switch invocationType {
	case "", batch.InvocationInvokeModel:
	case batch.InvocationConverse:
		p.Converse = true
	default:
		return p, &RecordError{Code: 400, Message: fmt.Sprintf("unknown model invocation type %q: use InvokeModel or Converse", invocationType)}
	}
	if err := checkObject(body); err != nil {
		return p, err
	}
	if spec, ok := SpecOf(family, p.Converse); ok {
		if err := checkSpec(spec, body, p.Converse); err != nil {
			return p, err
		}
	}
	var rerr *RecordError
	switch {
	case p.Converse && family.Embedding():
		return p, &RecordError{Code: 400, Message: "This action doesn't support the model that you provided. Try again with a supported text or chat model."}
	case p.Converse:
		rerr = parseConverse(&p, body)
	case family == FamilyAnthropic:
		if !parseAnthropicFast(&p, body) {
			rerr = parseAnthropic(&p, body)
		}
	case family == FamilyNova:
		rerr = parseNova(&p, body)
	case family == FamilyTitanText:
		rerr = parseTitanText(&p, body)
	case family == FamilyTitanEmbed:
		rerr = parseTitanEmbed(&p, body)
	case family == FamilyLlama:
		rerr = parseLlama(&p, body)
	case family == FamilyMistral:
		rerr = parseMistral(&p, body)
	case family == FamilyCohereEmbed:
		rerr = parseCohere(&p, body)
	default:
		rerr = &RecordError{Code: 400, Message: fmt.Sprintf("model family %v is not supported", family)}
	}
	return p, rerr
}

// malformed words a schema violation the way the Bedrock runtime does for
// InvokeModel bodies.
func malformed(detail string) *RecordError {
	return &RecordError{Code: 400, Message: "Malformed input request: " + detail + ", please reformat your input and try again."}
}

// requireKeys reports the keys that are absent (nil) as the service would.
func requireKeys(keys []string, present []bool) *RecordError {
	var missing []string
	for i, k := range keys {
		if !present[i] {
			missing = append(missing, k)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return malformed("#: required key [" + missing[0] + "] not found")
	default:
		return malformed(fmt.Sprintf("#: %d schema violations found (required keys [%s] not found)", len(missing), strings.Join(missing, "], [")))
	}
}

func checkObject(body []byte) *RecordError {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) > 0 && b[0] == '{' {
		return nil
	}
	return malformed("#: expected type: JSONObject, found: " + jsonKind(b))
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "JSONObject"
	case '[':
		return "JSONArray"
	case '"':
		return "String"
	case 't', 'f':
		return "Boolean"
	case 'n':
		return "Null"
	}
	return "Number"
}

// decode unmarshals body into v and turns a type mismatch into the
// service's wording.
func decode(body []byte, v any) *RecordError {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		ptr := "#"
		if te.Field != "" {
			ptr += "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		return malformed(fmt.Sprintf("%s: expected type: %s, found: %s", ptr, kindName(te.Type), foundName(te.Value)))
	}
	return malformed("#: " + err.Error())
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Number"
	case reflect.Slice, reflect.Array:
		return "JSONArray"
	}
	return "JSONObject"
}

func foundName(v string) string {
	switch {
	case v == "string":
		return "String"
	case v == "bool":
		return "Boolean"
	case v == "array":
		return "JSONArray"
	case v == "object":
		return "JSONObject"
	case strings.HasPrefix(v, "number"):
		return "Number"
	}
	return v
}

// textOrBlocks reads a field that holds either a string or an array of
// typed content blocks (Anthropic's system and message content).
type anthropicBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Source *struct {
		Type      string `json:"type"`
		MediaType string `json:"media_type"`
		Data      string `json:"data"`
	} `json:"source"`
	Content json.RawMessage `json:"content"` // tool_result
}

func anthropicContent(raw json.RawMessage, field string) (string, []Image, *RecordError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == 'n' {
		return "", nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, malformed("#/" + field + ": " + err.Error())
		}
		return s, nil, nil
	}
	var blocks []anthropicBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", nil, malformed("#/" + field + ": expected type: JSONArray or String, found: " + jsonKind(raw))
	}
	var sb strings.Builder
	var imgs []Image
	for _, b := range blocks {
		switch b.Type {
		case "text":
			if b.Text == "" {
				return "", nil, &RecordError{Code: 400, Message: strings.SplitN(field, "/", 2)[0] + ": text content blocks must be non-empty"}
			}
			appendText(&sb, b.Text)
		case "image":
			if b.Source != nil && b.Source.Type == "base64" {
				imgs = append(imgs, Image{MediaType: b.Source.MediaType, Data: b.Source.Data})
			}
		case "tool_result":
			s, _, _ := anthropicContent(b.Content, field)
			appendText(&sb, s)
		}
	}
	return sb.String(), imgs, nil
}

// isEmptyContent reports whether a message's content is an empty string or
// an empty list of blocks.
func isEmptyContent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return string(raw) == `""` || string(raw) == "[]" || len(raw) == 0 || string(raw) == "null"
}

func appendText(sb *strings.Builder, s string) {
	if s == "" {
		return
	}
	if sb.Len() > 0 {
		sb.WriteByte('\n')
	}
	sb.WriteString(s)
}

type anthropicRequest struct {
	AnthropicVersion *string         `json:"anthropic_version"`
	MaxTokens        *int            `json:"max_tokens"`
	System           json.RawMessage `json:"system"`
	Messages         []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Temperature   *float64 `json:"temperature"`
	TopP          *float64 `json:"top_p"`
	StopSequences []string `json:"stop_sequences"`
}

func parseAnthropic(p *Input, body []byte) *RecordError {
	var r anthropicRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	if err := requireKeys([]string{"anthropic_version", "max_tokens", "messages"},
		[]bool{r.AnthropicVersion != nil, r.MaxTokens != nil, r.Messages != nil}); err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return &RecordError{Code: 400, Message: "messages: at least one message is required"}
	}
	if *r.MaxTokens < 1 {
		return &RecordError{Code: 400, Message: "max_tokens: range: 1..∞"}
	}
	g := &p.Chat
	sys, _, err := anthropicContent(r.System, "system")
	if err != nil {
		return err
	}
	if sys != "" {
		g.System = []string{sys}
	}
	for i, m := range r.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return &RecordError{Code: 400, Message: fmt.Sprintf("messages.%d.role: Unexpected role %q. Allowed roles are \"user\" or \"assistant\"; "+
				"a system prompt goes in the top-level `system` parameter.", i, m.Role)}
		}
		text, imgs, err := anthropicContent(m.Content, fmt.Sprintf("messages/%d/content", i))
		if err != nil {
			return err
		}
		if text == "" && len(imgs) == 0 && !(i == len(r.Messages)-1 && m.Role == "assistant") && isEmptyContent(m.Content) {
			return &RecordError{Code: 400, Message: fmt.Sprintf("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)}
		}
		g.Turns = append(g.Turns, Turn{Role: m.Role, Text: text, Images: imgs})
	}
	g.MaxTokens = *r.MaxTokens
	g.Temperature, g.TopP, g.Stop = r.Temperature, r.TopP, r.StopSequences
	p.InputTokens = countGenTokens(g)
	return nil
}

// novaBlock is a content block of the Nova and Converse message format.
type novaBlock struct {
	Text  *string `json:"text"`
	Image *struct {
		Format string `json:"format"`
		Source struct {
			Bytes string `json:"bytes"`
		} `json:"source"`
	} `json:"image"`
	Document *struct {
		Format string `json:"format"`
		Name   string `json:"name"`
	} `json:"document"`
	ToolResult *struct {
		Content []novaBlock `json:"content"`
	} `json:"toolResult"`
}

type novaMessage struct {
	Role    string      `json:"role"`
	Content []novaBlock `json:"content"`
}

type novaRequest struct {
	System          []novaBlock          `json:"system"`
	Messages        []novaMessage        `json:"messages"`
	InferenceConfig *novaInferenceConfig `json:"inferenceConfig"`
}

type novaInferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens"`
	MaxNewTokens  *int     `json:"max_new_tokens"` // the older Nova spelling
	Temperature   *float64 `json:"temperature"`
	TopP          *float64 `json:"topP"`
	StopSequences []string `json:"stopSequences"`
}

func novaText(blocks []novaBlock) (string, []Image) {
	var sb strings.Builder
	var imgs []Image
	for _, b := range blocks {
		switch {
		case b.Text != nil:
			appendText(&sb, *b.Text)
		case b.Image != nil:
			imgs = append(imgs, Image{MediaType: "image/" + b.Image.Format, Data: b.Image.Source.Bytes})
		case b.ToolResult != nil:
			s, _ := novaText(b.ToolResult.Content)
			appendText(&sb, s)
		}
	}
	return sb.String(), imgs
}

// blankText finds a text block with no text, which Nova and Converse
// refuse.
func (r *novaRequest) blankText() *RecordError {
	for i, m := range r.Messages {
		for j, b := range m.Content {
			if b.Text != nil && *b.Text == "" {
				return &RecordError{Code: 400, Message: fmt.Sprintf("The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text to the text field, and try again.", i, j)}
			}
		}
	}
	for j, b := range r.System {
		if b.Text != nil && *b.Text == "" {
			return &RecordError{Code: 400, Message: fmt.Sprintf("The text field in the SystemContentBlock object at system.%d is blank. Add text to the text field, and try again.", j)}
		}
	}
	return nil
}

func (r *novaRequest) fill(g *ChatRequest) {
	for _, b := range r.System {
		if b.Text != nil {
			g.System = append(g.System, *b.Text)
		}
	}
	for _, m := range r.Messages {
		text, imgs := novaText(m.Content)
		g.Turns = append(g.Turns, Turn{Role: m.Role, Text: text, Images: imgs})
	}
	g.MaxTokens = defaultMaxTokens
	if c := r.InferenceConfig; c != nil {
		switch {
		case c.MaxTokens != nil:
			g.MaxTokens = *c.MaxTokens
		case c.MaxNewTokens != nil:
			g.MaxTokens = *c.MaxNewTokens
		}
		g.Temperature, g.TopP, g.Stop = c.Temperature, c.TopP, c.StopSequences
	}
}

// decodeNova decodes a Nova or Converse request, the fast way when it can.
func decodeNova(body []byte) (novaRequest, *RecordError) {
	r, ok := decodeNovaFast(body)
	if ok {
		return r, nil
	}
	err := decode(body, &r)
	return r, err
}

func parseNova(p *Input, body []byte) *RecordError {
	r, err := decodeNova(body)
	if err != nil {
		return err
	}
	if err := requireKeys([]string{"messages"}, []bool{r.Messages != nil}); err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return malformed("#/messages: expected minimum item count: 1, found: 0")
	}
	for i, m := range r.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return malformed(fmt.Sprintf("#/messages/%d/role: %s is not a valid enum value", i, m.Role))
		}
	}
	if err := r.blankText(); err != nil {
		return err
	}
	r.fill(&p.Chat)
	p.InputTokens = countGenTokens(&p.Chat)
	return nil
}

// Converse requests are validated with the Converse API's own messages.
const (
	converseStartUser = "A conversation must start with a user message. Try again with a conversation that starts with a user message."
	converseAlternate = "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again."
)

func parseConverse(p *Input, body []byte) *RecordError {
	r, err := decodeNova(body)
	if err != nil {
		// Converse is a typed API: its type errors read differently.
		return &RecordError{Code: 400, Message: strings.TrimSuffix(strings.TrimPrefix(err.Message, "Malformed input request: "), ", please reformat your input and try again.")}
	}
	if len(r.Messages) == 0 || r.Messages[0].Role != "user" {
		return &RecordError{Code: 400, Message: converseStartUser}
	}
	for i, m := range r.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return &RecordError{Code: 400, Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'messages.%d.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]", m.Role, i+1)}
		}
		if i > 0 && r.Messages[i-1].Role == m.Role {
			return &RecordError{Code: 400, Message: converseAlternate}
		}
		if len(m.Content) == 0 {
			return &RecordError{Code: 400, Message: fmt.Sprintf("The content field in the Message object at messages.%d is empty. Add a ContentBlock object to the content field and try again.", i)}
		}
	}
	if c := r.InferenceConfig; c != nil && c.MaxTokens != nil && *c.MaxTokens < 1 {
		return &RecordError{Code: 400, Message: fmt.Sprintf("1 validation error detected: Value '%d' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1", *c.MaxTokens)}
	}
	if err := r.blankText(); err != nil {
		return err
	}
	r.fill(&p.Chat)
	p.InputTokens = countGenTokens(&p.Chat)
	return nil
}

type titanTextRequest struct {
	InputText            *string `json:"inputText"`
	TextGenerationConfig *struct {
		Temperature   *float64 `json:"temperature"`
		TopP          *float64 `json:"topP"`
		MaxTokenCount *int     `json:"maxTokenCount"`
		StopSequences []string `json:"stopSequences"`
	} `json:"textGenerationConfig"`
}

func parseTitanText(p *Input, body []byte) *RecordError {
	var r titanTextRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	if err := requireInputText(r.InputText); err != nil {
		return err
	}
	g := &p.Chat
	g.System, g.Turns = parsePromptTemplate(*r.InputText)
	g.MaxTokens = defaultMaxTokens
	if c := r.TextGenerationConfig; c != nil {
		if c.MaxTokenCount != nil {
			g.MaxTokens = *c.MaxTokenCount
		}
		g.Temperature, g.TopP, g.Stop = c.Temperature, c.TopP, c.StopSequences
	}
	p.InputTokens = CountTokens(*r.InputText)
	return nil
}

// requireInputText checks the inputText of a Titan request, text or
// embedding: present and not empty.
func requireInputText(text *string) *RecordError {
	if err := requireKeys([]string{"inputText"}, []bool{text != nil}); err != nil {
		return err
	}
	if *text == "" {
		return malformed("#/inputText: expected minLength: 1, actual: 0")
	}
	return nil
}

type titanEmbedRequest struct {
	InputText      *string  `json:"inputText"`
	Dimensions     *int     `json:"dimensions"`
	Normalize      *bool    `json:"normalize"`
	EmbeddingTypes []string `json:"embeddingTypes"`
}

func parseTitanEmbed(p *Input, body []byte) *RecordError {
	var r titanEmbedRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	if err := requireInputText(r.InputText); err != nil {
		return err
	}
	e := &p.Embed
	e.Texts = []string{*r.InputText}
	e.Dims, e.Normalize = 1024, true
	if r.Dimensions != nil {
		switch *r.Dimensions {
		case 256, 512, 1024:
			e.Dims = *r.Dimensions
		default:
			return malformed(fmt.Sprintf("#/dimensions: %d is not a valid enum value", *r.Dimensions))
		}
	}
	if r.Normalize != nil {
		e.Normalize = *r.Normalize
	}
	for i, t := range r.EmbeddingTypes {
		if t != "float" && t != "binary" {
			return malformed(fmt.Sprintf("#/embeddingTypes/%d: %s is not a valid enum value", i, t))
		}
	}
	e.Types = r.EmbeddingTypes
	p.InputTokens = CountTokens(*r.InputText)
	return nil
}

type llamaRequest struct {
	Prompt      *string  `json:"prompt"`
	Temperature *float64 `json:"temperature"`
	TopP        *float64 `json:"top_p"`
	MaxGenLen   *int     `json:"max_gen_len"`
	Images      []string `json:"images"`
}

func parseLlama(p *Input, body []byte) *RecordError {
	var r llamaRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	if err := requireKeys([]string{"prompt"}, []bool{r.Prompt != nil}); err != nil {
		return err
	}
	g := &p.Chat
	g.System, g.Turns = parsePromptTemplate(*r.Prompt)
	if len(r.Images) > 0 && len(g.Turns) > 0 {
		last := &g.Turns[len(g.Turns)-1]
		for _, im := range r.Images {
			last.Images = append(last.Images, Image{MediaType: "image/png", Data: im})
		}
	}
	g.MaxTokens = defaultMaxTokens
	if r.MaxGenLen != nil {
		g.MaxTokens = *r.MaxGenLen
	}
	g.Temperature, g.TopP = r.Temperature, r.TopP
	p.InputTokens = CountTokens(*r.Prompt)
	return nil
}

type mistralRequest struct {
	Prompt   *string `json:"prompt"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	MaxTokens   *int     `json:"max_tokens"`
	Stop        []string `json:"stop"`
	Temperature *float64 `json:"temperature"`
	TopP        *float64 `json:"top_p"`
}

func parseMistral(p *Input, body []byte) *RecordError {
	var r mistralRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	g := &p.Chat
	switch {
	case r.Prompt != nil:
		g.System, g.Turns = parsePromptTemplate(*r.Prompt)
		p.InputTokens = CountTokens(*r.Prompt)
	case r.Messages != nil:
		// Mistral Large's chat-completion format.
		p.mistralChat = true
		if len(r.Messages) == 0 {
			return malformed("#/messages: expected minimum item count: 1, found: 0")
		}
		for i, m := range r.Messages {
			switch m.Role {
			case "system":
				g.System = append(g.System, m.Content)
			case "user", "assistant", "tool":
				role := m.Role
				if role == "tool" {
					role = "user"
				}
				g.Turns = append(g.Turns, Turn{Role: role, Text: m.Content})
			default:
				return malformed(fmt.Sprintf("#/messages/%d/role: %s is not a valid enum value", i, m.Role))
			}
		}
		p.InputTokens = countGenTokens(g)
	default:
		return requireKeys([]string{"prompt"}, []bool{false})
	}
	g.MaxTokens = defaultMaxTokens
	if r.MaxTokens != nil {
		if *r.MaxTokens < 1 {
			return malformed(fmt.Sprintf("#/max_tokens: %d is not greater or equal to 1", *r.MaxTokens))
		}
		g.MaxTokens = *r.MaxTokens
	}
	g.Temperature, g.TopP, g.Stop = r.Temperature, r.TopP, r.Stop
	return nil
}

type cohereRequest struct {
	Texts          []string `json:"texts"`
	InputType      *string  `json:"input_type"`
	Truncate       *string  `json:"truncate"`
	EmbeddingTypes []string `json:"embedding_types"`
}

// Cohere Embed's documented per-call limits.
const (
	cohereMaxTexts     = 96
	cohereMaxTextChars = 2048
)

func parseCohere(p *Input, body []byte) *RecordError {
	var r cohereRequest
	if err := decode(body, &r); err != nil {
		return err
	}
	if err := requireKeys([]string{"texts", "input_type"}, []bool{r.Texts != nil, r.InputType != nil}); err != nil {
		return err
	}
	switch *r.InputType {
	case "search_document", "search_query", "classification", "clustering":
	default:
		return malformed(fmt.Sprintf("#/input_type: %s is not a valid enum value", *r.InputType))
	}
	if len(r.Texts) > cohereMaxTexts {
		return malformed(fmt.Sprintf("#/texts: expected maximum item count: %d, found: %d", cohereMaxTexts, len(r.Texts)))
	}
	for i, t := range r.Texts {
		if n := len([]rune(t)); n > cohereMaxTextChars {
			return malformed(fmt.Sprintf("#/texts/%d: expected maxLength: %d, actual: %d", i, cohereMaxTextChars, n))
		}
	}
	if r.Truncate != nil {
		switch *r.Truncate {
		case "NONE", "START", "END":
		default:
			return malformed(fmt.Sprintf("#/truncate: %s is not a valid enum value", *r.Truncate))
		}
	}
	for i, t := range r.EmbeddingTypes {
		switch t {
		case "float", "int8", "uint8", "binary", "ubinary":
		default:
			return malformed(fmt.Sprintf("#/embedding_types/%d: %s is not a valid enum value", i, t))
		}
	}
	e := &p.Embed
	e.Texts, e.Dims, e.Types, e.InputType = r.Texts, 1024, r.EmbeddingTypes, *r.InputType
	for _, t := range r.Texts {
		p.InputTokens += CountTokens(t)
	}
	return nil
}

func countGenTokens(g *ChatRequest) int {
	n := 0
	for _, s := range g.System {
		n += CountTokens(s)
	}
	for _, t := range g.Turns {
		n += CountTokens(t.Text)
	}
	return n
}
