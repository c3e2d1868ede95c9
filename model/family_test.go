package model

import (
	"strings"
	"testing"
)

func TestAnthropicModelName(t *testing.T) {
	cases := map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":       "claude-3-haiku-20240307",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet-20241022",
		"anthropic.claude-v2":                          "claude-v2",
		"anthropic.claude-instant-v1":                  "claude-instant-v1",
	}
	for id, want := range cases {
		if got := anthropicModelName(ParseID(id)); got != want {
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
			parts = append(parts, tr.Role+":"+tr.Text)
		}
		if strings.Join(sys, "|") != c.system || strings.Join(parts, "|") != c.turns {
			t.Errorf("parsePromptTemplate(%q) = %q, %q; want %q, %q", c.prompt, sys, parts, c.system, c.turns)
		}
	}
}
