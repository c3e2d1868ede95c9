package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// fakeRuntime is a scripted RuntimeClient.
type fakeRuntime struct {
	mu        sync.Mutex
	invokes   []*bedrockruntime.InvokeModelInput
	converses []*bedrockruntime.ConverseInput
	invoke    func(n int) (*bedrockruntime.InvokeModelOutput, error)
	converse  func(n int) (*bedrockruntime.ConverseOutput, error)
}

func (f *fakeRuntime) InvokeModel(ctx context.Context, in *bedrockruntime.InvokeModelInput, _ ...func(*bedrockruntime.Options)) (*bedrockruntime.InvokeModelOutput, error) {
	f.mu.Lock()
	f.invokes = append(f.invokes, in)
	n := len(f.invokes)
	f.mu.Unlock()
	return f.invoke(n)
}

func (f *fakeRuntime) Converse(ctx context.Context, in *bedrockruntime.ConverseInput, _ ...func(*bedrockruntime.Options)) (*bedrockruntime.ConverseOutput, error) {
	f.mu.Lock()
	f.converses = append(f.converses, in)
	n := len(f.converses)
	f.mu.Unlock()
	return f.converse(n)
}

func newTestBedrock(t *testing.T, f RuntimeClient, retries int) (*Bedrock, *[]time.Duration) {
	t.Helper()
	b, err := NewBedrock(context.Background(), BedrockOptions{Client: f, MaxRetries: retries})
	if err != nil {
		t.Fatal(err)
	}
	var delays []time.Duration
	b.backoff.sleep = func(ctx context.Context, d time.Duration) error {
		delays = append(delays, d)
		return ctx.Err()
	}
	return b, &delays
}

const novaAnswer = `{"output":{"message":{"content":[{"text":"Hi."}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":8,"outputTokens":3,"totalTokens":11}}`

