package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// fakeServer is an OpenAI-compatible server whose answers a test scripts.
type fakeServer struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	requests []recorded
	handle   func(w http.ResponseWriter, path string, body map[string]any, n int)
}

type recorded struct {
	path, auth string
	body       map[string]any
}

func newFakeServer(t *testing.T, handle func(w http.ResponseWriter, path string, body map[string]any, n int)) *fakeServer {
	f := &fakeServer{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		f.mu.Lock()
		f.requests = append(f.requests, recorded{path: r.URL.Path, auth: r.Header.Get("Authorization"), body: body})
		n := len(f.requests)
		f.mu.Unlock()
		f.handle(w, r.URL.Path, body, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func chatAnswer(w http.ResponseWriter, text, finish string) {
	fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":%q}],"usage":{"prompt_tokens":21,"completion_tokens":7,"total_tokens":28}}`, text, finish)
}

func embeddingsAnswer(w http.ResponseWriter, n, dims int) {
	var data []string
	for i := n - 1; i >= 0; i-- { // out of order on purpose
		v := make([]string, dims)
		for j := range v {
			v[j] = fmt.Sprint(float64(i+1) / float64(j+1))
		}
		data = append(data, fmt.Sprintf(`{"object":"embedding","index":%d,"embedding":[%s]}`, i, strings.Join(v, ",")))
	}
	fmt.Fprintf(w, `{"object":"list","data":[%s],"usage":{"prompt_tokens":13,"total_tokens":13}}`, strings.Join(data, ","))
}

func newTestOpenAI(t *testing.T, url string, opts OpenAIOptions) *OpenAI {
	t.Helper()
	opts.BaseURL = url
	if opts.Model == "" {
		opts.Model = "llama3.2:3b"
	}
	o, err := NewOpenAI(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// noSleep makes retries instant and records the requested delays.
func noSleep(o *OpenAI) *[]time.Duration {
	var mu sync.Mutex
	delays := &[]time.Duration{}
	o.backoff.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*delays = append(*delays, d)
		mu.Unlock()
		return ctx.Err()
	}
	return delays
}

func TestOpenAIChatTranslation(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		if path != "/v1/chat/completions" {
			t.Errorf("path %s", path)
		}
		chatAnswer(w, "Lighthouses guide ships.", "length")
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{APIKey: "sekrit", Models: map[string]string{"anthropic.claude-3-haiku-20240307-v1:0": "qwen2.5:7b"}})
	type msg = map[string]any
	cases := []struct {
		name, modelID, invocation, body, shape string
		wantModel                              string
		wantMessages                           []msg
		wantMax                                float64
		wantStop                               string
	}{
		{"anthropic", "us.anthropic.claude-3-haiku-20240307-v1:0", "",
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":300,"system":"Be brief.","temperature":0.1,"stop_sequences":["END"],"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":[{"type":"text","text":"What is a lighthouse?"}]}]}`,
			"anthropic", "qwen2.5:7b",
			[]msg{{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "What is a lighthouse?"}},
			300, "max_tokens"},
		{"nova", "amazon.nova-lite-v1:0", "",
			`{"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"What is a lighthouse?"}]}],"inferenceConfig":{"maxTokens":50}}`,
			"nova", "llama3.2:3b",
			[]msg{{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a lighthouse?"}}, 50, "max_tokens"},
		{"converse", "mistral.mistral-large-2402-v1:0", batch.InvocationConverse,
			`{"messages":[{"role":"user","content":[{"text":"What is a lighthouse?"}]}],"inferenceConfig":{"maxTokens":40}}`,
			"converse", "llama3.2:3b",
			[]msg{{"role": "user", "content": "What is a lighthouse?"}}, 40, "max_tokens"},
		{"titan", "amazon.titan-text-premier-v1:0", "",
			`{"inputText":"User: What is a lighthouse?\nBot:","textGenerationConfig":{"maxTokenCount":64}}`,
			"titan-text", "llama3.2:3b",
			[]msg{{"role": "user", "content": "What is a lighthouse?"}}, 64, "LENGTH"},
		{"llama3 template", "meta.llama3-1-8b-instruct-v1:0", "",
			`{"prompt":"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is a lighthouse?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n","max_gen_len":32}`,
			"llama", "llama3.2:3b",
			[]msg{{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a lighthouse?"}}, 32, "length"},
		{"mistral chat", "mistral.mistral-large-2407-v1:0", "",
			`{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is a lighthouse?"}],"max_tokens":30}`,
			"mistral-chat", "llama3.2:3b",
			[]msg{{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a lighthouse?"}}, 30, "length"},
		{"mistral template", "mistral.mistral-7b-instruct-v0:2", "",
			`{"prompt":"<s>[INST] Hi [/INST] Hello</s>[INST] What is a lighthouse? [/INST]","max_tokens":20}`,
			"mistral", "llama3.2:3b",
			[]msg{{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "What is a lighthouse?"}}, 20, "length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(srv.recorded())
			resp, err := o.Invoke(context.Background(), Request{Model: model.ParseID(c.modelID), InvocationType: c.invocation, Body: []byte(c.body)})
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			reqs := srv.recorded()[before:]
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			got := reqs[0]
			if got.auth != "Bearer sekrit" {
				t.Errorf("Authorization %q", got.auth)
			}
			if got.body["model"] != c.wantModel || got.body["max_tokens"] != c.wantMax || got.body["stream"] != false {
				t.Errorf("model %v, max_tokens %v, stream %v; want %v, %v, false", got.body["model"], got.body["max_tokens"], got.body["stream"], c.wantModel, c.wantMax)
			}
			wantMsgs, _ := json.Marshal(c.wantMessages)
			gotMsgs, _ := json.Marshal(got.body["messages"])
			if string(wantMsgs) != string(gotMsgs) {
				t.Errorf("messages\n%s\nwant\n%s", gotMsgs, wantMsgs)
			}
			m := decodeJSON(t, resp.Body)
			for _, d := range shapeDiff("$", loadShape(t, c.shape), m) {
				t.Error(d)
			}
			family := model.ParseID(c.modelID).Family()
			text, stop := generatedText(t, family, c.invocation == batch.InvocationConverse, resp.Body)
			if text != "Lighthouses guide ships." || stop != c.wantStop {
				t.Errorf("text %q stop %q; want the server's text and %q", text, stop, c.wantStop)
			}
			if resp.InputTokens != 21 || resp.OutputTokens != 7 {
				t.Errorf("tokens %d/%d, want the server's 21/7", resp.InputTokens, resp.OutputTokens)
			}
		})
	}
	// Sampling parameters are passed on.
	first := srv.recorded()[0].body
	if first["temperature"] != 0.1 || fmt.Sprint(first["stop"]) != "[END]" {
		t.Errorf("temperature %v stop %v, want 0.1 and [END]", first["temperature"], first["stop"])
	}
}

func TestOpenAIImages(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		chatAnswer(w, "A cat.", "stop")
	})
	o := newTestOpenAI(t, srv.srv.URL+"/v1", OpenAIOptions{})
	body := `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"What is this?"}]}]}`
	if _, err := o.Invoke(context.Background(), Request{Model: model.ParseID("anthropic.claude-3-haiku-20240307-v1:0"), Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(srv.recorded()[0].body["messages"])
	want := `[{"content":[{"image_url":{"url":"data:image/png;base64,iVBORw0KGgo="},"type":"image_url"},{"text":"What is this?","type":"text"}],"role":"user"}]`
	if string(got) != want {
		t.Errorf("messages\n%s\nwant\n%s", got, want)
	}
}

func TestOpenAIEmbeddings(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		if path != "/v1/embeddings" {
			t.Errorf("path %s", path)
		}
		embeddingsAnswer(w, len(body["input"].([]any)), 768)
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{EmbeddingModel: "nomic-embed-text"})

	t.Run("titan", func(t *testing.T) {
		resp, err := o.Invoke(context.Background(), Request{Model: model.ParseID("amazon.titan-embed-text-v2:0"), Body: []byte(`{"inputText":"hello","dimensions":256}`)})
		if err != nil {
			t.Fatal(err)
		}
		req := srv.recorded()[0].body
		if req["model"] != "nomic-embed-text" || fmt.Sprint(req["input"]) != "[hello]" {
			t.Errorf("request %v", req)
		}
		m := decodeJSON(t, resp.Body)
		for _, d := range shapeDiff("$", loadShape(t, "titan-embed-v2"), m) {
			t.Error(d)
		}
		v := m["embedding"].([]any)
		var sum float64
		for _, x := range v {
			sum += x.(float64) * x.(float64)
		}
		if len(v) != 256 || sum < 0.999 || sum > 1.001 {
			t.Errorf("%d dimensions with squared norm %v; want 256, normalised again", len(v), sum)
		}
		if resp.InputTokens != 13 || m["inputTextTokenCount"] != 13.0 {
			t.Errorf("input tokens %d / %v, want the server's 13", resp.InputTokens, m["inputTextTokenCount"])
		}
	})
	t.Run("cohere", func(t *testing.T) {
		resp, err := o.Invoke(context.Background(), Request{Model: model.ParseID("cohere.embed-english-v3"), Body: []byte(`{"texts":["a","b","c"],"input_type":"search_document"}`)})
		if err != nil {
			t.Fatal(err)
		}
		m := decodeJSON(t, resp.Body)
		for _, d := range shapeDiff("$", loadShape(t, "cohere-embed"), m) {
			t.Error(d)
		}
		vecs := m["embeddings"].([]any)
		if len(vecs) != 3 {
			t.Fatalf("%d vectors, want 3", len(vecs))
		}
		for i, v := range vecs {
			// The fake server's vector i starts with i+1: the order is the texts' order.
			if first := v.([]any)[0].(float64); first != float64(i+1) {
				t.Errorf("vector %d starts with %v, want %d (answers reordered by index)", i, first, i+1)
			}
		}
		if fmt.Sprint(m["texts"]) != "[a b c]" || m["response_type"] != "embeddings_floats" {
			t.Errorf("texts %v response_type %v", m["texts"], m["response_type"])
		}
	})
}

func TestOpenAIRetriesThrottlingWithRetryAfter(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		if n <= 2 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit"}}`)
			return
		}
		chatAnswer(w, "ok", "stop")
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{})
	delays := noSleep(o)
	resp, err := o.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if len(srv.recorded()) != 3 {
		t.Errorf("%d requests, want 3", len(srv.recorded()))
	}
	if fmt.Sprint(*delays) != "[3s 3s]" {
		t.Errorf("delays %v, want Retry-After's [3s 3s]", *delays)
	}
	if !strings.Contains(string(resp.Body), `"text":"ok"`) {
		t.Errorf("body %s", resp.Body)
	}
}

func TestOpenAIExponentialBackoff(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":"model crashed"}`)
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{MaxRetries: 3, BackoffBase: 100 * time.Millisecond, BackoffMax: 300 * time.Millisecond})
	delays := noSleep(o)
	_, err := o.Invoke(context.Background(), Request{Model: model.ParseID("meta.llama3-8b-instruct-v1:0"), Body: []byte(`{"prompt":"hi"}`)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 500 {
		t.Fatalf("got %v, want RecordError 500", err)
	}
	if !strings.Contains(re.Message, "model crashed") || !strings.Contains(re.Message, "gave up after 4 attempts") {
		t.Errorf("message %q should carry the server's message and the attempts", re.Message)
	}
	if n := len(srv.recorded()); n != 4 {
		t.Errorf("%d requests, want 1 + 3 retries", n)
	}
	// Equal jitter: retry k waits between half and all of min(base·2^k, max).
	bounds := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	if len(*delays) != 3 {
		t.Fatalf("delays %v, want 3", *delays)
	}
	for i, d := range *delays {
		if d < bounds[i]/2 || d > bounds[i] {
			t.Errorf("delay %d = %v, want within [%v, %v]", i, d, bounds[i]/2, bounds[i])
		}
	}
}

func TestOpenAIClientErrorsAreNotRetried(t *testing.T) {
	cases := []struct {
		status   int
		body     string
		wantCode int
		wantMsg  string
	}{
		{400, `{"error":{"message":"context length exceeded"}}`, 400, "context length exceeded"},
		{404, `{"error":{"message":"model \"llama3.2:3b\" not found, try pulling it first"}}`, 404, "does not serve model \"llama3.2:3b\""},
		{401, `{"error":{"message":"bad key"}}`, 403, "refused the API key"},
	}
	for _, c := range cases {
		srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		})
		o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{})
		noSleep(o)
		_, err := o.Invoke(context.Background(), Request{Model: model.ParseID("meta.llama3-8b-instruct-v1:0"), Body: []byte(`{"prompt":"hi"}`)})
		var re *model.RecordError
		if !errors.As(err, &re) || re.Code != c.wantCode || !strings.Contains(re.Message, c.wantMsg) {
			t.Errorf("status %d: got %v, want RecordError %d containing %q", c.status, err, c.wantCode, c.wantMsg)
		}
		if n := len(srv.recorded()); n != 1 {
			t.Errorf("status %d: %d requests, want 1", c.status, n)
		}
	}
}

func TestOpenAITimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		if n == 1 {
			<-release
			return
		}
		chatAnswer(w, "late but fine", "stop")
	})
	defer close(release)
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{Timeout: 50 * time.Millisecond, MaxRetries: -1})
	_, err := o.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 408 || !strings.Contains(re.Message, "did not answer within 50ms") {
		t.Fatalf("got %v, want RecordError 408 naming the timeout", err)
	}
	// With retries, the next attempt succeeds.
	o2 := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{Timeout: 2 * time.Second})
	noSleep(o2)
	if _, err := o2.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)}); err != nil {
		t.Errorf("second server attempt: %v", err)
	}
}

