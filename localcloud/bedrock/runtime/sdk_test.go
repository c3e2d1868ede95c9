package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
)

// invokeCases are InvokeModel request bodies of each family, as the model
// parameters pages give them
// (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html),
// with a function that reads the family's response body: its text (or
// vector length) and token counts.
var invokeCases = []struct {
	model, body string
	read        func(t *testing.T, body []byte) (text string, in, out int)
}{
	{"anthropic.claude-3-haiku-20240307-v1:0",
		`{"anthropic_version":"bedrock-2023-05-31","max_tokens":200,"messages":[{"role":"user","content":[{"type":"text","text":"Summarise the review: arrived late but works well."}]}]}`,
		func(t *testing.T, b []byte) (string, int, int) {
			var r struct {
				Type    string
				Content []struct{ Type, Text string }
				Usage   struct{ InputTokens, OutputTokens int } `json:"usage"`
			}
			var u struct {
				Usage struct {
					In  int `json:"input_tokens"`
					Out int `json:"output_tokens"`
				} `json:"usage"`
			}
			decode(t, b, &r)
			decode(t, b, &u)
			if r.Type != "message" || len(r.Content) != 1 || r.Content[0].Type != "text" {
				t.Fatalf("Messages response %s", b)
			}
			return r.Content[0].Text, u.Usage.In, u.Usage.Out
		}},
	{"us.amazon.nova-lite-v1:0",
		`{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Summarise the review: arrived late but works well."}]}],"inferenceConfig":{"maxTokens":200}}`,
		func(t *testing.T, b []byte) (string, int, int) {
			var r struct {
				Output struct {
					Message struct {
						Role    string
						Content []struct{ Text string }
					}
				}
				StopReason string
				Usage      struct{ InputTokens, OutputTokens, TotalTokens int }
			}
			decode(t, b, &r)
			if r.Output.Message.Role != "assistant" || len(r.Output.Message.Content) != 1 || r.StopReason == "" ||
				r.Usage.TotalTokens != r.Usage.InputTokens+r.Usage.OutputTokens {
				t.Fatalf("Nova response %s", b)
			}
			return r.Output.Message.Content[0].Text, r.Usage.InputTokens, r.Usage.OutputTokens
		}},
	{"amazon.titan-text-express-v1",
		`{"inputText":"Summarise the review: arrived late but works well.","textGenerationConfig":{"maxTokenCount":200}}`,
		func(t *testing.T, b []byte) (string, int, int) {
			var r struct {
				InputTextTokenCount int
				Results             []struct {
					TokenCount       int
					OutputText       string
					CompletionReason string
				}
			}
			decode(t, b, &r)
			if len(r.Results) != 1 || r.Results[0].CompletionReason != "FINISHED" {
				t.Fatalf("Titan response %s", b)
			}
			return r.Results[0].OutputText, r.InputTextTokenCount, r.Results[0].TokenCount
		}},
	{"meta.llama3-8b-instruct-v1:0",
		`{"prompt":"Summarise the review: arrived late but works well.","max_gen_len":200}`,
		func(t *testing.T, b []byte) (string, int, int) {
			var r struct {
				Generation string `json:"generation"`
				In         int    `json:"prompt_token_count"`
				Out        int    `json:"generation_token_count"`
				Stop       string `json:"stop_reason"`
			}
			decode(t, b, &r)
			if r.Stop != "stop" {
				t.Fatalf("Llama response %s", b)
			}
			return r.Generation, r.In, r.Out
		}},
	{"amazon.titan-embed-text-v2:0",
		`{"inputText":"arrived late but works well","dimensions":256}`,
		func(t *testing.T, b []byte) (string, int, int) {
			var r struct {
				Embedding           []float64
				InputTextTokenCount int
			}
			decode(t, b, &r)
			return fmt.Sprintf("%d dimensions", len(r.Embedding)), r.InputTextTokenCount, 0
		}},
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("response body %s: %v", b, err)
	}
}

