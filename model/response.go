package model

import (
	"math"
	"strings"
)

// StopReason is why generation ended, independent of family wording.
type StopReason int

const (
	StopEnd      StopReason = iota // the model finished
	StopLength                     // the token limit was reached
	StopSequence                   // a stop sequence was generated
	StopFiltered                   // content was filtered
)

// Generation is a generated answer, ready to be written in a family's shape.
type Generation struct {
	ID           string // response id for families that have one
	Text         string
	Stop         StopReason
	StopSeq      string // the stop sequence met, for StopSequence
	InputTokens  int
	OutputTokens int
	LatencyMs    int64 // Converse metrics
}

// GenerationBody writes g as the modelOutput that answers p in its family's
// shape (or Converse's), as model id would.
func (p *Input) GenerationBody(id ID, g *Generation) []byte {
	b := make([]byte, 0, 256+len(g.Text))
	if p.Converse {
		return renderConverse(b, g)
	}
	if p.mistralChat {
		b = append(b, `{"choices":[{"index":0,"message":{"role":"assistant","content":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `},"stop_reason":`...)
		b = appendJSONString(b, textStopReason(g.Stop))
		return append(b, "}]}"...)
	}
	switch p.Family {
	case FamilyAnthropic:
		b = append(b, `{"id":`...)
		b = appendJSONString(b, g.ID)
		b = append(b, `,"type":"message","role":"assistant","model":`...)
		b = appendJSONString(b, anthropicModelName(id))
		b = append(b, `,"content":[{"type":"text","text":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `}],"stop_reason":`...)
		b = appendJSONString(b, [...]string{"end_turn", "max_tokens", "stop_sequence", "refusal"}[g.Stop])
		b = append(b, `,"stop_sequence":`...)
		if g.Stop == StopSequence {
			b = appendJSONString(b, g.StopSeq)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"usage":{"input_tokens":`...)
		b = appendInt(b, g.InputTokens)
		b = append(b, `,"output_tokens":`...)
		b = appendInt(b, g.OutputTokens)
		return append(b, "}}"...)
	case FamilyNova:
		b = append(b, `{"output":{"message":{"content":[{"text":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `}],"role":"assistant"}},"stopReason":`...)
		b = appendJSONString(b, converseStopReason(g.Stop))
		b = appendUsage(b, g)
		return append(b, '}')
	case FamilyTitanText:
		b = append(b, `{"inputTextTokenCount":`...)
		b = appendInt(b, g.InputTokens)
		b = append(b, `,"results":[{"tokenCount":`...)
		b = appendInt(b, g.OutputTokens)
		b = append(b, `,"outputText":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `,"completionReason":`...)
		b = appendJSONString(b, [...]string{"FINISHED", "LENGTH", "STOP_CRITERIA_MET", "CONTENT_FILTERED"}[g.Stop])
		return append(b, "}]}"...)
	case FamilyLlama:
		b = append(b, `{"generation":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `,"prompt_token_count":`...)
		b = appendInt(b, g.InputTokens)
		b = append(b, `,"generation_token_count":`...)
		b = appendInt(b, g.OutputTokens)
		b = append(b, `,"stop_reason":`...)
		b = appendJSONString(b, textStopReason(g.Stop))
		return append(b, '}')
	case FamilyMistral:
		b = append(b, `{"outputs":[{"text":`...)
		b = appendJSONString(b, g.Text)
		b = append(b, `,"stop_reason":`...)
		b = appendJSONString(b, textStopReason(g.Stop))
		return append(b, "}]}"...)
	}
	return nil
}

func renderConverse(b []byte, g *Generation) []byte {
	b = append(b, `{"output":{"message":{"role":"assistant","content":[{"text":`...)
	b = appendJSONString(b, g.Text)
	b = append(b, `}]}},"stopReason":`...)
	b = appendJSONString(b, converseStopReason(g.Stop))
	b = appendUsage(b, g)
	b = append(b, `,"metrics":{"latencyMs":`...)
	b = appendInt(b, int(g.LatencyMs))
	return append(b, "}}"...)
}

func appendUsage(b []byte, g *Generation) []byte {
	b = append(b, `,"usage":{"inputTokens":`...)
	b = appendInt(b, g.InputTokens)
	b = append(b, `,"outputTokens":`...)
	b = appendInt(b, g.OutputTokens)
	b = append(b, `,"totalTokens":`...)
	b = appendInt(b, g.InputTokens+g.OutputTokens)
	return append(b, '}')
}

func converseStopReason(s StopReason) string {
	return [...]string{"end_turn", "max_tokens", "stop_sequence", "content_filtered"}[s]
}

// textStopReason is the wording of Llama and Mistral.
func textStopReason(s StopReason) string {
	if s == StopLength {
		return "length"
	}
	return "stop"
}

// anthropicModelName turns "us.anthropic.claude-3-haiku-20240307-v1:0" into
// "claude-3-haiku-20240307", the name the Messages API reports.
func anthropicModelName(model ID) string {
	id := strings.TrimPrefix(model.Base(), "anthropic.")
	if i := strings.LastIndex(id, "-v"); i > 0 {
		rest := id[i+2:]
		if major, minor, ok := strings.Cut(rest, ":"); ok && isDigits(major) && isDigits(minor) {
			id = id[:i]
		}
	}
	return id
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Embedding is an embedding answer, ready to be written in a family's shape.
type Embedding struct {
	ID          string // Cohere response id
	Vectors     [][]float32
	InputTokens int
}

// EmbeddingBody writes e as the modelOutput that answers the embedding
// request p in its family's shape.
func (p *Input) EmbeddingBody(e *Embedding) []byte {
	family, req := p.Family, &p.Embed
	dims := 0
	if len(e.Vectors) > 0 {
		dims = len(e.Vectors[0])
	}
	b := make([]byte, 0, 64+len(e.Vectors)*dims*11*(1+len(req.Types)))
	switch family {
	case FamilyTitanEmbed:
		v := e.Vectors[0]
		b = append(b, `{"embedding":`...)
		start := len(b)
		b = appendFloats(b, v)
		floats := b[start:len(b):len(b)]
		b = append(b, `,"inputTextTokenCount":`...)
		b = appendInt(b, e.InputTokens)
		b = append(b, `,"embeddingsByType":{`...)
		types := req.Types
		if len(types) == 0 {
			types = []string{"float"}
		}
		for i, t := range types {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, t)
			if t == "binary" {
				b = appendInts(b, binaryPerDimension(v))
			} else {
				b = append(b, floats...)
			}
		}
		return append(b, "}}"...)
	case FamilyCohereEmbed:
		b = append(b, `{"id":`...)
		b = appendJSONString(b, e.ID)
		b = append(b, `,"embeddings":`...)
		if len(req.Types) == 0 {
			b = appendVectorList(b, "float", e.Vectors)
		} else {
			b = append(b, '{')
			for i, t := range req.Types {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendKey(b, t)
				b = appendVectorList(b, t, e.Vectors)
			}
			b = append(b, '}')
		}
		b = append(b, `,"texts":`...)
		b = appendStrings(b, req.Texts)
		if len(req.Types) == 0 {
			b = append(b, `,"response_type":"embeddings_floats"}`...)
		} else {
			b = append(b, `,"response_type":"embeddings_by_type"}`...)
		}
		return b
	}
	return nil
}

// appendVectorList writes one Cohere embedding list in the requested type.
func appendVectorList(b []byte, typ string, vectors [][]float32) []byte {
	b = append(b, '[')
	for i, v := range vectors {
		if i > 0 {
			b = append(b, ',')
		}
		switch typ {
		case "int8":
			b = appendInts(b, quantize(v, -128, 127))
		case "uint8":
			b = appendInts(b, quantize(v, 0, 255))
		case "binary":
			b = appendInts(b, packBits(v, true))
		case "ubinary":
			b = appendInts(b, packBits(v, false))
		default:
			b = appendFloats(b, v)
		}
	}
	return append(b, ']')
}

// binaryPerDimension is Titan's binary embedding: 1 for a positive
// component, 0 otherwise.
func binaryPerDimension(v []float32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		if x > 0 {
			out[i] = 1
		}
	}
	return out
}

// quantize maps components in [-1, 1] linearly onto [lo, hi].
func quantize(v []float32, lo, hi int) []int {
	out := make([]int, len(v))
	for i, x := range v {
		f := (float64(x)+1)/2*float64(hi-lo) + float64(lo)
		out[i] = int(math.Max(float64(lo), math.Min(float64(hi), math.Round(f))))
	}
	return out
}

// packBits packs the sign bits of v, eight to a byte, as Cohere's binary
// (signed) and ubinary (unsigned) types do.
func packBits(v []float32, signed bool) []int {
	out := make([]int, (len(v)+7)/8)
	for i, x := range v {
		if x > 0 {
			out[i/8] |= 1 << (7 - i%8)
		}
	}
	if signed {
		for i, x := range out {
			out[i] = x - 128
		}
	}
	return out
}
