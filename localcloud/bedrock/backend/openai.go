package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// OpenAIOptions configures the openai backend.
type OpenAIOptions struct {
	// BaseURL is the server's OpenAI API root, for example
	// "http://127.0.0.1:11434/v1" (Ollama), "http://127.0.0.1:8000/v1"
	// (vLLM) or "http://127.0.0.1:8080/v1" (llama.cpp). A URL without a
	// path gets "/v1" appended. Required.
	BaseURL string
	// APIKey is sent as a bearer token when set.
	APIKey string
	// Model is the server's model name used for every text family unless
	// Models maps the Bedrock model id to another one.
	Model string
	// EmbeddingModel is the server's model name for the embedding families
	// (Titan Embeddings, Cohere Embed). Default: Model.
	EmbeddingModel string
	// Models maps Bedrock model ids (with or without an inference-profile
	// prefix) to server model names, for example
	// {"anthropic.claude-3-haiku-20240307-v1:0": "llama3.2:3b"}.
	Models map[string]string
	// Timeout bounds each HTTP attempt. Default 2 minutes.
	Timeout time.Duration
	// MaxRetries is how often a 429, a 5xx, a timeout or a connection
	// failure is retried. Default 4; negative: never.
	MaxRetries int
	// BackoffBase is the first retry delay, doubled for every further
	// retry. Default 500 ms. A Retry-After header from the server wins.
	BackoffBase time.Duration
	// BackoffMax caps the computed retry delay. Default 30 s.
	BackoffMax time.Duration
	// Concurrency is how many requests may be in flight to the server at
	// once, across all records. Default 4.
	Concurrency int
	// HTTPClient sends the requests. Default: a client without an overall
	// timeout (Timeout applies per attempt).
	HTTPClient *http.Client
}

// OpenAI is the backend that runs records on an OpenAI-compatible server.
//
// Text families become POST {BaseURL}/chat/completions: the system prompt and
// messages of Anthropic, Nova and Converse requests are carried over (text
// and base64 images); the raw prompts of Llama, Mistral and Titan Text are
// split into system and conversation turns along their chat templates. The
// token limit, temperature, top_p and stop sequences are passed on. The
// embedding families become POST {BaseURL}/embeddings; a Titan request for
// fewer dimensions than the server returns gets the vector's leading
// components, normalised again when the request asks for it.
//
// The answer is written in the family's response shape with the server's
// token counts (CountTokens when the server reports none).
type OpenAI struct {
	opts    OpenAIOptions
	base    string
	client  *http.Client
	sem     chan struct{}
	backoff backoff
	now     func() time.Time
}

// Default values of OpenAIOptions.
const (
	defaultOpenAITimeout = 2 * time.Minute
	// defaultConcurrency bounds the calls in flight of the openai and
	// bedrock backends.
	defaultConcurrency = 4
)

// NewOpenAI returns an openai backend, or an error naming the option that
// is wrong.
func NewOpenAI(opts OpenAIOptions) (*OpenAI, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("openai backend: no server URL: set the OpenAI-compatible server's API root, for example http://127.0.0.1:11434/v1 for Ollama")
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai backend: server URL %q is not an http(s) URL such as http://127.0.0.1:11434/v1", opts.BaseURL)
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if strings.Trim(u.Path, "/") == "" {
		base += "/v1"
	}
	if opts.Timeout < 0 || opts.Concurrency < 0 {
		return nil, fmt.Errorf("openai backend: timeout %v and concurrency %d must not be negative", opts.Timeout, opts.Concurrency)
	}
	if opts.Timeout == 0 {
		opts.Timeout = defaultOpenAITimeout
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = defaultConcurrency
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &OpenAI{
		opts:    opts,
		base:    base,
		client:  client,
		sem:     make(chan struct{}, opts.Concurrency),
		backoff: newBackoff(opts.MaxRetries, opts.BackoffBase, opts.BackoffMax),
		now:     time.Now,
	}, nil
}

// ServerModel returns the server model name that serves a Bedrock model id,
// or an error saying how to configure one.
func (o *OpenAI) ServerModel(id model.ID) (string, error) {
	family, err := id.RequireFamily()
	if err != nil {
		return "", err
	}
	if m, ok := o.opts.Models[id.String()]; ok && m != "" {
		return m, nil
	}
	if m, ok := o.opts.Models[id.Base()]; ok && m != "" {
		return m, nil
	}
	if family.Embedding() && o.opts.EmbeddingModel != "" {
		return o.opts.EmbeddingModel, nil
	}
	if o.opts.Model != "" {
		return o.opts.Model, nil
	}
	return "", fmt.Errorf("openai backend: no server model for %q: set a default server model (--openai-model) or map this model id to one", id)
}

// Invoke runs one record on the server. A request the family would reject
// fails with a *RecordError 400 without reaching the server; a failed call
// is a *RecordError with the server's status (408 for a timeout, 503 when
// the server cannot be reached) once the retries are spent; the end of ctx
// is returned as ctx's error.
func (o *OpenAI) Invoke(ctx context.Context, req Request) (Response, error) {
	family, err := req.Model.RequireFamily()
	if err != nil {
		return Response{}, &model.RecordError{Code: 400, Message: err.Error()}
	}
	p, rerr := model.CheckModelInput(req.Model, req.InvocationType, req.Body)
	if rerr != nil {
		return Response{}, rerr
	}
	server, err := o.ServerModel(req.Model)
	if err != nil {
		return Response{}, &model.RecordError{Code: 400, Message: err.Error()}
	}
	if family.Embedding() {
		return o.embed(ctx, server, &p)
	}
	return o.chat(ctx, server, req, &p)
}

type chatMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"` // string, or []chatPart with images
}

