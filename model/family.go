package model

import (
	"fmt"
	"strings"
)

// Family is a group of models that share one InvokeModel request and
// response format.
type Family int

// The supported families.
const (
	FamilyUnknown     Family = iota
	FamilyAnthropic          // anthropic.claude-*: Anthropic Messages API
	FamilyNova               // amazon.nova-*: Amazon Nova understanding models
	FamilyTitanText          // amazon.titan-text-*
	FamilyTitanEmbed         // amazon.titan-embed-text-v2*
	FamilyLlama              // meta.llama*
	FamilyMistral            // mistral.*: text completion, or chat completion (Mistral Large)
	FamilyCohereEmbed        // cohere.embed-*
)

var familyNames = [...]string{
	FamilyUnknown:     "unknown",
	FamilyAnthropic:   "anthropic",
	FamilyNova:        "nova",
	FamilyTitanText:   "titan-text",
	FamilyTitanEmbed:  "titan-embed-v2",
	FamilyLlama:       "llama",
	FamilyMistral:     "mistral",
	FamilyCohereEmbed: "cohere-embed",
}

// String returns the family's short name, for example "anthropic".
func (f Family) String() string {
	if f < 0 || int(f) >= len(familyNames) {
		return fmt.Sprintf("Family(%d)", int(f))
	}
	return familyNames[f]
}

// Embedding reports whether the family turns text into vectors rather than
// generating text. Embedding families do not support Converse.
func (f Family) Embedding() bool { return f == FamilyTitanEmbed || f == FamilyCohereEmbed }

// UnknownModelError reports a model id of no supported family.
type UnknownModelError struct {
	ModelID string
}

func (e *UnknownModelError) Error() string {
	return fmt.Sprintf("model %q is of no supported model family; supported are "+
		"anthropic.claude-* (Messages API), amazon.nova-* (text models), amazon.titan-text-*, "+
		"amazon.titan-embed-text-v2*, meta.llama*, mistral.* (text or chat completion) and cohere.embed-*, "+
		"also behind an inference profile prefix such as \"us.\", \"eu.\", \"apac.\" or \"global.\"", e.ModelID)
}

// familyOf returns the family of a foundation model id, FamilyUnknown for
// one of no supported family.
func familyOf(base string) Family {
	switch {
	case strings.HasPrefix(base, "anthropic.claude"):
		return FamilyAnthropic
	case strings.HasPrefix(base, "amazon.nova-"):
		// Canvas (images), Reel (video) and Sonic (speech) do not take the
		// text request format.
		for _, media := range []string{"amazon.nova-canvas", "amazon.nova-reel", "amazon.nova-sonic"} {
			if strings.HasPrefix(base, media) {
				return FamilyUnknown
			}
		}
		return FamilyNova
	case strings.HasPrefix(base, "amazon.titan-text-"):
		return FamilyTitanText
	case strings.HasPrefix(base, "amazon.titan-embed-text-v2"):
		return FamilyTitanEmbed
	case strings.HasPrefix(base, "meta.llama"):
		return FamilyLlama
	case strings.HasPrefix(base, "mistral."):
		return FamilyMistral
	case strings.HasPrefix(base, "cohere.embed-"):
		return FamilyCohereEmbed
	}
	return FamilyUnknown
}
