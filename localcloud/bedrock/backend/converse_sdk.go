package backend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// The bedrock backend sends a Converse record through the SDK's typed
// Converse call, so the record's JSON is converted to the SDK's types and
// the typed answer back to the JSON the service writes as modelOutput.
// Supported content: text, images and documents given as bytes, and tool
// use and tool results; other blocks are refused with a 400 naming them.

type cvImage struct {
	Format string `json:"format"`
	Source struct {
		Bytes []byte `json:"bytes"`
	} `json:"source"`
}

type cvDocument struct {
	Format string `json:"format"`
	Name   string `json:"name"`
	Source struct {
		Bytes []byte `json:"bytes"`
	} `json:"source"`
}

type cvToolUse struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type cvToolResult struct {
	ToolUseID string            `json:"toolUseId"`
	Status    string            `json:"status,omitempty"`
	Content   []json.RawMessage `json:"content"`
}

type cvBlock struct {
	Text       *string       `json:"text"`
	Image      *cvImage      `json:"image"`
	Document   *cvDocument   `json:"document"`
	ToolUse    *cvToolUse    `json:"toolUse"`
	ToolResult *cvToolResult `json:"toolResult"`
	JSON       any           `json:"json"` // inside tool results
}

type cvRequest struct {
	Messages []struct {
		Role    string            `json:"role"`
		Content []json.RawMessage `json:"content"`
	} `json:"messages"`
	System          []json.RawMessage `json:"system"`
	InferenceConfig *struct {
		MaxTokens     *int32   `json:"maxTokens"`
		Temperature   *float32 `json:"temperature"`
		TopP          *float32 `json:"topP"`
		StopSequences []string `json:"stopSequences"`
	} `json:"inferenceConfig"`
	AdditionalModelRequestFields      map[string]any `json:"additionalModelRequestFields"`
	AdditionalModelResponseFieldPaths []string       `json:"additionalModelResponseFieldPaths"`
	ToolConfig                        *struct {
		Tools []struct {
			ToolSpec *struct {
				Name        string `json:"name"`
				Description string `json:"description"`
				InputSchema struct {
					JSON map[string]any `json:"json"`
				} `json:"inputSchema"`
			} `json:"toolSpec"`
		} `json:"tools"`
	} `json:"toolConfig"`
}

// unsupportedBlock names the first key of a block raw that is not converted.
func unsupportedBlock(raw json.RawMessage, where string) *model.RecordError {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	name := "empty"
	if len(keys) > 0 {
		name = keys[0]
	}
	return &model.RecordError{Code: 400, Message: fmt.Sprintf("%s: content blocks of type %q are not supported by the bedrock backend's Converse path; "+
		"use text, image, document, toolUse or toolResult blocks, or run the job with modelInvocationType InvokeModel", where, name)}
}

func convertBlock(raw json.RawMessage, where string) (types.ContentBlock, *model.RecordError) {
	var b cvBlock
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, &model.RecordError{Code: 400, Message: fmt.Sprintf("%s: %v", where, err)}
	}
	switch {
	case b.Text != nil:
		return &types.ContentBlockMemberText{Value: *b.Text}, nil
	case b.Image != nil:
		return &types.ContentBlockMemberImage{Value: types.ImageBlock{
			Format: types.ImageFormat(b.Image.Format),
			Source: &types.ImageSourceMemberBytes{Value: b.Image.Source.Bytes},
		}}, nil
	case b.Document != nil:
		return &types.ContentBlockMemberDocument{Value: types.DocumentBlock{
			Format: types.DocumentFormat(b.Document.Format),
			Name:   aws.String(b.Document.Name),
			Source: &types.DocumentSourceMemberBytes{Value: b.Document.Source.Bytes},
		}}, nil
	case b.ToolUse != nil:
		var input any
		if len(b.ToolUse.Input) > 0 {
			if err := json.Unmarshal(b.ToolUse.Input, &input); err != nil {
				return nil, &model.RecordError{Code: 400, Message: fmt.Sprintf("%s.toolUse.input: %v", where, err)}
			}
		}
		return &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
			ToolUseId: aws.String(b.ToolUse.ToolUseID),
			Name:      aws.String(b.ToolUse.Name),
			Input:     document.NewLazyDocument(input),
		}}, nil
	case b.ToolResult != nil:
		tr := types.ToolResultBlock{ToolUseId: aws.String(b.ToolResult.ToolUseID)}
		if b.ToolResult.Status != "" {
			tr.Status = types.ToolResultStatus(b.ToolResult.Status)
		}
		for i, c := range b.ToolResult.Content {
			var inner cvBlock
			if err := json.Unmarshal(c, &inner); err != nil {
				return nil, &model.RecordError{Code: 400, Message: fmt.Sprintf("%s.toolResult.content.%d: %v", where, i, err)}
			}
			switch {
			case inner.Text != nil:
				tr.Content = append(tr.Content, &types.ToolResultContentBlockMemberText{Value: *inner.Text})
			case inner.JSON != nil:
				tr.Content = append(tr.Content, &types.ToolResultContentBlockMemberJson{Value: document.NewLazyDocument(inner.JSON)})
			default:
				return nil, unsupportedBlock(c, fmt.Sprintf("%s.toolResult.content.%d", where, i))
			}
		}
		return &types.ContentBlockMemberToolResult{Value: tr}, nil
	}
	return nil, unsupportedBlock(raw, where)
}