type chatPart struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url,omitempty"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens"`
	Temperature *float64      `json:"temperature,omitempty"`
	TopP        *float64      `json:"top_p,omitempty"`
	Stop        []string      `json:"stop,omitempty"`
	Stream      bool          `json:"stream"`
}

type chatResponse struct {
	ID      string `json:"id"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

func toChatRequest(server string, g *model.ChatRequest) chatRequest {
	r := chatRequest{Model: server, MaxTokens: g.MaxTokens, Temperature: g.Temperature, TopP: g.TopP, Stop: g.Stop}
	if len(g.System) > 0 {
		r.Messages = append(r.Messages, chatMessage{Role: "system", Content: strings.Join(g.System, "\n")})
	}
	for _, t := range g.Turns {
		if len(t.Images) == 0 {
			r.Messages = append(r.Messages, chatMessage{Role: t.Role, Content: t.Text})
			continue
		}
		parts := make([]chatPart, 0, len(t.Images)+1)
		for _, im := range t.Images {
			p := chatPart{Type: "image_url", ImageURL: &struct {
				URL string `json:"url"`
			}{URL: "data:" + im.MediaType + ";base64," + im.Data}}
			parts = append(parts, p)
		}
		if t.Text != "" {
			parts = append(parts, chatPart{Type: "text", Text: t.Text})
		}
		r.Messages = append(r.Messages, chatMessage{Role: t.Role, Content: parts})
	}
	return r
}

func (o *OpenAI) chat(ctx context.Context, server string, req Request, p *model.Input) (Response, error) {
	body, err := json.Marshal(toChatRequest(server, &p.Chat))
	if err != nil {
		return Response{}, fmt.Errorf("encode chat request: %w", err)
	}
	start := o.now()
	raw, err := o.post(ctx, "/chat/completions", server, body)
	if err != nil {
		return Response{}, err
	}
	var cr chatResponse
	if err := json.Unmarshal(raw, &cr); err != nil || len(cr.Choices) == 0 {
		return Response{}, &model.RecordError{Code: 500, Message: fmt.Sprintf("the model server's chat completion could not be read (%s): %s", describeDecode(err, "no choices"), snippet(raw))}
	}
	c := cr.Choices[0]
	g := model.Generation{Stop: model.StopEnd, LatencyMs: o.now().Sub(start).Milliseconds()}
	if c.Message.Content != nil {
		g.Text = *c.Message.Content
	}
	switch c.FinishReason {
	case "length":
		g.Stop = model.StopLength
	case "content_filter":
		g.Stop = model.StopFiltered
	}
	if cr.Usage != nil {
		g.InputTokens, g.OutputTokens = cr.Usage.PromptTokens, cr.Usage.CompletionTokens
	} else {
		g.InputTokens, g.OutputTokens = p.InputTokens, model.CountTokens(g.Text)
	}
	g.ID = anthropicID(hashBytes(req.Body) ^ hashString(cr.ID))
	return Response{
		Body:         p.GenerationBody(req.Model, &g),
		InputTokens:  g.InputTokens,
		OutputTokens: g.OutputTokens,
	}, nil
}

type embeddingsRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embeddingsResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
	Usage *struct {
		PromptTokens int `json:"prompt_tokens"`
	} `json:"usage"`
}