func TestOpenAIContextCancelIsNotARecordError(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{BackoffBase: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := o.Invoke(ctx, Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)})
	var re *model.RecordError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &re) {
		t.Errorf("got %v, want the context's error while backing off", err)
	}
}

func TestOpenAIUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	o := newTestOpenAI(t, url, OpenAIOptions{MaxRetries: 1})
	noSleep(o)
	_, err := o.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 503 || !strings.Contains(re.Message, "could not reach the model server") {
		t.Errorf("got %v, want RecordError 503", err)
	}
}

func TestOpenAIConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := newFakeServer(t, func(w http.ResponseWriter, path string, body map[string]any, n int) {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		chatAnswer(w, "ok", "stop")
	})
	o := newTestOpenAI(t, srv.srv.URL, OpenAIOptions{Concurrency: 3})
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := o.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != 3 {
		t.Errorf("peak of %d requests in flight, want exactly the limit 3", p)
	}
}

func TestOpenAIServerModel(t *testing.T) {
	o, err := NewOpenAI(OpenAIOptions{BaseURL: "http://127.0.0.1:1", Models: map[string]string{"meta.llama3-8b-instruct-v1:0": "llama3:8b"}})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := o.ServerModel(model.ParseID("us.meta.llama3-8b-instruct-v1:0")); err != nil || m != "llama3:8b" {
		t.Errorf("mapped id behind a profile: %q %v", m, err)
	}
	if _, err := o.ServerModel(model.ParseID("amazon.nova-lite-v1:0")); err == nil || !strings.Contains(err.Error(), "--openai-model") {
		t.Errorf("unmapped id without a default: %v, want an error saying how to set one", err)
	}
	for _, bad := range []string{"", "localhost:11434", "ftp://x/v1"} {
		if _, err := NewOpenAI(OpenAIOptions{BaseURL: bad}); err == nil {
			t.Errorf("NewOpenAI accepted base URL %q", bad)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"Wed, 01 Jan 2025 12:00:10 GMT": 10 * time.Second,
		"soon":                          0,
	}
	for v, want := range cases {
		h := http.Header{}
		h.Set("Retry-After", v)
		if got := parseRetryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}