// TestInvokeModelSDK calls InvokeModel with the Go SDK for several
// families: the body is the family's response, Content-Type is
// application/json, and the token count headers agree with the body
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html;
// the X-Amzn-Bedrock-Input-Token-Count and -Output-Token-Count headers:
// https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html).
func TestInvokeModelSDK(t *testing.T) {
	env := newTestRuntime(t, backend.SimOptions{}, Limits{})
	for _, c := range invokeCases {
		t.Run(c.model, func(t *testing.T) {
			out, err := env.client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String(c.model), Body: []byte(c.body),
				ContentType: aws.String("application/json"), Accept: aws.String("application/json"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.ContentType) != "application/json" {
				t.Errorf("content type %q", aws.ToString(out.ContentType))
			}
			text, in, outTokens := c.read(t, out.Body)
			if text == "" || in == 0 {
				t.Fatalf("empty answer %s", out.Body)
			}
			h := rawResponse(t, out.ResultMetadata).Header
			if h.Get("X-Amzn-Bedrock-Input-Token-Count") != strconv.Itoa(in) || h.Get("X-Amzn-Bedrock-Output-Token-Count") != strconv.Itoa(outTokens) {
				t.Errorf("token headers %q/%q, body says %d/%d", h.Get("X-Amzn-Bedrock-Input-Token-Count"),
					h.Get("X-Amzn-Bedrock-Output-Token-Count"), in, outTokens)
			}
			if _, err := strconv.Atoi(h.Get("X-Amzn-Bedrock-Invocation-Latency")); err != nil {
				t.Errorf("latency header %q", h.Get("X-Amzn-Bedrock-Invocation-Latency"))
			}
		})
	}
	// An inference profile ARN holds a "/": the SDK escapes it in the path.
	arn := "arn:aws:bedrock:us-east-1:000000000000:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
	if _, err := env.client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
		ModelId: aws.String(arn), Body: []byte(invokeCases[0].body)}); err != nil {
		t.Fatalf("InvokeModel with an inference profile ARN: %v", err)
	}
}

