package backend

import (
	"context"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
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
		family            model.Family
	}{
		{"anthropic.claude-3-haiku-20240307-v1:0", "", model.FamilyAnthropic},
		{"us.amazon.nova-pro-v1:0", "", model.FamilyNova},
		{"amazon.nova-lite-v1:0", batch.InvocationConverse, model.FamilyNova},
		{"amazon.titan-text-express-v1", "", model.FamilyTitanText},
		{"meta.llama3-1-8b-instruct-v1:0", "", model.FamilyLlama},
		{"meta.llama2-13b-chat-v1", "", model.FamilyLlama},
		{"mistral.mistral-7b-instruct-v0:2", "", model.FamilyMistral},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", batch.InvocationConverse, model.FamilyNova},
	} {
		t.Run(tc.model+tc.invocation, func(t *testing.T) {
			p := model.Prompt{System: "You grade reviews.", Messages: []model.Message{{Role: "user", Text: "Review: \"great\" tea\nGrade it."}}, MaxTokens: 77, Temperature: &temp}
			body, err := model.BuildRequest(model.ParseID(tc.model), tc.invocation, p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(body), "\n") {
				t.Fatalf("body spans lines: %s", body)
			}
			info, err := model.CheckRequest(model.ParseID(tc.model), tc.invocation, body)
			if err != nil {
				t.Fatalf("the family refuses the built body %s: %v", body, err)
			}
			if info.MaxTokens != 77 || info.InputTokens == 0 {
				t.Errorf("info %+v, want max tokens 77 and some input tokens", info)
			}
			family := model.ParseID(tc.model).Family()
			parsed, rerr := model.ReadInput(family, tc.invocation, body)
			if rerr != nil {
				t.Fatal(rerr)
			}
			got := parsed.Chat.LastUserText()
			if family == model.FamilyTitanText || family == model.FamilyMistral {
				// No system role: the system prompt leads the user's text.
				if !strings.Contains(got, p.System) || !strings.Contains(got, p.Messages[0].Text) {
					t.Errorf("user text %q lacks the system prompt or the prompt (body %s)", got, body)
				}
			} else {
				if got != p.Messages[0].Text {
					t.Errorf("user text %q, want %q (body %s)", got, p.Messages[0].Text, body)
				}
				if strings.Join(parsed.Chat.System, "") != p.System {
					t.Errorf("system %q, want %q (body %s)", parsed.Chat.System, p.System, body)
				}
			}
			if parsed.Chat.Temperature == nil || *parsed.Chat.Temperature != temp {
				t.Errorf("temperature not carried: %s", body)
			}
			resp, err := sim.Invoke(context.Background(), Request{Model: model.ParseID(tc.model), InvocationType: tc.invocation, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			a, err := model.ReadAnswer(resp.Body)
			if err != nil {
				t.Fatalf("%v: %s", err, resp.Body)
			}
			if a.Family != tc.family || a.Text == "" {
				t.Errorf("answer %+v of %s, want family %v with text", a, resp.Body, tc.family)
			}
			if family != model.FamilyMistral && (a.InputTokens != resp.InputTokens || a.OutputTokens != resp.OutputTokens) {
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
		body, err := model.BuildRequest(model.ParseID(tc.model), "", model.Prompt{Texts: tc.texts})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := model.CheckRequest(model.ParseID(tc.model), "", body); err != nil {
			t.Fatalf("%s refuses %s: %v", tc.model, body, err)
		}
		resp, err := sim.Invoke(context.Background(), Request{Model: model.ParseID(tc.model), Body: body})
		if err != nil {
			t.Fatal(err)
		}
		a, err := model.ReadAnswer(resp.Body)
		if err != nil || len(a.Embeddings) != tc.want || len(a.Embeddings[0]) == 0 {
			t.Errorf("%s: answer %d vectors, err %v; want %d", tc.model, len(a.Embeddings), err, tc.want)
		}
	}
	if _, err := model.BuildRequest(model.ParseID("amazon.titan-embed-text-v2:0"), "", model.Prompt{Texts: []string{"a", "b"}}); err == nil {
		t.Error("Titan Embeddings took two texts in one request")
	}
	if _, err := model.BuildRequest(model.ParseID("cohere.embed-english-v3"), "", model.Prompt{Texts: []string{"a"}, System: "x"}); err == nil || !strings.Contains(err.Error(), "embedding model") {
		t.Errorf("a system prompt for an embedding model: %v", err)
	}
}
