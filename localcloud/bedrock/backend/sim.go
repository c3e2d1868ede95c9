package backend

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// SimOptions configures the sim backend. The zero value is a fault-free,
// instant simulator.
type SimOptions struct {
	// ErrorRate is the share of calls, 0 to 1, that fail with ErrorCode:
	// transient faults, like the throttling, model timeouts and internal
	// errors a batch job writes as error lines. Which calls fail is decided
	// by TransientFault from the modelInput and the attempt, so the same
	// file fails on the same records every run, and a record that failed
	// fails again on a retry only at the same rate. Default 0: no call
	// fails. Records the family would reject fail with 400 whatever the
	// rate; the rate applies to the others.
	ErrorRate float64
	// ErrorCode is the code of transient faults, 400 to 599. Default 500;
	// Bedrock writes 429 for throttling, 408 for a model timeout and 500
	// or 503 for the service's own errors.
	ErrorCode int
	// PermanentErrorRate is the share of records, 0 to 1, that fail with
	// a 400 validation error on every attempt, chosen by PermanentFault
	// from the modelInput alone: the errors no retry can fix. Default 0.
	PermanentErrorRate float64
	// ErrorMessage is the message of injected failures. Default: the
	// service's message for the code (for example the ThrottlingException
	// text for 429).
	ErrorMessage string
	// Latency is waited before every answer. Default 0.
	Latency time.Duration
	// LatencyJitter adds up to this much more, chosen from the record's
	// modelInput so that a run is reproducible. Default 0.
	LatencyJitter time.Duration
	// Clock measures the latency; a scaled clock shortens it along with the
	// rest of a compressed demo. Default: the wall clock.
	Clock clock.Clock
}

// Sim is the simulating backend: deterministic answers shaped exactly like
// each family's real response.
//
// The answer to a request is a function of the request's bytes: a sentence
// that quotes the first words of the last user message followed by 6 to 25
// words chosen by a hash of the modelInput, cut at the request's token limit
// (stop reason "max_tokens", "LENGTH" or "length" as the family words it).
// Token counts come from CountTokens. Embeddings are unit vectors derived
// from a hash of each text (1,024 dimensions unless the request asks for
// fewer).
type Sim struct {
	opts    SimOptions
	errCode int
	errMsg  string
}

// NewSim returns a sim backend, or an error naming the option that is out of
// range.
func NewSim(opts SimOptions) (*Sim, error) {
	if opts.ErrorRate < 0 || opts.ErrorRate > 1 || math.IsNaN(opts.ErrorRate) {
		return nil, fmt.Errorf("sim error rate %v is out of range: give a share from 0 to 1 (0.05 fails 5%% of the records)", opts.ErrorRate)
	}
	if r := opts.PermanentErrorRate; r < 0 || r > 1 || math.IsNaN(r) {
		return nil, fmt.Errorf("sim permanent error rate %v is out of range: give a share from 0 to 1 (0.01 fails 1%% of the records on every attempt)", r)
	}
	if opts.Latency < 0 || opts.LatencyJitter < 0 {
		return nil, fmt.Errorf("sim latency %v and jitter %v must not be negative", opts.Latency, opts.LatencyJitter)
	}
	s := &Sim{opts: opts, errCode: opts.ErrorCode, errMsg: opts.ErrorMessage}
	if s.errCode == 0 {
		s.errCode = 500
	}
	if s.errCode < 400 || s.errCode > 599 {
		return nil, fmt.Errorf("sim error code %d is out of range: use an HTTP error status from 400 to 599", s.errCode)
	}
	if s.errMsg == "" {
		s.errMsg = serviceMessage(s.errCode)
	}
	return s, nil
}

// serviceMessage is the Bedrock runtime's message for an error status.
func serviceMessage(code int) string {
	switch code {
	case 400:
		return "The model rejected the request. Check the request and try again."
	case 403:
		return "You don't have access to the model with the specified model ID."
	case 404:
		return "The requested resource could not be found."
	case 408:
		return "Model has timed out in processing the request. Try your request again."
	case 424:
		return "The request failed due to an error while processing the model."
	case 429:
		return "Too many requests, please wait before trying again."
	case 503:
		return "The service is temporarily unable to handle the request. Try again later."
	}
	return "The system encountered an unexpected error during processing. Try your request again."
}

// permanentMessage is the message of injected permanent faults, in the
// words of a validation error so that no reader takes it for transient.
const permanentMessage = "The model rejected the request (a permanent fault the sim injects: retrying does not help)."

// Invoke answers one record. It returns a *RecordError (400) for a model id
// of no supported family, for a request the family would reject and for an
// injected permanent fault, a *RecordError with the configured code for an
// injected transient fault, and ctx's error if ctx ends during the
// configured latency.
func (s *Sim) Invoke(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	family, err := req.Model.RequireFamily()
	if err != nil {
		return Response{}, &model.RecordError{Code: 400, Message: err.Error()}
	}
	h := hashBytes(req.Body)
	if err := s.wait(ctx, h); err != nil {
		return Response{}, err
	}
	p, rerr := model.CheckModelInput(req.Model, req.InvocationType, req.Body)
	if rerr != nil {
		return Response{}, rerr
	}
	if faultSelected(permanentHash(h), s.opts.PermanentErrorRate) {
		return Response{}, &model.RecordError{Code: 400, Message: permanentMessage}
	}
	if faultSelected(attemptHash(h, req.Attempt), s.opts.ErrorRate) {
		return Response{}, &model.RecordError{Code: s.errCode, Message: s.errMsg}
	}
	if family.Embedding() {
		e := model.Embedding{ID: uuidFromHash(h), InputTokens: p.InputTokens}
		for _, t := range p.Embed.Texts {
			e.Vectors = append(e.Vectors, simVector(t, p.Embed.Dims, p.Embed.Normalize || family == model.FamilyCohereEmbed))
		}
		return Response{Body: p.EmbeddingBody(&e), InputTokens: p.InputTokens}, nil
	}
	g := simGenerate(h, &p.Chat)
	if family == model.FamilyAnthropic {
		g.ID = anthropicID(h)
	}
	g.InputTokens = p.InputTokens
	g.LatencyMs = s.latency(h).Milliseconds()
	return Response{Body: p.GenerationBody(req.Model, &g), InputTokens: g.InputTokens, OutputTokens: g.OutputTokens}, nil
}

