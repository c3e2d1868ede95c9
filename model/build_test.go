package model

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// Every family's built request is one the family accepts, carries the
// prompt through the family's own parser, and its simulated answer reads
// back with ReadAnswer.
func TestBuildRequestRoundTripsThroughEveryFamily(t *testing.T) {
	temp := 0.2
	sim, err := NewSim(SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model, invocation string
		family            Family
	}{
		{"anthropic.claude-3-haiku-20240307-v1:0", "", FamilyAnthropic},
		{"us.amazon.nova-pro-v1:0", "", FamilyNova},
		{"amazon.nova-lite-v1:0", Converse, FamilyNova},
		{"amazon.titan-text-express-v1", "", FamilyTitanText},
		{"meta.llama3-1-8b-instruct-v1:0", "", FamilyLlama},
		{"meta.llama2-13b-chat-v1", "", FamilyLlama},
		{"mistral.mistral-7b-instruct-v0:2", "", FamilyMistral},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", Converse, FamilyNova},
	} {
		t.Run(tc.model+tc.invocation, func(t *testing.T) {
			p := Prompt{System: "You grade reviews.", Messages: []Message{{Role: "user", Text: "Review: \"great\" tea\nGrade it."}}, MaxTokens: 77, Temperature: &temp}
			body, err := BuildRequest(tc.model, tc.invocation, p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(body), "\n") {
				t.Fatalf("body spans lines: %s", body)
			}
			info, err := CheckRequest(tc.model, tc.invocation, body)
			if err != nil {
				t.Fatalf("the family refuses the built body %s: %v", body, err)
			}
			if info.MaxTokens != 77 || info.InputTokens == 0 {
				t.Errorf("info %+v, want max tokens 77 and some input tokens", info)
			}
			family, _ := DetectFamily(tc.model)
			parsed, rerr := parseRequest(family, tc.invocation, body)
			if rerr != nil {
				t.Fatal(rerr)
			}
			got := parsed.gen.lastUserText()
			if family == FamilyTitanText || family == FamilyMistral {
				// No system role: the system prompt leads the user's text.
				if !strings.Contains(got, p.System) || !strings.Contains(got, p.Messages[0].Text) {
					t.Errorf("user text %q lacks the system prompt or the prompt (body %s)", got, body)
				}
			} else {
				if got != p.Messages[0].Text {
					t.Errorf("user text %q, want %q (body %s)", got, p.Messages[0].Text, body)
				}
				if strings.Join(parsed.gen.system, "") != p.System {
					t.Errorf("system %q, want %q (body %s)", parsed.gen.system, p.System, body)
				}
			}
			if parsed.gen.temperature == nil || *parsed.gen.temperature != temp {
				t.Errorf("temperature not carried: %s", body)
			}
			resp, err := sim.Invoke(context.Background(), Request{ModelID: tc.model, InvocationType: tc.invocation, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			a, err := ReadAnswer(resp.Body)
			if err != nil {
				t.Fatalf("%v: %s", err, resp.Body)
			}
			if a.Family != tc.family || a.Text == "" {
				t.Errorf("answer %+v of %s, want family %v with text", a, resp.Body, tc.family)
			}
			if family != FamilyMistral && (a.InputTokens != resp.InputTokens || a.OutputTokens != resp.OutputTokens) {
				t.Errorf("tokens %d/%d, the answer says %d/%d", a.InputTokens, a.OutputTokens, resp.InputTokens, resp.OutputTokens)
			}
		})
	}
}

func TestBuildEmbeddingRequests(t *testing.T) {
	sim, _ := NewSim(SimOptions{})
	for _, tc := range []struct {
		model string
		texts []string
		want  int
	}{
		{"amazon.titan-embed-text-v2:0", []string{"one text"}, 1},
		{"cohere.embed-english-v3", []string{"a", "b"}, 2},
	} {
		body, err := BuildRequest(tc.model, "", Prompt{Texts: tc.texts})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CheckRequest(tc.model, "", body); err != nil {
			t.Fatalf("%s refuses %s: %v", tc.model, body, err)
		}
		resp, err := sim.Invoke(context.Background(), Request{ModelID: tc.model, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		a, err := ReadAnswer(resp.Body)
		if err != nil || len(a.Embeddings) != tc.want || len(a.Embeddings[0]) == 0 {
			t.Errorf("%s: answer %d vectors, err %v; want %d", tc.model, len(a.Embeddings), err, tc.want)
		}
	}
	if _, err := BuildRequest("amazon.titan-embed-text-v2:0", "", Prompt{Texts: []string{"a", "b"}}); err == nil {
		t.Error("Titan Embeddings took two texts in one request")
	}
	if _, err := BuildRequest("cohere.embed-english-v3", "", Prompt{Texts: []string{"a"}, System: "x"}); err == nil || !strings.Contains(err.Error(), "embedding model") {
		t.Errorf("a system prompt for an embedding model: %v", err)
	}
}

func TestCheckRequestRefusesModelIDInConverse(t *testing.T) {
	body := []byte(`{"modelId":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":[{"text":"hi"}]}]}`)
	if _, err := CheckRequest("amazon.nova-lite-v1:0", Converse, body); err == nil || !strings.Contains(err.Error(), "modelId") {
		t.Errorf("Converse body with modelId: %v", err)
	}
	if _, err := CheckRequest("amazon.nova-lite-v1:0", "", []byte(`{"prompt":"hi"}`)); err == nil {
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