// converseInput converts a Converse request's JSON (a record's modelInput)
// to the SDK's input.
func converseInput(modelID string, body []byte) (*bedrockruntime.ConverseInput, *model.RecordError) {
	var r cvRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		return nil, &model.RecordError{Code: 400, Message: "the Converse request could not be read: " + err.Error()}
	}
	in := &bedrockruntime.ConverseInput{ModelId: aws.String(modelID), AdditionalModelResponseFieldPaths: r.AdditionalModelResponseFieldPaths}
	for i, m := range r.Messages {
		msg := types.Message{Role: types.ConversationRole(m.Role)}
		for j, c := range m.Content {
			b, err := convertBlock(c, fmt.Sprintf("messages.%d.content.%d", i, j))
			if err != nil {
				return nil, err
			}
			msg.Content = append(msg.Content, b)
		}
		in.Messages = append(in.Messages, msg)
	}
	for i, s := range r.System {
		var b cvBlock
		if err := json.Unmarshal(s, &b); err != nil || b.Text == nil {
			return nil, unsupportedBlock(s, fmt.Sprintf("system.%d", i))
		}
		in.System = append(in.System, &types.SystemContentBlockMemberText{Value: *b.Text})
	}
	if c := r.InferenceConfig; c != nil {
		in.InferenceConfig = &types.InferenceConfiguration{MaxTokens: c.MaxTokens, Temperature: c.Temperature, TopP: c.TopP, StopSequences: c.StopSequences}
	}
	if r.AdditionalModelRequestFields != nil {
		in.AdditionalModelRequestFields = document.NewLazyDocument(r.AdditionalModelRequestFields)
	}
	if tc := r.ToolConfig; tc != nil {
		in.ToolConfig = &types.ToolConfiguration{}
		for _, t := range tc.Tools {
			if t.ToolSpec == nil {
				continue
			}
			spec := types.ToolSpecification{
				Name:        aws.String(t.ToolSpec.Name),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(t.ToolSpec.InputSchema.JSON)},
			}
			if t.ToolSpec.Description != "" {
				spec.Description = aws.String(t.ToolSpec.Description)
			}
			in.ToolConfig.Tools = append(in.ToolConfig.Tools, &types.ToolMemberToolSpec{Value: spec})
		}
	}
	return in, nil
}

type cvReasoning struct {
	ReasoningText struct {
		Text      string `json:"text"`
		Signature string `json:"signature,omitempty"`
	} `json:"reasoningText"`
}

type cvOutBlock struct {
	Text             *string      `json:"text,omitempty"`
	ReasoningContent *cvReasoning `json:"reasoningContent,omitempty"`
	ToolUse          *cvToolUse   `json:"toolUse,omitempty"`
}

type cvOutput struct {
	Output struct {
		Message struct {
			Role    string       `json:"role"`
			Content []cvOutBlock `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      struct {
		InputTokens  int `json:"inputTokens"`
		OutputTokens int `json:"outputTokens"`
		TotalTokens  int `json:"totalTokens"`
	} `json:"usage"`
	Metrics struct {
		LatencyMs int64 `json:"latencyMs"`
	} `json:"metrics"`
	AdditionalModelResponseFields json.RawMessage `json:"additionalModelResponseFields,omitempty"`
}

// converseOutputJSON writes the SDK's Converse answer as the service's JSON.
func converseOutputJSON(out *bedrockruntime.ConverseOutput) ([]byte, int, int, error) {
	var o cvOutput
	o.Output.Message.Role = "assistant"
	o.Output.Message.Content = []cvOutBlock{}
	if m, ok := out.Output.(*types.ConverseOutputMemberMessage); ok {
		if m.Value.Role != "" {
			o.Output.Message.Role = string(m.Value.Role)
		}
		for _, c := range m.Value.Content {
			switch v := c.(type) {
			case *types.ContentBlockMemberText:
				o.Output.Message.Content = append(o.Output.Message.Content, cvOutBlock{Text: aws.String(v.Value)})
			case *types.ContentBlockMemberReasoningContent:
				if rt, ok := v.Value.(*types.ReasoningContentBlockMemberReasoningText); ok {
					r := &cvReasoning{}
					r.ReasoningText.Text = aws.ToString(rt.Value.Text)
					r.ReasoningText.Signature = aws.ToString(rt.Value.Signature)
					o.Output.Message.Content = append(o.Output.Message.Content, cvOutBlock{ReasoningContent: r})
				}
			case *types.ContentBlockMemberToolUse:
				input := json.RawMessage("{}")
				if v.Value.Input != nil {
					raw, err := v.Value.Input.MarshalSmithyDocument()
					if err != nil {
						return nil, 0, 0, fmt.Errorf("encode tool use input: %w", err)
					}
					input = raw
				}
				o.Output.Message.Content = append(o.Output.Message.Content, cvOutBlock{ToolUse: &cvToolUse{
					ToolUseID: aws.ToString(v.Value.ToolUseId), Name: aws.ToString(v.Value.Name), Input: input,
				}})
			}
		}
	}
	o.StopReason = string(out.StopReason)
	if u := out.Usage; u != nil {
		o.Usage.InputTokens = int(aws.ToInt32(u.InputTokens))
		o.Usage.OutputTokens = int(aws.ToInt32(u.OutputTokens))
		o.Usage.TotalTokens = int(aws.ToInt32(u.TotalTokens))
	}
	if m := out.Metrics; m != nil {
		o.Metrics.LatencyMs = aws.ToInt64(m.LatencyMs)
	}
	if out.AdditionalModelResponseFields != nil {
		raw, err := out.AdditionalModelResponseFields.MarshalSmithyDocument()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("encode additional model response fields: %w", err)
		}
		o.AdditionalModelResponseFields = raw
	}
	b, err := json.Marshal(o)
	return b, o.Usage.InputTokens, o.Usage.OutputTokens, err
}