// TestConverseSDK calls Converse with the Go SDK: the answer is the
// Converse response shape — output.message, stopReason, usage with
// inputTokens + outputTokens = totalTokens, metrics.latencyMs
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
func TestConverseSDK(t *testing.T) {
	env := newTestRuntime(t, backend.SimOptions{Latency: 0}, Limits{})
	for _, id := range []string{"anthropic.claude-3-haiku-20240307-v1:0", "us.amazon.nova-lite-v1:0", "meta.llama3-8b-instruct-v1:0", "mistral.mistral-large-2402-v1:0"} {
		t.Run(id, func(t *testing.T) {
			out, err := env.client.Converse(context.Background(), &bedrockruntime.ConverseInput{
				ModelId: aws.String(id),
				System:  []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Answer in one sentence."}},
				Messages: []types.Message{{Role: types.ConversationRoleUser,
					Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Summarise the review: arrived late but works well."}}}},
				InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(300), Temperature: aws.Float32(0.2)},
			})
			if err != nil {
				t.Fatal(err)
			}
			msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
			if !ok || msg.Value.Role != types.ConversationRoleAssistant || len(msg.Value.Content) != 1 {
				t.Fatalf("output %#v", out.Output)
			}
			text, ok := msg.Value.Content[0].(*types.ContentBlockMemberText)
			if !ok || !strings.HasPrefix(text.Value, `Simulated answer to "Summarise the review`) {
				t.Fatalf("content %#v", msg.Value.Content[0])
			}
			u := out.Usage
			if out.StopReason != types.StopReasonEndTurn || u == nil || aws.ToInt32(u.InputTokens) == 0 || aws.ToInt32(u.OutputTokens) == 0 ||
				aws.ToInt32(u.TotalTokens) != aws.ToInt32(u.InputTokens)+aws.ToInt32(u.OutputTokens) {
				t.Fatalf("stop %q usage %+v", out.StopReason, u)
			}
			if out.Metrics == nil || out.Metrics.LatencyMs == nil {
				t.Fatal("no metrics.latencyMs")
			}
		})
	}
}

// TestRuntimeErrorsSDK: the errors the API model lists for InvokeModel and
// Converse, with their HTTP statuses (ValidationException 400,
// ThrottlingException 429, ServiceUnavailableException 503:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors),
// as the SDK's typed errors.
func TestRuntimeErrorsSDK(t *testing.T) {
	env := newTestRuntime(t, backend.SimOptions{}, Limits{})
	ctx := context.Background()
	status := func(err error) int {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}

	_, err := env.client.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10}`)})
	var ve *types.ValidationException
	if !errors.As(err, &ve) || status(err) != http.StatusBadRequest || !strings.Contains(ve.ErrorMessage(), "messages") {
		t.Fatalf("body without messages: %v", err)
	}

	_, err = env.client.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String("acme.unknown-model-v1"), Body: []byte(`{}`)})
	if !errors.As(err, &ve) || status(err) != http.StatusBadRequest || ve.ErrorMessage() != "The provided model identifier is invalid." {
		t.Fatalf("unknown model: %v", err)
	}

	_, err = env.client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String("amazon.nova-lite-v1:0")})
	if !errors.As(err, &ve) || status(err) != http.StatusBadRequest {
		t.Fatalf("Converse without messages: %v", err)
	}

	_, err = env.client.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String("amazon.nova-lite-v1:0"),
		Body: []byte(invokeCases[1].body), Accept: aws.String("text/plain")})
	if !errors.As(err, &ve) {
		t.Fatalf("Accept text/plain: %v", err)
	}
}

// TestRuntimeRateLimit: calls beyond a model's requests-per-minute or
// tokens-per-minute quota get ThrottlingException (429, "Too many requests,
// please wait before trying again.", as
// https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html
// words it), and pass again once the minute's quota refills. Quotas are
// per model: https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html
func TestRuntimeRateLimit(t *testing.T) {
	ctx := context.Background()
	invoke := func(env *testRuntime, id, body string) error {
		_, err := env.client.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String(id), Body: []byte(body)})
		return err
	}
	throttled := func(err error) bool {
		var te *types.ThrottlingException
		var re *smithyhttp.ResponseError
		return errors.As(err, &te) && te.ErrorMessage() == "Too many requests, please wait before trying again." &&
			errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests
	}
	nova, claude := invokeCases[1], invokeCases[0]

	t.Run("requests", func(t *testing.T) {
		env := newTestRuntime(t, backend.SimOptions{}, Limits{RequestsPerMinute: 3})
		for i := 0; i < 3; i++ {
			if err := invoke(env, nova.model, nova.body); err != nil {
				t.Fatalf("call %d of a 3-per-minute quota: %v", i+1, err)
			}
		}
		if err := invoke(env, nova.model, nova.body); !throttled(err) {
			t.Fatalf("4th call in a minute: %v, want ThrottlingException", err)
		}
		// Another model has its own quota; the same model through its
		// base id shares the inference profile's.
		if err := invoke(env, claude.model, claude.body); err != nil {
			t.Fatalf("another model: %v", err)
		}
		if err := invoke(env, "amazon.nova-lite-v1:0", nova.body); !throttled(err) {
			t.Fatalf("the same model by its base id: %v", err)
		}
		env.clock.Advance(20 * time.Second) // a third of a minute: one request
		if err := invoke(env, nova.model, nova.body); err != nil {
			t.Fatalf("after 20 s: %v", err)
		}
		if err := invoke(env, nova.model, nova.body); !throttled(err) {
			t.Fatalf("second call after 20 s: %v", err)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		// max_tokens 200 plus the prompt (about 15 tokens) is reserved
		// from 230: the first call passes, and the tokens it used (prompt
		// and answer, well over 15) leave too few for a second reservation.
		env := newTestRuntime(t, backend.SimOptions{}, Limits{TokensPerMinute: 230})
		if err := invoke(env, claude.model, claude.body); err != nil {
			t.Fatal(err)
		}
		if err := invoke(env, claude.model, claude.body); !throttled(err) {
			t.Fatalf("second call: %v, want ThrottlingException", err)
		}
		env.clock.Advance(time.Minute)
		if err := invoke(env, claude.model, claude.body); err != nil {
			t.Fatalf("a minute later: %v", err)
		}
	})
}

// TestRuntimeSimFaults: the sim's transient faults are drawn per call
// attempt, so a request that failed succeeds (mostly) when sent again, as a
// real ServiceUnavailableException (503) or ModelTimeoutException (408)
// does; a permanent fault is a ValidationException (400) every time
// (https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html).
func TestRuntimeSimFaults(t *testing.T) {
	const rate = 0.3
	env := newTestRuntime(t, backend.SimOptions{ErrorRate: rate, ErrorCode: 503, PermanentErrorRate: 0.1}, Limits{})
	ctx := context.Background()
	body := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Review %d"}]}]}`, i))
	}
	invoke := func(b []byte) error {
		_, err := env.client.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String("amazon.nova-lite-v1:0"), Body: b})
		return err
	}
	transient, permanent := 0, 0
	for i := 0; i < 400; i++ {
		b := body(i)
		if backend.PermanentFault(b, 0.1) {
			permanent++
			for attempt := 1; attempt <= 3; attempt++ {
				var ve *types.ValidationException
				if err := invoke(b); !errors.As(err, &ve) {
					t.Fatalf("permanent fault, attempt %d: %v", attempt, err)
				}
			}
			continue
		}
		if !backend.TransientFault(b, 1, rate) {
			continue
		}
		transient++
		var su *types.ServiceUnavailableException
		if err := invoke(b); !errors.As(err, &su) {
			t.Fatalf("first attempt of a faulty request: %v, want ServiceUnavailableException", err)
		}
		err := invoke(b)
		if backend.TransientFault(b, 2, rate) != (err != nil) {
			t.Fatalf("second attempt: %v; TransientFault predicts the opposite", err)
		}
	}
	if transient < 60 || permanent < 20 {
		t.Fatalf("%d transient and %d permanent faults in 400 requests", transient, permanent)
	}
}

