package model

import (
	"errors"
	"strings"
	"testing"
)

func TestDetectFamily(t *testing.T) {
	cases := map[string]Family{
		"anthropic.claude-3-haiku-20240307-v1:0":                                           FamilyAnthropic,
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0":                                     FamilyAnthropic,
		"global.anthropic.claude-sonnet-4-20250514-v1:0":                                   FamilyAnthropic,
		"apac.anthropic.claude-3-haiku-20240307-v1:0":                                      FamilyAnthropic,
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2":                  FamilyAnthropic,
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0": FamilyNova,
		"amazon.nova-micro-v1:0":                                                           FamilyNova,
		"us.amazon.nova-premier-v1:0":                                                      FamilyNova,
		"amazon.titan-text-express-v1":                                                     FamilyTitanText,
		"amazon.titan-text-premier-v1:0":                                                   FamilyTitanText,
		"amazon.titan-embed-text-v2:0":                                                     FamilyTitanEmbed,
		"meta.llama3-1-70b-instruct-v1:0":                                                  FamilyLlama,
		"us.meta.llama3-2-11b-instruct-v1:0":                                               FamilyLlama,
		"mistral.mistral-7b-instruct-v0:2":                                                 FamilyMistral,
		"mistral.mixtral-8x7b-instruct-v0:1":                                               FamilyMistral,
		"cohere.embed-english-v3":                                                          FamilyCohereEmbed,
		"cohere.embed-multilingual-v3":                                                     FamilyCohereEmbed,
	}
	for id, want := range cases {
		got, err := DetectFamily(id)
		if err != nil || got != want {
			t.Errorf("DetectFamily(%q) = %v, %v; want %v", id, got, err, want)
		}
	}
	for _, id := range []string{"", "amazon.titan-embed-text-v1", "amazon.nova-canvas-v1:0", "cohere.command-r-v1:0", "ai21.jamba-1-5-mini-v1:0", "deepseek.r1-v1:0", "us.mistral"} {
		_, err := DetectFamily(id)
		var ue *UnknownModelError
		if !errors.As(err, &ue) || ue.ModelID != id || !strings.Contains(err.Error(), "anthropic.claude-*") {
			t.Errorf("DetectFamily(%q): %v, want an *UnknownModelError listing the supported families", id, err)
		}
	}
}

func TestAnthropicModelName(t *testing.T) {
	cases := map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":       "claude-3-haiku-20240307",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet-20241022",
		"anthropic.claude-v2":                          "claude-v2",
		"anthropic.claude-instant-v1":                  "claude-instant-v1",
	}
	for id, want := range cases {
		if got := anthropicModelName(id); got != want {
			t.Errorf("anthropicModelName(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestParsePromptTemplate(t *testing.T) {
	cases := []struct {
		prompt string
		system string
		turns  string
	}{
		{"Just a question?", "", "user:Just a question?"},
		{"User: hi there\nBot:", "", "user:hi there"},
		{"<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nHello [/INST] Hi!</s><s>[INST] Bye [/INST]", "Be kind.", "user:Hello|assistant:Hi!|user:Bye"},
		{"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
			"S", "user:U1|assistant:A1|user:U2"},
	}
	for _, c := range cases {
		sys, turns := parsePromptTemplate(c.prompt)
		var parts []string
		for _, tr := range turns {
			parts = append(parts, tr.role+":"+tr.text)
		}
		if strings.Join(sys, "|") != c.system || strings.Join(parts, "|") != c.turns {
			t.Errorf("parsePromptTemplate(%q) = %q, %q; want %q, %q", c.prompt, sys, parts, c.system, c.turns)
		}
	}
}
