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

// regionPrefixes are the geography prefixes of cross-region inference
// profile ids, such as "us.anthropic.claude-3-5-haiku-20241022-v1:0".
var regionPrefixes = []string{"us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au.", "ap."}

// BaseModelID strips what is not part of a foundation model id from id: an
// ARN's resource type ("arn:…:foundation-model/" or "…:inference-profile/")
// and an inference profile's geography prefix ("us.", "eu.", "apac.",
// "global.", …).
func BaseModelID(id string) string {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndexByte(id, '/'); i >= 0 {
			id = id[i+1:]
		}
	}
	for _, p := range regionPrefixes {
		if strings.HasPrefix(id, p) {
			return id[len(p):]
		}
	}
	return id
}

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

// DetectFamily returns the family of a Bedrock model id, inference profile id
// or ARN. An id of no supported family yields an *UnknownModelError.
func DetectFamily(modelID string) (Family, error) {
	id := BaseModelID(modelID)
	switch {
	case strings.HasPrefix(id, "anthropic.claude"):
		return FamilyAnthropic, nil
	case strings.HasPrefix(id, "amazon.nova-"):
		// Canvas (images), Reel (video) and Sonic (speech) do not take the
		// text request format.
		for _, media := range []string{"amazon.nova-canvas", "amazon.nova-reel", "amazon.nova-sonic"} {
			if strings.HasPrefix(id, media) {
				return FamilyUnknown, &UnknownModelError{ModelID: modelID}
			}
		}
		return FamilyNova, nil
	case strings.HasPrefix(id, "amazon.titan-text-"):
		return FamilyTitanText, nil
	case strings.HasPrefix(id, "amazon.titan-embed-text-v2"):
		return FamilyTitanEmbed, nil
	case strings.HasPrefix(id, "meta.llama"):
		return FamilyLlama, nil
	case strings.HasPrefix(id, "mistral."):
		return FamilyMistral, nil
	case strings.HasPrefix(id, "cohere.embed-"):
		return FamilyCohereEmbed, nil
	}
	return FamilyUnknown, &UnknownModelError{ModelID: modelID}
}
