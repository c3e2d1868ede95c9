package model

import "github.com/bedrockbatch/bedrockbatch/batch"

// ChatLimits are the catalogue's bounds on a text model's generation
// settings, as one request format (the family's, or Converse's) holds them.
type ChatLimits struct {
	// Temperature and TopP are nil when the format has no such setting.
	Temperature, TopP *Range
	// MaxTokens bounds the answer's token limit.
	MaxTokens Range
	// Stop reports whether the format takes stop sequences.
	Stop bool
	// Source is the page the bounds come from.
	Source string
}

// the keys of each format's settings: temperature, top_p, max tokens, stop.
var settingKeys = map[Family][4][]string{
	FamilyAnthropic: {{"temperature"}, {"top_p"}, {"max_tokens"}, {"stop_sequences"}},
	FamilyNova:      {{"inferenceConfig", "temperature"}, {"inferenceConfig", "topP"}, {"inferenceConfig", "maxTokens"}, {"inferenceConfig", "stopSequences"}},
	FamilyTitanText: {{"textGenerationConfig", "temperature"}, {"textGenerationConfig", "topP"}, {"textGenerationConfig", "maxTokenCount"}, {"textGenerationConfig", "stopSequences"}},
	FamilyLlama:     {{"temperature"}, {"top_p"}, {"max_gen_len"}, {"stop"}},
	FamilyMistral:   {{"temperature"}, {"top_p"}, {"max_tokens"}, {"stop"}},
}

// LimitsOf returns the bounds a request for the text model id takes with
// the invocation type; ok is false for an embedding model or an id of no
// known family.
func LimitsOf(id ID, invocationType string) (ChatLimits, bool) {
	f := id.Family()
	if f == FamilyUnknown || f.Embedding() {
		return ChatLimits{}, false
	}
	converse := invocationType == batch.InvocationConverse
	spec, _ := SpecOf(f, converse)
	keys := settingKeys[f]
	if converse {
		keys = settingKeys[FamilyNova]
	}
	var l ChatLimits
	l.Source = spec.Source
	if p, ok := spec.Param(keys[0]...); ok {
		l.Temperature = p.Range
	}
	if p, ok := spec.Param(keys[1]...); ok {
		l.TopP = p.Range
	}
	l.MaxTokens = Range{Min: 1, Max: 1<<31 - 1}
	if p, ok := spec.Param(keys[2]...); ok && p.Range != nil {
		l.MaxTokens = *p.Range
	}
	if m, ok := ModelOf(id); ok && m.MaxOutputTokens > 0 && float64(m.MaxOutputTokens) < l.MaxTokens.Max {
		l.MaxTokens.Max = float64(m.MaxOutputTokens)
		l.Source = m.Source
	}
	_, l.Stop = spec.Param(keys[3]...)
	return l, true
}
