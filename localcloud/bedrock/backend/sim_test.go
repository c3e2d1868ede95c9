package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/model"
)

func newTestSim(t testing.TB, opts SimOptions) *Sim {
	t.Helper()
	s, err := NewSim(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSimGolden pins the sim's answer to every request in testdata/requests.
// Run with -update to rewrite testdata/sim after a deliberate change.
func TestSimGolden(t *testing.T) {
	eachSimAnswer(t, func(t *testing.T, c requestCase, resp Response) {
		golden := filepath.Join("testdata/sim", c.name+".json")
		if *update {
			if err := os.WriteFile(golden, append(resp.Body, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(bytes.TrimSpace(want), resp.Body) {
			t.Errorf("answer differs from %s\ngot:  %s\nwant: %s", golden, resp.Body, want)
		}
	})
}

// TestSimShapesMatchDocs compares every answer's structure with the
// family's documented response in testdata/shapes.
func TestSimShapesMatchDocs(t *testing.T) {
	eachSimAnswer(t, func(t *testing.T, c requestCase, resp Response) {
		got := decodeJSON(t, resp.Body)
		for _, d := range shapeDiff("$", loadShape(t, c.Shape), got) {
			t.Error(d)
		}
	})
}

// eachSimAnswer asks a sim with default options every request in
// testdata/requests and runs check on its answer, in a subtest per request.
func eachSimAnswer(t *testing.T, check func(t *testing.T, c requestCase, resp Response)) {
	t.Helper()
	s := newTestSim(t, SimOptions{})
	for _, c := range loadRequestCases(t) {
		t.Run(c.name, func(t *testing.T) {
			resp, err := s.Invoke(context.Background(), c.request())
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			check(t, c, resp)
		})
	}
}

func TestSimDeterministic(t *testing.T) {
	a := newTestSim(t, SimOptions{})
	b := newTestSim(t, SimOptions{})
	seen := map[string]string{}
	for _, c := range loadRequestCases(t) {
		r1, err1 := a.Invoke(context.Background(), c.request())
		r2, err2 := b.Invoke(context.Background(), c.request())
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", c.name, err1, err2)
		}
		if !bytes.Equal(r1.Body, r2.Body) || r1.InputTokens != r2.InputTokens || r1.OutputTokens != r2.OutputTokens {
			t.Errorf("%s: two sims answered differently:\n%s\n%s", c.name, r1.Body, r2.Body)
		}
		if other, dup := seen[string(r1.Body)]; dup {
			t.Errorf("%s and %s got the same answer", c.name, other)
		}
		seen[string(r1.Body)] = c.name
	}
	// A different prompt gives a different answer that echoes it.
	req := func(q string) Request {
		return Request{Model: model.ParseID("amazon.nova-micro-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"` + q + `"}]}]}`)}
	}
	r1, _ := a.Invoke(context.Background(), req("Why is the sky blue today"))
	r2, _ := a.Invoke(context.Background(), req("How do tides work"))
	if bytes.Equal(r1.Body, r2.Body) {
		t.Error("different prompts gave the same answer")
	}
	if !strings.Contains(string(r1.Body), `Why is the sky blue today`) {
		t.Errorf("answer does not echo the prompt's first words: %s", r1.Body)
	}
}

// generatedText extracts the text of a text family's answer.
func generatedText(t *testing.T, family model.Family, converse bool, body []byte) (text, stop string) {
	t.Helper()
	m := decodeJSON(t, body)
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}
	switch {
	case converse || family == model.FamilyNova:
		return get(m, "output", "message", "content", 0, "text").(string), m["stopReason"].(string)
	case family == model.FamilyAnthropic:
		return get(m, "content", 0, "text").(string), m["stop_reason"].(string)
	case family == model.FamilyTitanText:
		return get(m, "results", 0, "outputText").(string), get(m, "results", 0, "completionReason").(string)
	case family == model.FamilyLlama:
		return m["generation"].(string), m["stop_reason"].(string)
	case family == model.FamilyMistral && m["choices"] != nil:
		return get(m, "choices", 0, "message", "content").(string), get(m, "choices", 0, "stop_reason").(string)
	case family == model.FamilyMistral:
		return get(m, "outputs", 0, "text").(string), get(m, "outputs", 0, "stop_reason").(string)
	}
	t.Fatalf("no text in %v answers", family)
	return "", ""
}

func TestSimTokenLimits(t *testing.T) {
	s := newTestSim(t, SimOptions{})
	cases := []struct {
		name, modelID, invocation, body string
		limit                           int
		lengthStop                      string
	}{
		{"anthropic", "anthropic.claude-3-haiku-20240307-v1:0", "", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":%d,"messages":[{"role":"user","content":"Tell me everything about lighthouses"}]}`, 0, "max_tokens"},
		{"nova", "amazon.nova-lite-v1:0", "", `{"messages":[{"role":"user","content":[{"text":"Tell me everything about lighthouses"}]}],"inferenceConfig":{"maxTokens":%d}}`, 0, "max_tokens"},
		{"converse", "meta.llama3-8b-instruct-v1:0", batch.InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"Tell me everything about lighthouses"}]}],"inferenceConfig":{"maxTokens":%d}}`, 0, "max_tokens"},
		{"titan", "amazon.titan-text-lite-v1", "", `{"inputText":"Tell me everything about lighthouses","textGenerationConfig":{"maxTokenCount":%d}}`, 0, "LENGTH"},
		{"llama", "meta.llama3-8b-instruct-v1:0", "", `{"prompt":"Tell me everything about lighthouses","max_gen_len":%d}`, 0, "length"},
		{"mistral", "mistral.mixtral-8x7b-instruct-v0:1", "", `{"prompt":"<s>[INST] Tell me everything about lighthouses [/INST]","max_tokens":%d}`, 0, "length"},
	}
	for _, c := range cases {
		family := model.ParseID(c.modelID).Family()
		for _, limit := range []int{1, 4, 9, 1000} {
			t.Run(fmt.Sprintf("%s/%d", c.name, limit), func(t *testing.T) {
				resp, err := s.Invoke(context.Background(), Request{Model: model.ParseID(c.modelID), InvocationType: c.invocation, Body: []byte(fmt.Sprintf(c.body, limit))})
				if err != nil {
					t.Fatal(err)
				}
				text, stop := generatedText(t, family, c.invocation == batch.InvocationConverse, resp.Body)
				n := model.CountTokens(text)
				if n != resp.OutputTokens {
					t.Errorf("OutputTokens = %d, but the text has %d tokens: %q", resp.OutputTokens, n, text)
				}
				if n > limit {
					t.Errorf("%d tokens generated, limit %d", n, limit)
				}
				if limit < 6 && (n != limit || stop != c.lengthStop) {
					t.Errorf("limit %d: got %d tokens, stop %q; want exactly the limit and stop %q", limit, n, stop, c.lengthStop)
				}
				if limit == 1000 && stop == c.lengthStop {
					t.Errorf("stop reason %q although the limit was not reached", stop)
				}
			})
		}
	}
}

func TestSimStopSequence(t *testing.T) {
	s := newTestSim(t, SimOptions{})
	body := `{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"stop_sequences":["to"],"messages":[{"role":"user","content":"Hello"}]}`
	resp, err := s.Invoke(context.Background(), Request{Model: model.ParseID("anthropic.claude-3-haiku-20240307-v1:0"), Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, resp.Body)
	if m["stop_reason"] != "stop_sequence" || m["stop_sequence"] != "to" {
		t.Errorf("stop_reason %v, stop_sequence %v; want stop_sequence and \"to\"", m["stop_reason"], m["stop_sequence"])
	}
	text := m["content"].([]any)[0].(map[string]any)["text"].(string)
	if text != "Simulated answer " {
		t.Errorf("text %q, want the answer cut before the stop sequence", text)
	}
}

func TestSimInputTokens(t *testing.T) {
	s := newTestSim(t, SimOptions{})
	cases := []struct {
		modelID, body string
		want          int
	}{
		// "You are terse." 4 + "Hi there!" 3 + "Hello." 2 + "Bye" 1
		{"anthropic.claude-3-haiku-20240307-v1:0", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"system":"You are terse.","messages":[{"role":"user","content":"Hi there!"},{"role":"assistant","content":[{"type":"text","text":"Hello."}]},{"role":"user","content":"Bye"}]}`, 10},
		{"amazon.nova-micro-v1:0", `{"system":[{"text":"Be kind."}],"messages":[{"role":"user","content":[{"text":"one two"},{"text":"three"}]}]}`, 6},
		{"amazon.titan-text-express-v1", `{"inputText":"a b, c"}`, 4},
		{"meta.llama3-70b-instruct-v1:0", `{"prompt":"what's up"}`, 4},
		{"cohere.embed-english-v3", `{"texts":["a b","c"],"input_type":"clustering"}`, 3},
		{"amazon.titan-embed-text-v2:0", `{"inputText":"x y z"}`, 3},
	}
	for _, c := range cases {
		resp, err := s.Invoke(context.Background(), Request{Model: model.ParseID(c.modelID), Body: []byte(c.body)})
		if err != nil {
			t.Fatalf("%s: %v", c.modelID, err)
		}
		if resp.InputTokens != c.want {
			t.Errorf("%s: InputTokens %d, want %d", c.modelID, resp.InputTokens, c.want)
		}
	}
}

func TestSimEmbeddings(t *testing.T) {
	s := newTestSim(t, SimOptions{})
	norm := func(v []any) float64 {
		var sum float64
		for _, x := range v {
			sum += x.(float64) * x.(float64)
		}
		return math.Sqrt(sum)
	}
	for _, dims := range []int{256, 512, 1024} {
		resp, err := s.Invoke(context.Background(), Request{Model: model.ParseID("amazon.titan-embed-text-v2:0"), Body: []byte(fmt.Sprintf(`{"inputText":"hello","dimensions":%d}`, dims))})
		if err != nil {
			t.Fatal(err)
		}
		m := decodeJSON(t, resp.Body)
		v := m["embedding"].([]any)
		if len(v) != dims {
			t.Errorf("dimensions %d: got %d", dims, len(v))
		}
		if n := norm(v); math.Abs(n-1) > 1e-4 {
			t.Errorf("dimensions %d: norm %v, want 1", dims, n)
		}
	}
	resp, err := s.Invoke(context.Background(), Request{Model: model.ParseID("amazon.titan-embed-text-v2:0"), Body: []byte(`{"inputText":"hello","normalize":false,"dimensions":256}`)})
	if err != nil {
		t.Fatal(err)
	}
	if n := norm(decodeJSON(t, resp.Body)["embedding"].([]any)); math.Abs(n-1) < 1e-3 {
		t.Errorf("normalize false still gave a unit vector")
	}
	// Cohere: one vector per text, same text ⇒ same vector, quantised types in range.
	resp, err = s.Invoke(context.Background(), Request{Model: model.ParseID("cohere.embed-english-v3"), Body: []byte(`{"texts":["a","b","a"],"input_type":"search_query","embedding_types":["float","int8","uint8","binary","ubinary"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, resp.Body)
	emb := m["embeddings"].(map[string]any)
	floats := emb["float"].([]any)
	if len(floats) != 3 || fmt.Sprint(floats[0]) != fmt.Sprint(floats[2]) || fmt.Sprint(floats[0]) == fmt.Sprint(floats[1]) {
		t.Errorf("want 3 vectors, equal for equal texts only")
	}
	ranges := map[string][3]float64{"int8": {-128, 127, 1024}, "uint8": {0, 255, 1024}, "binary": {-128, 127, 128}, "ubinary": {0, 255, 128}}
	for typ, r := range ranges {
		vecs := emb[typ].([]any)
		for _, v := range vecs {
			if len(v.([]any)) != int(r[2]) {
				t.Errorf("%s: length %d, want %v", typ, len(v.([]any)), r[2])
			}
			for _, x := range v.([]any) {
				if f := x.(float64); f < r[0] || f > r[1] || f != math.Trunc(f) {
					t.Fatalf("%s: value %v outside [%v, %v]", typ, f, r[0], r[1])
				}
			}
		}
	}
}

func TestSimValidation(t *testing.T) {
	s := newTestSim(t, SimOptions{})
	const anth = "anthropic.claude-3-haiku-20240307-v1:0"
	cases := []struct {
		name, modelID, invocation, body, want string
	}{
		{"anthropic no version", anth, "", `{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`,
			"Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again."},
		{"anthropic no max_tokens", anth, "", `{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"hi"}]}`,
			"Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."},
		{"anthropic no messages", anth, "", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10}`,
			"Malformed input request: #: required key [messages] not found, please reformat your input and try again."},
		{"anthropic nothing", anth, "", `{}`,
			"Malformed input request: #: 3 schema violations found (required keys [anthropic_version], [max_tokens], [messages] not found), please reformat your input and try again."},
		{"anthropic max_tokens type", anth, "", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":"ten","messages":[]}`,
			"Malformed input request: #/max_tokens: expected type: Integer, found: String, please reformat your input and try again."},
		{"anthropic empty messages", anth, "", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[]}`,
			"messages: at least one message is required"},
		{"anthropic system role", anth, "", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"system","content":"x"}]}`,
			"messages.0.role: Unexpected role \"system\""},
		{"body not an object", anth, "", `["hi"]`,
			"Malformed input request: #: expected type: JSONObject, found: JSONArray, please reformat your input and try again."},
		{"nova no messages", "amazon.nova-lite-v1:0", "", `{"inferenceConfig":{"maxTokens":10}}`,
			"Malformed input request: #: required key [messages] not found, please reformat your input and try again."},
		{"nova bad role", "amazon.nova-lite-v1:0", "", `{"messages":[{"role":"robot","content":[{"text":"x"}]}]}`,
			"Malformed input request: #/messages/0/role: robot is not a valid enum value"},
		{"titan no inputText", "amazon.titan-text-express-v1", "", `{"textGenerationConfig":{}}`,
			"Malformed input request: #: required key [inputText] not found, please reformat your input and try again."},
		{"titan embed no inputText", "amazon.titan-embed-text-v2:0", "", `{"dimensions":256}`,
			"Malformed input request: #: required key [inputText] not found, please reformat your input and try again."},
		{"titan embed bad dimensions", "amazon.titan-embed-text-v2:0", "", `{"inputText":"x","dimensions":300}`,
			"Malformed input request: #/dimensions: 300 is not a valid enum value"},
		{"llama no prompt", "meta.llama3-8b-instruct-v1:0", "", `{"max_gen_len":10}`,
			"Malformed input request: #: required key [prompt] not found, please reformat your input and try again."},
		{"mistral no prompt", "mistral.mistral-large-2402-v1:0", "", `{"max_tokens":10}`,
			"Malformed input request: #: required key [prompt] not found, please reformat your input and try again."},
		{"cohere no texts", "cohere.embed-english-v3", "", `{"input_type":"search_query"}`,
			"Malformed input request: #: required key [texts] not found, please reformat your input and try again."},
		{"cohere no input_type", "cohere.embed-english-v3", "", `{"texts":["a"]}`,
			"Malformed input request: #: required key [input_type] not found, please reformat your input and try again."},
		{"cohere too many texts", "cohere.embed-english-v3", "", `{"texts":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 97), ",") + `],"input_type":"search_query"}`,
			"Malformed input request: #/texts: expected maximum item count: 96, found: 97"},
		{"converse no messages", anth, batch.InvocationConverse, `{"inferenceConfig":{"maxTokens":10}}`, "A conversation must start with a user message."},
		{"converse starts with assistant", anth, batch.InvocationConverse, `{"messages":[{"role":"assistant","content":[{"text":"x"}]}]}`, "A conversation must start with a user message."},
		{"converse not alternating", anth, batch.InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"x"}]},{"role":"user","content":[{"text":"y"}]}]}`, "A conversation must alternate between user and assistant roles."},
		{"converse embedding model", "cohere.embed-english-v3", batch.InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"x"}]}]}`,
			"This action doesn't support the model that you provided."},
		{"unknown invocation type", anth, "Batch", `{}`, `unknown model invocation type "Batch"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Invoke(context.Background(), Request{Model: model.ParseID(c.modelID), InvocationType: c.invocation, Body: []byte(c.body)})
			var re *model.RecordError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RecordError", err)
			}
			if re.Code != 400 {
				t.Errorf("code %d, want 400", re.Code)
			}
			if !strings.HasPrefix(re.Message, c.want) {
				t.Errorf("message\n%q\nwant it to start with\n%q", re.Message, c.want)
			}
		})
	}
}

