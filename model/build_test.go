package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

func TestCheckRequestRefusesModelIDInConverse(t *testing.T) {
	body := []byte(`{"modelId":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":[{"text":"hi"}]}]}`)
	if _, err := CheckRequest(ParseID("amazon.nova-lite-v1:0"), batch.InvocationConverse, body); err == nil || !strings.Contains(err.Error(), "modelId") {
		t.Errorf("Converse body with modelId: %v", err)
	}
	if _, err := CheckRequest(ParseID("amazon.nova-lite-v1:0"), "", []byte(`{"prompt":"hi"}`)); err == nil {
		t.Error("a Llama body passed for Nova")
	}
}

func TestOpenAIBatchRequestTranslates(t *testing.T) {
	line := []byte(`{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hello"}]}],"max_tokens":50,"stop":"END"}}`)
	r, err := ParseOpenAIBatchRequest(line)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Prompt()
	if err != nil {
		t.Fatal(err)
	}
	if p.System != "Be brief." || len(p.Messages) != 1 || p.Messages[0].Text != "Hello" || p.MaxTokens != 50 || len(p.Stop) != 1 {
		t.Errorf("prompt %+v", p)
	}
	for _, bad := range []string{
		`{"method":"POST","url":"/v1/chat/completions","body":{}}`,
		`{"custom_id":"a","method":"GET","url":"/v1/chat/completions","body":{}}`,
		`{"custom_id":"a","method":"POST","url":"/v1/responses","body":{}}`,
	} {
		if _, err := ParseOpenAIBatchRequest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	body := OpenAIResponseBody(Answer{Text: "Hi", InputTokens: 3, OutputTokens: 1, StopReason: "max_tokens"}, "chatcmpl-1", "m", 1)
	if !strings.Contains(string(body), `"finish_reason":"length"`) || !strings.Contains(string(body), `"total_tokens":4`) {
		t.Errorf("chat completion body %s", body)
	}
	emb := OpenAIResponseBody(Answer{Embeddings: [][]float64{{0.5, -0.25}}, InputTokens: 2}, "x", "m", 1)
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			Object    string    `json:"object"`
			Embedding []float64 `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(emb, &list); err != nil || list.Object != "list" || len(list.Data) != 1 || list.Data[0].Embedding[1] != -0.25 {
		t.Errorf("embeddings body %s: %v", emb, err)
	}
}