func (o *OpenAI) embed(ctx context.Context, server string, p *model.Input) (Response, error) {
	e := &p.Embed
	body, err := json.Marshal(embeddingsRequest{Model: server, Input: e.Texts})
	if err != nil {
		return Response{}, fmt.Errorf("encode embeddings request: %w", err)
	}
	raw, err := o.post(ctx, "/embeddings", server, body)
	if err != nil {
		return Response{}, err
	}
	var er embeddingsResponse
	if err := json.Unmarshal(raw, &er); err != nil || len(er.Data) != len(e.Texts) {
		return Response{}, &model.RecordError{Code: 500, Message: fmt.Sprintf("the model server's embeddings could not be read (%s): %s",
			describeDecode(err, fmt.Sprintf("%d embeddings for %d texts", len(er.Data), len(e.Texts))), snippet(raw))}
	}
	sort.Slice(er.Data, func(i, j int) bool { return er.Data[i].Index < er.Data[j].Index })
	out := model.Embedding{InputTokens: p.InputTokens}
	if er.Usage != nil && er.Usage.PromptTokens > 0 {
		out.InputTokens = er.Usage.PromptTokens
	}
	out.ID = uuidFromHash(hashBytes(raw))
	for _, d := range er.Data {
		v := d.Embedding
		renormalize := false
		if p.Family == model.FamilyTitanEmbed && e.Dims < len(v) {
			v, renormalize = v[:e.Dims], e.Normalize
		}
		out.Vectors = append(out.Vectors, toFloat32(v, renormalize))
	}
	return Response{Body: p.EmbeddingBody(&out), InputTokens: out.InputTokens}, nil
}

func toFloat32(v []float64, normalize bool) []float32 {
	k := 1.0
	if normalize {
		var sum float64
		for _, x := range v {
			sum += x * x
		}
		if sum > 0 {
			k = 1 / math.Sqrt(sum)
		}
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x * k)
	}
	return out
}

// post sends body to the server with the concurrency limit, the per-attempt
// timeout and the retry policy, and returns the body of a 2xx answer. A
// failure is a *RecordError, except that the end of ctx is returned as
// ctx's error.
func (o *OpenAI) post(ctx context.Context, path, server string, body []byte) ([]byte, error) {
	var last *model.RecordError
	for attempt := 0; ; attempt++ {
		raw, retryAfter, rerr, err := o.attempt(ctx, path, server, body)
		if err != nil {
			return nil, err
		}
		if rerr == nil {
			return raw, nil
		}
		last = rerr
		if !retryable(rerr.Code) || attempt >= o.backoff.retries {
			break
		}
		if err := o.backoff.sleep(ctx, o.backoff.delay(attempt, retryAfter)); err != nil {
			return nil, err
		}
	}
	if retryable(last.Code) && o.backoff.retries > 0 {
		last.Message = fmt.Sprintf("%s (gave up after %d attempts)", last.Message, o.backoff.retries+1)
	}
	return nil, last
}

func retryable(code int) bool { return code == 408 || code == 429 || code >= 500 }

// attempt makes one HTTP call. It returns the answer's body on success, a
// *RecordError describing a failed call (with the server's Retry-After), or
// ctx's error when the caller's context ended.
func (o *OpenAI) attempt(ctx context.Context, path, server string, body []byte) ([]byte, time.Duration, *model.RecordError, error) {
	select {
	case o.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, nil, ctx.Err()
	}
	defer func() { <-o.sem }()

	actx, cancel := context.WithTimeout(ctx, o.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, o.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("openai backend: build request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if o.opts.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+o.opts.APIKey)
	}
	resp, err := o.client.Do(hreq)
	if err == nil {
		var raw []byte
		raw, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			if resp.StatusCode/100 == 2 {
				return raw, 0, nil, nil
			}
			return nil, parseRetryAfter(resp.Header, o.now()), o.statusError(resp.StatusCode, server, raw), nil
		}
	}
	if ctx.Err() != nil {
		return nil, 0, nil, ctx.Err()
	}
	if actx.Err() != nil {
		return nil, 0, &model.RecordError{Code: 408, Message: fmt.Sprintf("the model server at %s did not answer within %v", o.base, o.opts.Timeout)}, nil
	}
	return nil, 0, &model.RecordError{Code: 503, Message: fmt.Sprintf("could not reach the model server at %s: %v", o.base, err)}, nil
}

func (o *OpenAI) statusError(code int, server string, raw []byte) *model.RecordError {
	msg := serverMessage(raw)
	switch {
	case code == 404:
		return &model.RecordError{Code: 404, Message: fmt.Sprintf("the model server does not serve model %q (%s): pull or load it on the server, or map the Bedrock model id to a model it serves", server, msg)}
	case code == 401 || code == 403:
		return &model.RecordError{Code: 403, Message: fmt.Sprintf("the model server refused the API key (%d): %s", code, msg)}
	case code == 429:
		return &model.RecordError{Code: 429, Message: "the model server is throttling requests (429 Too Many Requests): " + msg}
	}
	return &model.RecordError{Code: code, Message: fmt.Sprintf("the model server answered %d %s: %s", code, http.StatusText(code), msg)}
}

// serverMessage extracts error.message from an OpenAI-style error body.
func serverMessage(raw []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && len(e.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(e.Error, &obj) == nil && obj.Message != "" {
			return obj.Message
		}
		var s string
		if json.Unmarshal(e.Error, &s) == nil && s != "" {
			return s
		}
	}
	return snippet(raw)
}

func snippet(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

func describeDecode(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}
