package model

import "testing"

// Which counts each family's response reports, from the response shapes on
// the pages cited in catalogue.go (read 2026-12-08): Mistral's text and chat
// completion responses and Cohere Embed's carry no token counts; Titan
// Text Embeddings V2 reports inputTextTokenCount only; Llama, Titan Text,
// Nova and Anthropic report both.
func TestAnswerSaysWhichCountsAreKnown(t *testing.T) {
	for _, c := range []struct {
		name        string
		body        string
		noIn, noOut bool
		in, out     int
	}{
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
		{"mistral text", `{"outputs":[{"text":"hi","stop_reason":"stop"}]}`, true, true, 0, 0},
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
		{"mistral chat", `{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"stop_reason":"stop"}]}`, true, true, 0, 0},
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
		{"cohere embed", `{"embeddings":[[0.1]],"id":"x","response_type":"embeddings_floats","texts":["a"]}`, true, true, 0, 0},
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
		{"titan embed", `{"embedding":[0.1],"inputTextTokenCount":3}`, false, true, 3, 0},
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
		{"llama", `{"generation":"hi","prompt_token_count":4,"generation_token_count":0,"stop_reason":"stop"}`, false, false, 4, 0},
		// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
		{"titan text", `{"inputTextTokenCount":5,"results":[{"tokenCount":2,"outputText":"hi","completionReason":"FINISHED"}]}`, false, false, 5, 2},
	} {
		a, err := ReadAnswer([]byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.NoInputTokens != c.noIn || a.NoOutputTokens != c.noOut || a.InputTokens != c.in || a.OutputTokens != c.out {
			t.Errorf("%s: unknown in/out %v/%v counts %d/%d, want %v/%v %d/%d", c.name, a.NoInputTokens, a.NoOutputTokens, a.InputTokens, a.OutputTokens, c.noIn, c.noOut, c.in, c.out)
		}
	}
}