// TestRuntimeFaultCodesSDK: a backend's failure status reaches the SDK as
// the runtime's error of that status in the API model (bedrock-runtime
// 2023-09-30: ModelTimeoutException 408, ModelErrorException 424,
// ThrottlingException 429, InternalServerException 500,
// ServiceUnavailableException 503;
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors).
func TestRuntimeFaultCodesSDK(t *testing.T) {
	for _, c := range []struct {
		status int
		is     func(error) bool
	}{
		{408, func(err error) bool { var e *types.ModelTimeoutException; return errors.As(err, &e) }},
		{424, func(err error) bool { var e *types.ModelErrorException; return errors.As(err, &e) }},
		{429, func(err error) bool { var e *types.ThrottlingException; return errors.As(err, &e) }},
		{500, func(err error) bool { var e *types.InternalServerException; return errors.As(err, &e) }},
		{503, func(err error) bool { var e *types.ServiceUnavailableException; return errors.As(err, &e) }},
	} {
		env := newTestRuntime(t, backend.SimOptions{ErrorRate: 1, ErrorCode: c.status}, Limits{})
		_, err := env.client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
			ModelId: aws.String(invokeCases[1].model), Body: []byte(invokeCases[1].body)})
		var re *smithyhttp.ResponseError
		if !c.is(err) || !errors.As(err, &re) || re.HTTPStatusCode() != c.status {
			t.Errorf("sim fault %d: %v", c.status, err)
		}
	}
}
