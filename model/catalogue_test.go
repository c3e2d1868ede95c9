package model

import (
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// conformance cases: each body is judged as the page it cites documents it.
// want is "" for a body the service accepts, else a part of its message.
type conformanceCase struct {
	name  string
	model string
	conv  bool
	body  string
	want  string
}

func runConformance(t *testing.T, cases []conformanceCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := batch.InvocationInvokeModel
			if c.conv {
				inv = batch.InvocationConverse
			}
			_, err := CheckRequest(ParseID(c.model), inv, []byte(c.body))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused a documented body: %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("accepted a body the page rules out; want an error with %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
// (read 2026-12-08): anthropic_version, max_tokens and messages are
// required; temperature and top_p lie in 0–1, top_k in 0–500. Output
// limits per model: https://docs.anthropic.com/en/docs/about-claude/models/overview
func TestConformanceAnthropic(t *testing.T) {
	const m = "anthropic.claude-3-5-haiku-20241022-v1:0"
	ok := `"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"hi"}]`
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{` + ok + `,"temperature":1,"top_p":0.9,"top_k":500,"stop_sequences":["x"],"system":"s"}`, ""},
		{"extraneous key", m, false, `{` + ok + `,"frequency_penalty":1}`, "Malformed input request: #: extraneous key [frequency_penalty] is not permitted"},
		{"missing anthropic_version", m, false, `{"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`, "required key [anthropic_version] not found"},
		{"temperature above 1", m, false, `{` + ok + `,"temperature":1.5}`, "#/temperature: 1.5 is not less or equal to 1"},
		{"negative top_p", m, false, `{` + ok + `,"top_p":-0.1}`, "#/top_p: -0.1 is not greater or equal to 0"},
		{"top_k above 500", m, false, `{` + ok + `,"top_k":501}`, "#/top_k: 501 is not less or equal to 500"},
		{"top_k not an integer", m, false, `{` + ok + `,"top_k":1.5}`, "#/top_k: expected type: Integer, found: Number"},
		{"temperature a string", m, false, `{` + ok + `,"temperature":"hot"}`, "#/temperature: expected type: Number, found: String"},
		{"max_tokens above the model's limit", m, false, `{"anthropic_version":"bedrock-2023-05-31","max_tokens":8193,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens: 8193 > 8192"},
		{"max_tokens at the model's limit", m, false, `{"anthropic_version":"bedrock-2023-05-31","max_tokens":8192,"messages":[{"role":"user","content":"hi"}]}`, ""},
		{"empty text block", m, false, `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]}`, "text content blocks must be non-empty"},
		{"empty content", m, false, `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":""}]}`, "all messages must have non-empty content"},
	})
}

// https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html
// (read 2026-12-08): messages required; inferenceConfig holds maxTokens
// (at most 5K), temperature, topP (0–1), topK and stopSequences.
func TestConformanceNova(t *testing.T) {
	const m = "us.amazon.nova-lite-v1:0"
	msgs := `"messages":[{"role":"user","content":[{"text":"hi"}]}]`
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{"schemaVersion":"messages-v1","system":[{"text":"s"}],` + msgs + `,"inferenceConfig":{"maxTokens":5000,"temperature":0.7,"topP":0.9,"topK":50,"stopSequences":["x"]}}`, ""},
		{"extraneous top-level key", m, false, `{` + msgs + `,"temperature":0.5}`, "#: extraneous key [temperature] is not permitted"},
		{"extraneous inferenceConfig key", m, false, `{` + msgs + `,"inferenceConfig":{"top_p":0.5}}`, "#/inferenceConfig: extraneous key [top_p] is not permitted"},
		{"temperature above 1", m, false, `{` + msgs + `,"inferenceConfig":{"temperature":1.2}}`, "#/inferenceConfig/temperature: 1.2 is not less or equal to 1"},
		{"maxTokens above 5K", m, false, `{` + msgs + `,"inferenceConfig":{"maxTokens":5001}}`, "#/inferenceConfig/maxTokens: 5001 is not less or equal to 5000"},
		{"missing messages", m, false, `{"system":[{"text":"s"}]}`, "required key [messages] not found"},
		{"blank text block", m, false, `{"messages":[{"role":"user","content":[{"text":""}]}]}`, "The text field in the ContentBlock object at messages.0.content.0 is blank"},
	})
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
// (read 2026-12-08): inputText required; textGenerationConfig holds
// temperature and topP (0–1), maxTokenCount (Lite 4,096, Express 8,192,
// Premier 3,072) and stopSequences.
func TestConformanceTitanText(t *testing.T) {
	const m = "amazon.titan-text-premier-v1:0"
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{"inputText":"User: hi\nBot:","textGenerationConfig":{"temperature":0.7,"topP":0.9,"maxTokenCount":3072,"stopSequences":["User:"]}}`, ""},
		{"extraneous key", m, false, `{"inputText":"hi","maxTokenCount":10}`, "#: extraneous key [maxTokenCount] is not permitted"},
		{"extraneous config key", m, false, `{"inputText":"hi","textGenerationConfig":{"top_k":10}}`, "#/textGenerationConfig: extraneous key [top_k] is not permitted"},
		{"temperature above 1", m, false, `{"inputText":"hi","textGenerationConfig":{"temperature":1.01}}`, "#/textGenerationConfig/temperature: 1.01 is not less or equal to 1"},
		{"maxTokenCount above Premier's", m, false, `{"inputText":"hi","textGenerationConfig":{"maxTokenCount":3073}}`, "#/textGenerationConfig/maxTokenCount: 3073 is not less or equal to 3072"},
		{"Express allows 8,192", "amazon.titan-text-express-v1", false, `{"inputText":"hi","textGenerationConfig":{"maxTokenCount":8192}}`, ""},
		{"missing inputText", m, false, `{"textGenerationConfig":{}}`, "required key [inputText] not found"},
	})
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
// (read 2026-12-08): inputText required; dimensions 1024, 512 or 256;
// normalize a boolean; embeddingTypes a list.
func TestConformanceTitanEmbed(t *testing.T) {
	const m = "amazon.titan-embed-text-v2:0"
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{"inputText":"hi","dimensions":256,"normalize":false,"embeddingTypes":["float","binary"]}`, ""},
		{"dimensions not allowed", m, false, `{"inputText":"hi","dimensions":300}`, "#/dimensions: 300 is not a valid enum value"},
		{"normalize a string", m, false, `{"inputText":"hi","normalize":"yes"}`, "#/normalize: expected type: Boolean, found: String"},
		{"extraneous key", m, false, `{"inputText":"hi","texts":["a"]}`, "#: extraneous key [texts] is not permitted"},
	})
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
// (read 2026-12-08): prompt required; temperature and top_p 0–1;
// max_gen_len 1–2,048; the body has no stop sequences.
func TestConformanceLlama(t *testing.T) {
	const m = "meta.llama3-1-70b-instruct-v1:0"
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{"prompt":"hi","temperature":0.5,"top_p":0.9,"max_gen_len":2048}`, ""},
		{"temperature above 1", m, false, `{"prompt":"hi","temperature":1.5}`, "#/temperature: 1.5 is not less or equal to 1"},
		{"max_gen_len above 2048", m, false, `{"prompt":"hi","max_gen_len":4096}`, "#/max_gen_len: 4096 is not less or equal to 2048"},
		{"max_gen_len zero", m, false, `{"prompt":"hi","max_gen_len":0}`, "#/max_gen_len: 0 is not greater or equal to 1"},
		{"stop is not a Llama key", m, false, `{"prompt":"hi","stop":["x"]}`, "#: extraneous key [stop] is not permitted"},
		{"missing prompt", m, false, `{"temperature":0.5}`, "required key [prompt] not found"},
	})
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
// (read 2026-12-08): prompt required; max_tokens at most 8,192 (7B,
// Large, Small) or 4,096 (Mixtral 8x7B); temperature and top_p 0–1; top_k
// 1–200; stop a list.
func TestConformanceMistral(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"documented body", "mistral.mistral-7b-instruct-v0:2", false, `{"prompt":"<s>[INST] hi [/INST]","max_tokens":8192,"stop":["x"],"temperature":0.5,"top_p":0.9,"top_k":50}`, ""},
		{"Mixtral limit", "mistral.mixtral-8x7b-instruct-v0:1", false, `{"prompt":"hi","max_tokens":4097}`, "#/max_tokens: 4097 is not less or equal to 4096"},
		{"top_k above 200", "mistral.mistral-7b-instruct-v0:2", false, `{"prompt":"hi","top_k":201}`, "#/top_k: 201 is not less or equal to 200"},
		{"temperature above 1", "mistral.mistral-large-2402-v1:0", false, `{"prompt":"hi","temperature":2}`, "#/temperature: 2 is not less or equal to 1"},
		{"extraneous key", "mistral.mistral-large-2402-v1:0", false, `{"prompt":"hi","stop_sequences":["x"]}`, "#: extraneous key [stop_sequences] is not permitted"},
	})
}

// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
// (read 2026-12-08): texts (at most 96) and input_type required; truncate
// and embedding_types optional.
func TestConformanceCohereEmbed(t *testing.T) {
	const m = "cohere.embed-english-v3"
	many := `"a"` + strings.Repeat(`,"a"`, 96)
	runConformance(t, []conformanceCase{
		{"documented body", m, false, `{"texts":["a"],"input_type":"search_document","truncate":"END","embedding_types":["float"]}`, ""},
		{"97 texts", m, false, `{"texts":[` + many + `],"input_type":"search_query"}`, "#/texts: expected maximum item count: 96, found: 97"},
		{"missing input_type", m, false, `{"texts":["a"]}`, "required key [input_type] not found"},
		{"extraneous key", m, false, `{"texts":["a"],"input_type":"clustering","dimensions":512}`, "#: extraneous key [dimensions] is not permitted"},
	})
}

// botocore bedrock-runtime 2023-09-30 service-2.json, InferenceConfiguration:
// maxTokens min 1, temperature and topP 0–1, stopSequences at most 2,500;
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
func TestConformanceConverse(t *testing.T) {
	const m = "meta.llama3-1-70b-instruct-v1:0"
	msgs := `"messages":[{"role":"user","content":[{"text":"hi"}]}]`
	runConformance(t, []conformanceCase{
		{"documented body", m, true, `{` + msgs + `,"inferenceConfig":{"maxTokens":100,"temperature":1,"topP":0.5,"stopSequences":["x"]}}`, ""},
		{"temperature above 1", m, true, `{` + msgs + `,"inferenceConfig":{"temperature":1.5}}`, "Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1"},
		{"topK is not an InferenceConfiguration member", m, true, `{` + msgs + `,"inferenceConfig":{"topK":5}}`, "extraneous key [topK] is not permitted in inferenceConfig"},
		{"maxTokens above the model's limit", m, true, `{` + msgs + `,"inferenceConfig":{"maxTokens":4096}}`, "exceeds the model limit of 2048"},
		{"blank text", m, true, `{"messages":[{"role":"user","content":[{"text":""}]}]}`, "is blank"},
	})
}

func TestCatalogueEntriesCiteTheirPage(t *testing.T) {
	for f, s := range familySpecs {
		if !strings.HasPrefix(s.Source, "https://") || s.Read != catalogueRead {
			t.Errorf("%v: source %q read %q", f, s.Source, s.Read)
		}
	}
	for _, m := range modelSpecs {
		if !strings.HasPrefix(m.Source, "https://") || m.Read != catalogueRead {
			t.Errorf("%s: source %q read %q", m.Prefix, m.Source, m.Read)
		}
		if fam := familyOf(m.Prefix + "x"); fam == FamilyUnknown {
			t.Errorf("%s names no family", m.Prefix)
		}
	}
}