// faultRecords returns n distinct Nova records.
func faultRecords(n int) [][]byte {
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = []byte(fmt.Sprintf(`{"messages":[{"role":"user","content":[{"text":"Summarize review number %d."}]}],"inferenceConfig":{"maxTokens":50}}`, i))
	}
	return recs
}

func TestSimFaultInjection(t *testing.T) {
	recs := faultRecords(10000)
	for _, rate := range []float64{0, 0.05, 0.5, 1} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			s := newTestSim(t, SimOptions{ErrorRate: rate, ErrorCode: 429})
			failed, predicted := 0, 0
			for _, body := range recs {
				_, err := s.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: body})
				if FaultSelected(body, rate) {
					predicted++
				}
				if err == nil {
					continue
				}
				var re *model.RecordError
				if !errors.As(err, &re) || re.Code != 429 || re.Message != "Too many requests, please wait before trying again." {
					t.Fatalf("injected fault is %#v, want RecordError 429 with the throttling message", err)
				}
				failed++
			}
			if failed != predicted {
				t.Errorf("%d records failed, FaultSelected predicts %d", failed, predicted)
			}
			// 10,000 draws: the standard deviation is at most 50, so 4σ is 200.
			if want := rate * 10000; math.Abs(float64(failed)-want) > 200 {
				t.Errorf("%d of 10000 records failed at rate %v, want about %v", failed, rate, want)
			}
			// The same file fails on the same records again.
			again := 0
			for _, body := range recs {
				if _, err := s.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: body}); err != nil {
					again++
				}
			}
			if again != failed {
				t.Errorf("second run: %d failures, first run %d", again, failed)
			}
		})
	}
}

