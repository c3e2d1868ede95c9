package model

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Answer is a record's modelOutput reduced to what a table of results
// holds: the generated text or the embeddings, the token counts and why
// generation stopped.
type Answer struct {
	Family       Family // the family whose response shape the body has
	Text         string
	Embeddings   [][]float64
	InputTokens  int
	OutputTokens int
	// NoInputTokens and NoOutputTokens say that the family's response
	// reports no such count (Mistral's responses report none, Cohere
	// Embed's none, and an embedding has no output tokens): the count is
	// unknown, not 0.
	NoInputTokens, NoOutputTokens bool
	StopReason                    string
	// Model is the model the response names; only Anthropic's responses
	// name one ("model"), the other families' do not.
	Model string
}

// answerBody holds the members of every family's response shape; which of
// them are present tells the family.
type answerBody struct {
	// Anthropic Messages
	Model   string `json:"model"`
	Type    string `json:"type"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReasonA string `json:"stop_reason"`
	Usage       *struct {
		InputTokens       int `json:"input_tokens"`
		OutputTokens      int `json:"output_tokens"`
		InputTokensNova   int `json:"inputTokens"`
		OutputTokensNova  int `json:"outputTokens"`
		PromptTokens      int `json:"prompt_tokens"`
		CompletionsTokens int `json:"completion_tokens"`
	} `json:"usage"`
	// Nova and Converse
	Output *struct {
		Message struct {
			Content []struct {
				Text *string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	// Titan Text
	InputTextTokenCount *int `json:"inputTextTokenCount"`
	Results             []struct {
		TokenCount       int    `json:"tokenCount"`
		OutputText       string `json:"outputText"`
		CompletionReason string `json:"completionReason"`
	} `json:"results"`
	// Titan Embeddings
	Embedding []float64 `json:"embedding"`
	// Llama
	Generation           *string `json:"generation"`
	PromptTokenCount     int     `json:"prompt_token_count"`
	GenerationTokenCount int     `json:"generation_token_count"`
	// Mistral text and chat completion
	Outputs []struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"outputs"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		StopReason string `json:"stop_reason"`
	} `json:"choices"`
	// Cohere Embed: a list of vectors, or vectors by type
	Embeddings json.RawMessage `json:"embeddings"`
}

// ReadAnswer reads a record's modelOutput in any supported family's shape
// (or Converse's), telling the family from the members it has. A body of
// no known shape is an error that says which members were expected.
func ReadAnswer(body []byte) (Answer, error) {
	var b answerBody
	if err := json.Unmarshal(body, &b); err != nil {
		return Answer{}, fmt.Errorf("modelOutput is not a JSON object: %v", err)
	}
	var a Answer
	switch {
	case b.Type == "message" && b.Content != nil:
		a.Family = FamilyAnthropic
		var texts []string
		for _, c := range b.Content {
			if c.Type == "text" {
				texts = append(texts, c.Text)
			}
		}
		a.Text, a.StopReason, a.Model = strings.Join(texts, ""), b.StopReasonA, b.Model
		if b.Usage != nil {
			a.InputTokens, a.OutputTokens = b.Usage.InputTokens, b.Usage.OutputTokens
		} else {
			a.NoInputTokens, a.NoOutputTokens = true, true
		}
	case b.Output != nil:
		a.Family = FamilyNova
		for _, c := range b.Output.Message.Content {
			if c.Text != nil {
				a.Text += *c.Text
			}
		}
		a.StopReason = b.StopReason
		if b.Usage != nil {
			a.InputTokens, a.OutputTokens = b.Usage.InputTokensNova, b.Usage.OutputTokensNova
		} else {
			a.NoInputTokens, a.NoOutputTokens = true, true
		}
	case b.Results != nil && b.InputTextTokenCount != nil:
		a.Family = FamilyTitanText
		a.InputTokens = *b.InputTextTokenCount
		for _, r := range b.Results {
			a.Text += r.OutputText
			a.OutputTokens += r.TokenCount
			a.StopReason = r.CompletionReason
		}
	case b.Embedding != nil:
		a.Family = FamilyTitanEmbed
		a.Embeddings = [][]float64{b.Embedding}
		a.NoOutputTokens = true
		if b.InputTextTokenCount != nil {
			a.InputTokens = *b.InputTextTokenCount
		} else {
			a.NoInputTokens = true
		}
	case b.Generation != nil:
		a.Family = FamilyLlama
		a.Text, a.StopReason = *b.Generation, b.StopReasonA
		a.InputTokens, a.OutputTokens = b.PromptTokenCount, b.GenerationTokenCount
	case b.Outputs != nil:
		a.Family = FamilyMistral
		a.NoInputTokens, a.NoOutputTokens = true, true
		for _, o := range b.Outputs {
			a.Text += o.Text
			a.StopReason = o.StopReason
		}
	case b.Choices != nil:
		a.Family = FamilyMistral
		a.NoInputTokens, a.NoOutputTokens = true, true
		for _, c := range b.Choices {
			a.Text += c.Message.Content
			a.StopReason = c.StopReason
		}
	case len(b.Embeddings) > 0:
		a.Family = FamilyCohereEmbed
		a.NoInputTokens, a.NoOutputTokens = true, true
		vectors, err := cohereVectors(b.Embeddings)
		if err != nil {
			return Answer{}, err
		}
		a.Embeddings = vectors
	default:
		return Answer{}, fmt.Errorf("modelOutput has the shape of no supported model family: expected content (Anthropic), output.message (Nova, Converse), results (Titan Text), embedding (Titan Embeddings), generation (Llama), outputs or choices (Mistral) or embeddings (Cohere)")
	}
	return a, nil
}

// cohereVectors reads Cohere's embeddings: a list of float vectors, or an
// object of lists by type, of which the float list is taken (else the
// first type present).
func cohereVectors(raw json.RawMessage) ([][]float64, error) {
	var list [][]float64
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var byType map[string][][]float64
	if err := json.Unmarshal(raw, &byType); err != nil {
		return nil, fmt.Errorf("modelOutput.embeddings is neither a list of vectors nor vectors by type: %v", err)
	}
	if v, ok := byType["float"]; ok {
		return v, nil
	}
	for _, t := range []string{"int8", "uint8", "binary", "ubinary"} {
		if v, ok := byType[t]; ok {
			return v, nil
		}
	}
	return nil, nil
}
