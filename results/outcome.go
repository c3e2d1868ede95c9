package results

import (
	"encoding/json"
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// outcome is one record's result, reduced from its output line to what a
// results table holds (the modelInput is dropped).
type outcome struct {
	ID           string      `json:"i"`
	Text         string      `json:"t,omitempty"`
	Embeddings   [][]float64 `json:"e,omitempty"`
	InputTokens  int         `json:"in,omitempty"`
	OutputTokens int         `json:"out,omitempty"`
	// NoIn and NoOut: the response reports no such token count.
	NoIn  bool `json:"ni,omitempty"`
	NoOut bool `json:"no,omitempty"`
	// Model is the model the response names (Anthropic's responses only).
	Model        string `json:"mo,omitempty"`
	StopReason   string `json:"s,omitempty"`
	ErrorCode    int    `json:"c,omitempty"`
	ErrorMessage string `json:"m,omitempty"`
	Failed       bool   `json:"f,omitempty"`
	// Missing: the record has no output line (it never ran);
	// ErrorMessage says why.
	Missing bool `json:"x,omitempty"`
	// Raw is the line's modelOutput, valid only while the outcome is
	// handed on (formats that pass answers through read it).
	Raw json.RawMessage `json:"-"`
	// Where the line was, for errors about it.
	File string `json:"-"`
	Line int    `json:"l,omitempty"`
}

// readOutcome reduces an output line.
func readOutcome(l manifest.OutputLine, file string, line int) (outcome, error) {
	o := outcome{ID: l.RecordID, File: file, Line: line}
	if l.Error != nil {
		o.Failed, o.ErrorCode, o.ErrorMessage = true, l.Error.ErrorCode, l.Error.ErrorMessage
		return o, nil
	}
	a, err := model.ReadAnswer(l.ModelOutput)
	if err != nil {
		return o, fmt.Errorf("%s line %d: record %q: %v", file, line, l.RecordID, err)
	}
	o.Raw = l.ModelOutput
	o.Text, o.Embeddings, o.InputTokens, o.OutputTokens, o.StopReason = a.Text, a.Embeddings, a.InputTokens, a.OutputTokens, a.StopReason
	o.NoIn, o.NoOut, o.Model = a.NoInputTokens, a.NoOutputTokens, a.Model
	return o, nil
}

// Status names how the record ended: answered, errored or missing.
func (o outcome) Status() string {
	switch {
	case o.Missing:
		return StatusMissing
	case o.Failed:
		return StatusErrored
	}
	return StatusAnswered
}

// How a record ended, as the results' status column says it.
const (
	StatusAnswered = "answered"
	StatusErrored  = "errored"
	StatusMissing  = "missing"
)

// answer is the outcome as a model.Answer.
func (o outcome) answer() model.Answer {
	return model.Answer{Text: o.Text, Embeddings: o.Embeddings, InputTokens: o.InputTokens, OutputTokens: o.OutputTokens,
		NoInputTokens: o.NoIn, NoOutputTokens: o.NoOut, StopReason: o.StopReason}
}

// embedding is the first vector, the one a row of a table holds.
func (o outcome) embedding() any {
	if len(o.Embeddings) == 0 {
		return nil
	}
	return o.Embeddings[0]
}