func (s *Sim) latency(h uint64) time.Duration {
	d := s.opts.Latency
	if j := s.opts.LatencyJitter; j > 0 {
		d += time.Duration(mix64(h^0x6a09e667f3bcc909) % uint64(j+1))
	}
	return d
}

func (s *Sim) wait(ctx context.Context, h uint64) error {
	d := s.latency(h)
	if d <= 0 {
		return nil
	}
	var done <-chan time.Time
	if s.opts.Clock != nil {
		done = s.opts.Clock.After(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		done = t.C
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// simWords are the words simulated answers are made of.
var simWords = [...]string{
	"the", "record", "shows", "a", "clear", "pattern", "of", "steady", "growth",
	"customers", "mention", "quality", "price", "and", "delivery", "time",
	"overall", "sentiment", "is", "positive", "with", "minor", "concerns",
	"about", "packaging", "support", "responded", "quickly", "product",
	"works", "as", "described", "battery", "life", "could", "be", "better",
	"setup", "was", "simple", "results", "suggest", "further", "review",
	"main", "issue", "seems", "to", "durability", "value", "for", "money",
	"reported", "by", "several", "users", "in", "this", "summary", "key",
	"points", "include", "service", "expectations",
}

// simGenerate writes the simulated answer to g, cut at its limits.
func simGenerate(h uint64, g *model.ChatRequest) model.Generation {
	r := mix64(h ^ 0xbb67ae8584caa73b)
	n := 6 + int(r%20)
	var sb strings.Builder
	sb.Grow(96 + n*9)
	sb.WriteString("Simulated answer to \"")
	writeFirstWords(&sb, g.LastUserText(), 6)
	sb.WriteString("\":")
	for i := 0; i < n; i++ {
		r = mix64(r + 0x9e3779b97f4a7c15)
		sb.WriteByte(' ')
		sb.WriteString(simWords[r%uint64(len(simWords))])
	}
	sb.WriteByte('.')
	text := sb.String()
	out := model.Generation{Stop: model.StopEnd}
	for _, seq := range g.Stop {
		if seq == "" {
			continue
		}
		if i := strings.Index(text, seq); i >= 0 {
			text, out.Stop, out.StopSeq = text[:i], model.StopSequence, seq
		}
	}
	// The text's only white space is single spaces, where truncateTokens
	// and CountTokens agree: a text within the limit needs no cutting.
	out.OutputTokens = model.CountTokens(text)
	if out.OutputTokens > g.MaxTokens {
		text, _ = model.TruncateTokens(text, g.MaxTokens)
		out.Stop, out.StopSeq = model.StopLength, ""
		out.OutputTokens = model.CountTokens(text)
	}
	out.Text = text
	return out
}

// writeFirstWords writes the first n words of s, separated by single
// spaces: the words of the part of s before its nth space, tab or line
// break, split at any white space.
func writeFirstWords(sb *strings.Builder, s string, n int) {
	s = strings.TrimSpace(s)
	end, words, inWord := len(s), 0, false
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		if space && inWord {
			words++
			if words == n {
				end = i
				break
			}
		}
		inWord = !space
	}
	first := true
	for w := range strings.FieldsSeq(s[:end]) {
		if !first {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
		first = false
	}
}

// simVector derives a deterministic vector from text.
func simVector(text string, dims int, normalize bool) []float32 {
	v := make([]float32, dims)
	z := hashString(text)
	var sum float64
	for i := range v {
		z += 0x9e3779b97f4a7c15
		x := float64(mix64(z)>>11)/(1<<53)*2 - 1
		v[i] = float32(x)
		sum += x * x
	}
	if normalize && sum > 0 {
		k := 1 / math.Sqrt(sum)
		for i := range v {
			v[i] = float32(float64(v[i]) * k)
		}
	}
	return v
}

const (
	base62    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	hexDigits = "0123456789abcdef"
)

// anthropicID returns a message id in the form Bedrock gives Claude's
// messages ("msg_bdrk_01…", 24 characters after the prefix).
func anthropicID(h uint64) string {
	b := make([]byte, 0, 33)
	b = append(b, "msg_bdrk_01"...)
	z := h
	for i := 0; i < 22; i++ {
		z = mix64(z + 0x9e3779b97f4a7c15)
		b = append(b, base62[z%62])
	}
	return string(b)
}

// uuidFromHash formats a version-4-looking UUID from h.
func uuidFromHash(h uint64) string {
	a, c := mix64(h^0x3c6ef372fe94f82b), mix64(h^0xa54ff53a5f1d36f1)
	b := make([]byte, 0, 36)
	hex := func(x uint64, n int) {
		for i := n - 1; i >= 0; i-- {
			b = append(b, hexDigits[(x>>(4*uint(i)))&0xf])
		}
	}
	hex(a>>32, 8)
	b = append(b, '-')
	hex(a>>16, 4)
	b = append(b, '-', '4')
	hex(a, 3)
	b = append(b, '-', hexDigits[8|(c>>60)&3])
	hex(c>>48, 3)
	b = append(b, '-')
	hex(c, 12)
	return string(b)
}
