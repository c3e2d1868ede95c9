package model

import "strings"

// The model catalogue: what each family's request body may hold and what
// each model allows, as AWS documents it. It is data, read by CheckRequest
// and ReadInput (which the local Bedrock uses to judge a record) and by the
// data tools (validate, prepare), so that every place refuses the same
// bodies in the same words.
//
// Sources, each read on 2026-12-08 (catalogueRead):
//   - Anthropic Claude Messages API:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
//     and, for each Claude model's output limit, Anthropic's models overview
//     https://docs.anthropic.com/en/docs/about-claude/models/overview
//   - Amazon Nova (InvokeModel, schemaVersion messages-v1):
//     https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html
//   - Amazon Titan Text:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
//   - Amazon Titan Text Embeddings V2:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
//   - Meta Llama:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//   - Mistral AI text completion and Mistral Large chat completion:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
//   - Cohere Embed:
//     https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
//   - Converse: the ConverseRequest and InferenceConfiguration shapes of
//     botocore's bedrock-runtime service model (2023-09-30/service-2.json),
//     https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html

// catalogueRead is the date the pages above were read.
const catalogueRead = "2026-12-08"

// Kind is the JSON type a request parameter takes.
type Kind int

// The kinds of parameter values.
const (
	KindAny Kind = iota
	KindString
	KindInteger
	KindNumber
	KindBoolean
	KindArray
	KindObject
	KindStringOrArray // a string or an array of content blocks
)

var kindWords = [...]string{
	KindAny: "any", KindString: "String", KindInteger: "Integer", KindNumber: "Number",
	KindBoolean: "Boolean", KindArray: "JSONArray", KindObject: "JSONObject", KindStringOrArray: "String or JSONArray",
}

// String names the kind as the service's messages do.
func (k Kind) String() string { return kindWords[k] }

// Range bounds a number, both ends included.
type Range struct {
	Min, Max float64
}

// Contains reports whether x lies in the range.
func (r Range) Contains(x float64) bool { return x >= r.Min && x <= r.Max }

// Clamp returns x moved into the range.
func (r Range) Clamp(x float64) float64 { return min(max(x, r.Min), r.Max) }

// Param is one key a family's request body may hold.
type Param struct {
	Key      string
	Kind     Kind
	Required bool
	// Range bounds a number; nil for none.
	Range *Range
	// MaxItems bounds an array's length; 0 for no bound.
	MaxItems int
	// Enum lists the values an integer may take; nil for any.
	Enum []int
	// Nested are the keys an object holds; nil allows any.
	Nested []Param
}

// FamilySpec is the catalogue entry of a request format.
type FamilySpec struct {
	Name string
	// Source is the page the entry was written from, read on Read.
	Source string
	Read   string
	Params []Param
}

// ModelSpec is what the catalogue knows of one model, matched by the
// prefix of its foundation model id.
type ModelSpec struct {
	Prefix string
	// MaxOutputTokens is the most tokens an answer may have; 0 when the
	// model generates no text.
	MaxOutputTokens int
	// Dimensions are the embedding sizes a request may ask for (the first
	// is the default); nil when the model takes no dimensions parameter.
	Dimensions []int
	Source     string
	Read       string
}

func rng(lo, hi float64) *Range { return &Range{Min: lo, Max: hi} }

const (
	pageAnthropic      = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html"
	pageAnthropicLimit = "https://docs.anthropic.com/en/docs/about-claude/models/overview"
	pageNova           = "https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html"
	pageTitanText      = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html"
	pageTitanEmbed     = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html"
	pageLlama          = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html"
	pageMistral        = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html"
	pageMistralChat    = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html"
	pageCohereEmbed    = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html"
	pageConverse       = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html"
)