func TestSimFaultSparesInvalidRecords(t *testing.T) {
	s := newTestSim(t, SimOptions{ErrorRate: 1, ErrorCode: 503})
	_, err := s.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{}`)})
	var re *model.RecordError
	if !errors.As(err, &re) || re.Code != 400 {
		t.Errorf("invalid record under full fault injection: %v, want its validation error 400", err)
	}
}

func TestSimLatency(t *testing.T) {
	body := []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)
	req := Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: body}
	t.Run("waits on the clock", func(t *testing.T) {
		clk := clock.NewManual(time.Unix(0, 0))
		s := newTestSim(t, SimOptions{Latency: time.Second, LatencyJitter: time.Second, Clock: clk})
		done := make(chan error, 1)
		go func() {
			_, err := s.Invoke(context.Background(), req)
			done <- err
		}()
		want := s.latency(hashBytes(body))
		if want < time.Second || want > 2*time.Second {
			t.Fatalf("latency %v outside latency + [0, jitter]", want)
		}
		waitForWaiter(t, clk)
		clk.Advance(want - time.Millisecond)
		select {
		case err := <-done:
			t.Fatalf("answered before its latency passed: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		clk.Advance(time.Millisecond)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no answer after the latency passed")
		}
	})
	t.Run("honours ctx", func(t *testing.T) {
		s := newTestSim(t, SimOptions{Latency: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := s.Invoke(ctx, req)
		var re *model.RecordError
		if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &re) {
			t.Errorf("got %v, want the context's deadline error (not a record error)", err)
		}
	})
}

// waitForWaiter gives the goroutine under test time to start waiting on clk.
func waitForWaiter(t *testing.T, clk *clock.Manual) {
	t.Helper()
	for i := 0; i < 200 && clk.Waiters() == 0; i++ {
		time.Sleep(time.Millisecond)
	}
}

func TestNewSimRejectsBadOptions(t *testing.T) {
	for _, o := range []SimOptions{{ErrorRate: -0.1}, {ErrorRate: 1.5}, {ErrorRate: math.NaN()}, {ErrorCode: 200}, {Latency: -time.Second}} {
		if _, err := NewSim(o); err == nil {
			t.Errorf("NewSim(%+v) accepted", o)
		}
	}
}

func BenchmarkSimInvoke(b *testing.B) {
	s := newTestSim(b, SimOptions{})
	for _, c := range loadRequestCases(b) {
		if c.name != "nova-lite" && c.name != "anthropic-messages" && c.name != "titan-embed-v2" && c.name != "converse-claude" {
			continue
		}
		req := c.request()
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Invoke(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestHashStringIsHashBytes holds the two forms of the hash to the same
// value for every length around the word size.
func TestHashStringIsHashBytes(t *testing.T) {
	text := "Extract the product issues mentioned in this review: ü日本"
	for n := 0; n <= len(text); n++ {
		if hashString(text[:n]) != hashBytes([]byte(text[:n])) {
			t.Fatalf("length %d: hashString %x, hashBytes %x", n, hashString(text[:n]), hashBytes([]byte(text[:n])))
		}
	}
	if hashBytes([]byte("a")) == hashBytes([]byte("b")) || hashBytes([]byte("abcdefgh1")) == hashBytes([]byte("abcdefgh2")) {
		t.Fatal("different inputs hash alike")
	}
}