func TestBedrockInvokeModelPassesBodiesThrough(t *testing.T) {
	f := &fakeRuntime{invoke: func(int) (*bedrockruntime.InvokeModelOutput, error) {
		return &bedrockruntime.InvokeModelOutput{Body: []byte(novaAnswer), ContentType: aws.String("application/json")}, nil
	}}
	b, _ := newTestBedrock(t, f, 0)
	body := `{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`
	resp, err := b.Invoke(context.Background(), Request{Model: model.ParseID("us.amazon.nova-lite-v1:0"), Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	in := f.invokes[0]
	if aws.ToString(in.ModelId) != "us.amazon.nova-lite-v1:0" || string(in.Body) != body || aws.ToString(in.ContentType) != "application/json" {
		t.Errorf("sent model %q body %s content type %q", aws.ToString(in.ModelId), in.Body, aws.ToString(in.ContentType))
	}
	if string(resp.Body) != novaAnswer {
		t.Errorf("modelOutput %s, want the runtime's body unchanged", resp.Body)
	}
	if resp.InputTokens != 8 || resp.OutputTokens != 3 {
		t.Errorf("tokens %d/%d, want 8/3 from the body", resp.InputTokens, resp.OutputTokens)
	}
}

func TestUsageFromBody(t *testing.T) {
	cases := []struct {
		family  model.Family
		body    string
		in, out int
	}{
		{model.FamilyAnthropic, `{"usage":{"input_tokens":5,"output_tokens":9}}`, 5, 9},
		{model.FamilyNova, novaAnswer, 8, 3},
		{model.FamilyTitanText, `{"inputTextTokenCount":4,"results":[{"tokenCount":6}]}`, 4, 6},
		{model.FamilyTitanEmbed, `{"embedding":[0.1],"inputTextTokenCount":7}`, 7, 0},
		{model.FamilyLlama, `{"generation":"x","prompt_token_count":3,"generation_token_count":2}`, 3, 2},
		{model.FamilyMistral, `{"outputs":[{"text":"x"}]}`, 0, 0},
	}
	for _, c := range cases {
		if in, out := usageFromBody(c.family, []byte(c.body)); in != c.in || out != c.out {
			t.Errorf("%v: %d/%d, want %d/%d", c.family, in, out, c.in, c.out)
		}
	}
}

func TestBedrockRetriesThrottling(t *testing.T) {
	f := &fakeRuntime{invoke: func(n int) (*bedrockruntime.InvokeModelOutput, error) {
		if n <= 2 {
			return nil, &types.ThrottlingException{Message: aws.String("Too many requests, please wait before trying again.")}
		}
		return &bedrockruntime.InvokeModelOutput{Body: []byte(novaAnswer)}, nil
	}}
	b, delays := newTestBedrock(t, f, 3)
	if _, err := b.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{}`)}); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if len(f.invokes) != 3 || len(*delays) != 2 {
		t.Errorf("%d calls and %d waits, want 3 and 2", len(f.invokes), len(*delays))
	}
	if (*delays)[1] < defaultBackoffBase {
		t.Errorf("second wait %v, want at least the base %v after doubling", (*delays)[1], defaultBackoffBase)
	}
}

func TestBedrockThrottlingExhausted(t *testing.T) {
	f := &fakeRuntime{invoke: func(n int) (*bedrockruntime.InvokeModelOutput, error) {
		return nil, &types.ThrottlingException{Message: aws.String("Too many requests, please wait before trying again.")}
	}}
	b, _ := newTestBedrock(t, f, 2)
	_, err := b.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{}`)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 429 || !strings.Contains(re.Message, "Too many requests") || !strings.Contains(re.Message, "3 attempts") {
		t.Errorf("got %v, want RecordError 429 after 3 attempts", err)
	}
}

func TestBedrockErrorsBecomeRecordErrors(t *testing.T) {
	cases := []struct {
		err   error
		code  int
		calls int
	}{
		{&types.ValidationException{Message: aws.String("Malformed input request: #: required key [messages] not found, please reformat your input and try again.")}, 400, 1},
		{&types.AccessDeniedException{Message: aws.String("You don't have access to the model with the specified model ID.")}, 403, 1},
		{&types.ResourceNotFoundException{Message: aws.String("Could not resolve the foundation model.")}, 404, 1},
		{&types.ModelTimeoutException{Message: aws.String("timed out")}, 408, 1},
		{&types.ModelErrorException{Message: aws.String("model failed")}, 424, 1},
		{&types.InternalServerException{Message: aws.String("internal")}, 500, 2},
		{&types.ServiceUnavailableException{Message: aws.String("unavailable")}, 503, 2},
		{errors.New("dial tcp: connection refused"), 503, 2},
	}
	for _, c := range cases {
		f := &fakeRuntime{invoke: func(int) (*bedrockruntime.InvokeModelOutput, error) { return nil, c.err }}
		b, _ := newTestBedrock(t, f, 1)
		_, err := b.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{}`)})
		var re *model.RecordError
		if !errors.As(err, &re) || re.Code != c.code {
			t.Errorf("%T: got %v, want RecordError %d", c.err, err, c.code)
			continue
		}
		if len(f.invokes) != c.calls {
			t.Errorf("%T: %d calls, want %d", c.err, len(f.invokes), c.calls)
		}
		if c.code == 400 && re.Message != "Malformed input request: #: required key [messages] not found, please reformat your input and try again." {
			t.Errorf("validation message %q, want the service's", re.Message)
		}
	}
}

func TestBedrockCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeRuntime{invoke: func(int) (*bedrockruntime.InvokeModelOutput, error) {
		cancel()
		return nil, fmt.Errorf("operation error Bedrock Runtime: InvokeModel, %w", context.Canceled)
	}}
	b, _ := newTestBedrock(t, f, 3)
	_, err := b.Invoke(ctx, Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{}`)})
	var re *model.RecordError
	if !errors.Is(err, context.Canceled) || errors.As(err, &re) || len(f.invokes) != 1 {
		t.Errorf("got %v after %d calls, want context.Canceled after 1", err, len(f.invokes))
	}
}