// familySpecs are the request formats, by family.
var familySpecs = map[Family]FamilySpec{
	FamilyAnthropic: {Name: "Anthropic Claude Messages", Source: pageAnthropic, Read: catalogueRead, Params: []Param{
		{Key: "anthropic_version", Kind: KindString, Required: true},
		{Key: "anthropic_beta", Kind: KindArray},
		{Key: "max_tokens", Kind: KindInteger, Required: true, Range: rng(1, 1<<31-1)},
		{Key: "system", Kind: KindStringOrArray},
		{Key: "messages", Kind: KindArray, Required: true},
		{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "top_p", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "top_k", Kind: KindInteger, Range: rng(0, 500)},
		{Key: "stop_sequences", Kind: KindArray, MaxItems: 8191},
		{Key: "tools", Kind: KindArray},
		{Key: "tool_choice", Kind: KindObject},
		{Key: "thinking", Kind: KindObject},
	}},
	FamilyNova: {Name: "Amazon Nova (messages-v1)", Source: pageNova, Read: catalogueRead, Params: []Param{
		{Key: "schemaVersion", Kind: KindString},
		{Key: "system", Kind: KindArray},
		{Key: "messages", Kind: KindArray, Required: true},
		{Key: "inferenceConfig", Kind: KindObject, Nested: []Param{
			{Key: "maxTokens", Kind: KindInteger, Range: rng(1, 1<<31-1)},
			{Key: "max_new_tokens", Kind: KindInteger, Range: rng(1, 1<<31-1)},
			{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
			{Key: "topP", Kind: KindNumber, Range: rng(0, 1)},
			{Key: "topK", Kind: KindInteger, Range: rng(0, 128)},
			{Key: "stopSequences", Kind: KindArray},
			{Key: "reasoningConfig", Kind: KindObject},
		}},
		{Key: "toolConfig", Kind: KindObject},
	}},
	FamilyTitanText: {Name: "Amazon Titan Text", Source: pageTitanText, Read: catalogueRead, Params: []Param{
		{Key: "inputText", Kind: KindString, Required: true},
		{Key: "textGenerationConfig", Kind: KindObject, Nested: []Param{
			{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
			{Key: "topP", Kind: KindNumber, Range: rng(0, 1)},
			{Key: "maxTokenCount", Kind: KindInteger, Range: rng(0, 1<<31-1)},
			{Key: "stopSequences", Kind: KindArray},
		}},
	}},
	FamilyTitanEmbed: {Name: "Amazon Titan Text Embeddings V2", Source: pageTitanEmbed, Read: catalogueRead, Params: []Param{
		{Key: "inputText", Kind: KindString, Required: true},
		{Key: "dimensions", Kind: KindInteger, Enum: []int{1024, 512, 256}},
		{Key: "normalize", Kind: KindBoolean},
		{Key: "embeddingTypes", Kind: KindArray},
	}},
	FamilyLlama: {Name: "Meta Llama", Source: pageLlama, Read: catalogueRead, Params: []Param{
		{Key: "prompt", Kind: KindString, Required: true},
		{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "top_p", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "max_gen_len", Kind: KindInteger, Range: rng(1, 2048)},
		{Key: "images", Kind: KindArray},
	}},
	FamilyMistral: {Name: "Mistral AI (text and chat completion)", Source: pageMistral + " and " + pageMistralChat, Read: catalogueRead, Params: []Param{
		{Key: "prompt", Kind: KindString},
		{Key: "messages", Kind: KindArray},
		{Key: "max_tokens", Kind: KindInteger, Range: rng(1, 1<<31-1)},
		{Key: "stop", Kind: KindArray},
		{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "top_p", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "top_k", Kind: KindInteger, Range: rng(1, 200)},
		{Key: "tools", Kind: KindArray},
		{Key: "tool_choice", Kind: KindAny},
	}},
	FamilyCohereEmbed: {Name: "Cohere Embed", Source: pageCohereEmbed, Read: catalogueRead, Params: []Param{
		{Key: "texts", Kind: KindArray, Required: true, MaxItems: cohereMaxTexts},
		{Key: "images", Kind: KindArray},
		{Key: "input_type", Kind: KindString, Required: true},
		{Key: "truncate", Kind: KindString},
		{Key: "embedding_types", Kind: KindArray},
	}},
}

// converseSpec is a Converse request as a batch record holds it: the
// ConverseRequest members but modelId.
var converseSpec = FamilySpec{Name: "Converse", Source: pageConverse, Read: catalogueRead, Params: []Param{
	{Key: "messages", Kind: KindArray},
	{Key: "system", Kind: KindArray},
	{Key: "inferenceConfig", Kind: KindObject, Nested: []Param{
		{Key: "maxTokens", Kind: KindInteger, Range: rng(1, 1<<31-1)},
		{Key: "temperature", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "topP", Kind: KindNumber, Range: rng(0, 1)},
		{Key: "stopSequences", Kind: KindArray, MaxItems: 2500},
	}},
	{Key: "toolConfig", Kind: KindObject},
	{Key: "guardrailConfig", Kind: KindObject},
	{Key: "additionalModelRequestFields", Kind: KindAny},
	{Key: "promptVariables", Kind: KindObject},
	{Key: "additionalModelResponseFieldPaths", Kind: KindArray},
	{Key: "requestMetadata", Kind: KindObject},
	{Key: "performanceConfig", Kind: KindObject},
	{Key: "serviceTier", Kind: KindAny},
	{Key: "outputConfig", Kind: KindObject},
}}

// modelSpecs are the per-model limits, longest prefix first where prefixes
// nest.
var modelSpecs = []ModelSpec{
	// Anthropic: max_tokens is required and bounded by the model.
	{Prefix: "anthropic.claude-3-haiku", MaxOutputTokens: 4096, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-3-sonnet", MaxOutputTokens: 4096, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-3-opus", MaxOutputTokens: 4096, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-3-5-haiku", MaxOutputTokens: 8192, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-3-5-sonnet", MaxOutputTokens: 8192, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-3-7-sonnet", MaxOutputTokens: 64000, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-sonnet-4", MaxOutputTokens: 64000, Source: pageAnthropicLimit},
	{Prefix: "anthropic.claude-opus-4", MaxOutputTokens: 32000, Source: pageAnthropicLimit},
	// Nova v1 understanding models: maxTokens at most 5K.
	{Prefix: "amazon.nova-micro-v1", MaxOutputTokens: 5000, Source: pageNova},
	{Prefix: "amazon.nova-lite-v1", MaxOutputTokens: 5000, Source: pageNova},
	{Prefix: "amazon.nova-pro-v1", MaxOutputTokens: 5000, Source: pageNova},
	// Titan Text: maxTokenCount maxima by model.
	{Prefix: "amazon.titan-text-lite", MaxOutputTokens: 4096, Source: pageTitanText},
	{Prefix: "amazon.titan-text-express", MaxOutputTokens: 8192, Source: pageTitanText},
	{Prefix: "amazon.titan-text-premier", MaxOutputTokens: 3072, Source: pageTitanText},
	// Llama: max_gen_len at most 2048 for every model on the page.
	{Prefix: "meta.llama", MaxOutputTokens: 2048, Source: pageLlama},
	// Mistral: max_tokens maxima by model.
	{Prefix: "mistral.mistral-7b", MaxOutputTokens: 8192, Source: pageMistral},
	{Prefix: "mistral.mixtral-8x7b", MaxOutputTokens: 4096, Source: pageMistral},
	{Prefix: "mistral.mistral-large", MaxOutputTokens: 8192, Source: pageMistral},
	{Prefix: "mistral.mistral-small", MaxOutputTokens: 8192, Source: pageMistral},
	// Embeddings.
	{Prefix: "amazon.titan-embed-text-v2", Dimensions: []int{1024, 512, 256}, Source: pageTitanEmbed},
	{Prefix: "cohere.embed-", Source: pageCohereEmbed},
}

func init() {
	for i := range modelSpecs {
		modelSpecs[i].Read = catalogueRead
	}
}

// SpecOf returns the catalogue entry of the request format a record of the
// family takes: the Converse request when converse is true.
func SpecOf(f Family, converse bool) (FamilySpec, bool) {
	if converse {
		return converseSpec, !f.Embedding() && f != FamilyUnknown
	}
	s, ok := familySpecs[f]
	return s, ok
}

// ModelOf returns what the catalogue knows of the model behind id; ok is
// false for a model it has no entry for (its family's rules still hold).
func ModelOf(id ID) (ModelSpec, bool) {
	for _, m := range modelSpecs {
		if strings.HasPrefix(id.Base(), m.Prefix) {
			return m, true
		}
	}
	return ModelSpec{}, false
}

// Param returns the parameter of the spec at path (keys of nested objects).
func (s FamilySpec) Param(path ...string) (Param, bool) {
	params := s.Params
	var found Param
	for _, k := range path {
		ok := false
		for _, p := range params {
			if p.Key == k {
				found, params, ok = p, p.Nested, true
				break
			}
		}
		if !ok {
			return Param{}, false
		}
	}
	return found, len(path) > 0
}