func TestBedrockConverse(t *testing.T) {
	f := &fakeRuntime{converse: func(int) (*bedrockruntime.ConverseOutput, error) {
		return &bedrockruntime.ConverseOutput{
			Output: &types.ConverseOutputMemberMessage{Value: types.Message{
				Role: types.ConversationRoleAssistant,
				Content: []types.ContentBlock{
					&types.ContentBlockMemberText{Value: "It guides ships."},
					&types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{ToolUseId: aws.String("t1"), Name: aws.String("lookup"), Input: document.NewLazyDocument(map[string]any{"q": "lighthouse"})}},
				},
			}},
			StopReason: types.StopReasonEndTurn,
			Usage:      &types.TokenUsage{InputTokens: aws.Int32(12), OutputTokens: aws.Int32(4), TotalTokens: aws.Int32(16)},
			Metrics:    &types.ConverseMetrics{LatencyMs: aws.Int64(321)},
		}, nil
	}}
	b, _ := newTestBedrock(t, f, 0)
	body := `{"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"What is a lighthouse?"},{"image":{"format":"png","source":{"bytes":"aGVsbG8="}}}]}],` +
		`"inferenceConfig":{"maxTokens":100,"temperature":0.5,"stopSequences":["END"]},"additionalModelRequestFields":{"top_k":5}}`
	resp, err := b.Invoke(context.Background(), Request{Model: model.ParseID("anthropic.claude-3-haiku-20240307-v1:0"), InvocationType: batch.InvocationConverse, Body: []byte(body)})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	in := f.converses[0]
	if aws.ToString(in.ModelId) != "anthropic.claude-3-haiku-20240307-v1:0" || len(in.Messages) != 1 || in.Messages[0].Role != types.ConversationRoleUser {
		t.Fatalf("converted input %+v", in)
	}
	if txt, ok := in.Messages[0].Content[0].(*types.ContentBlockMemberText); !ok || txt.Value != "What is a lighthouse?" {
		t.Errorf("first block %#v", in.Messages[0].Content[0])
	}
	if img, ok := in.Messages[0].Content[1].(*types.ContentBlockMemberImage); !ok || img.Value.Format != types.ImageFormatPng ||
		string(img.Value.Source.(*types.ImageSourceMemberBytes).Value) != "hello" {
		t.Errorf("image block %#v, want png with the decoded bytes", in.Messages[0].Content[1])
	}
	if sys, ok := in.System[0].(*types.SystemContentBlockMemberText); !ok || sys.Value != "Be brief." {
		t.Errorf("system %#v", in.System)
	}
	if c := in.InferenceConfig; aws.ToInt32(c.MaxTokens) != 100 || aws.ToFloat32(c.Temperature) != 0.5 || fmt.Sprint(c.StopSequences) != "[END]" {
		t.Errorf("inference config %+v", c)
	}
	extra, _ := in.AdditionalModelRequestFields.MarshalSmithyDocument()
	if string(extra) != `{"top_k":5}` {
		t.Errorf("additional fields %s", extra)
	}
	want := `{"output":{"message":{"role":"assistant","content":[{"text":"It guides ships."},{"toolUse":{"toolUseId":"t1","name":"lookup","input":{"q":"lighthouse"}}}]}},` +
		`"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16},"metrics":{"latencyMs":321}}`
	if string(resp.Body) != want {
		t.Errorf("modelOutput\n%s\nwant\n%s", resp.Body, want)
	}
	if resp.InputTokens != 12 || resp.OutputTokens != 4 {
		t.Errorf("tokens %d/%d", resp.InputTokens, resp.OutputTokens)
	}
	for _, d := range shapeDiff("$", loadShape(t, "converse"), decodeJSON(t, resp.Body)) {
		if !strings.Contains(d, "content[1]") { // the documented shape has text blocks only
			t.Error(d)
		}
	}
}

func TestBedrockConverseUnsupportedBlock(t *testing.T) {
	f := &fakeRuntime{}
	b, _ := newTestBedrock(t, f, 0)
	body := `{"messages":[{"role":"user","content":[{"video":{"format":"mp4","source":{"bytes":"AA=="}}}]}]}`
	_, err := b.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-pro-v1:0"), InvocationType: batch.InvocationConverse, Body: []byte(body)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 400 || !strings.Contains(re.Message, `"video"`) {
		t.Errorf("got %v, want RecordError 400 naming the video block", err)
	}
	if len(f.converses) != 0 {
		t.Error("an unconvertible record was sent")
	}
}

// TestBedrockRealClientTokenHeaders runs the real SDK client against a
// local server that answers like the runtime: InvokeModel's token counts
// come from the X-Amzn-Bedrock-*-Token-Count headers, and a throttled first
// answer is retried by the backend (the SDK's own retries are off).
func TestBedrockRealClientTokenHeaders(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		paths = append(paths, r.URL.Path)
		n := len(paths)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"Too many requests, please wait before trying again."}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(headerInputTokens, "41")
		w.Header().Set(headerOutputTokens, "17")
		fmt.Fprint(w, `{"outputs":[{"text":"Mustard.","stop_reason":"stop"}]}`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	b, err := NewBedrock(context.Background(), BedrockOptions{Region: "us-east-1", Endpoint: srv.URL, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	b.backoff.sleep = func(ctx context.Context, d time.Duration) error { return nil }
	resp, err := b.Invoke(context.Background(), Request{Model: model.ParseID("mistral.mistral-7b-instruct-v0:2"), Body: []byte(`{"prompt":"<s>[INST] Condiment? [/INST]"}`)})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if resp.InputTokens != 41 || resp.OutputTokens != 17 {
		t.Errorf("tokens %d/%d, want 41/17 from the headers", resp.InputTokens, resp.OutputTokens)
	}
	if len(paths) != 2 || paths[1] != "/model/mistral.mistral-7b-instruct-v0:2/invoke" {
		t.Errorf("requests %v, want two to /model/<id>/invoke", paths)
	}
}
