package backend

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// Backend names.
const (
	BackendSim     = "sim"
	BackendOpenAI  = "openai"
	BackendBedrock = "bedrock"
)

// Route sends the model ids that match Pattern to the backend named Backend.
type Route struct {
	// Pattern is a path.Match glob over the model id as the job gives it,
	// for example "anthropic.*", "*.amazon.nova-*" or an exact id. It is
	// also tried against the id without its inference-profile prefix, so
	// "anthropic.*" matches "us.anthropic.claude-…" too.
	Pattern string
	// Backend is "sim", "openai" or "bedrock".
	Backend string
}

// Config chooses and configures the backends of a local cloud.
type Config struct {
	// Backend is the backend of model ids no route matches: "sim"
	// (default), "openai" or "bedrock".
	Backend string
	// Routes are tried in order; the first match wins.
	Routes []Route
	// Sim configures the sim backend.
	Sim SimOptions
	// OpenAI configures the openai backend.
	OpenAI OpenAIOptions
	// Bedrock configures the bedrock backend.
	Bedrock BedrockOptions
}

// Registry resolves model ids to backends. Backends are built on first use
// and shared by every job that resolves to them; all are safe for
// concurrent use.
type Registry struct {
	cfg Config

	mu      sync.Mutex
	sim     *Sim
	openai  *OpenAI
	bedrock *Bedrock
}

// New checks cfg and returns a registry. The sim and openai backends are
// built here, so that a wrong setting is reported before any job runs; the
// bedrock backend, which loads AWS credentials, on the first model id that
// needs it.
func New(cfg Config) (*Registry, error) {
	if cfg.Backend == "" {
		cfg.Backend = BackendSim
	}
	used := map[string]bool{cfg.Backend: true}
	if err := checkBackendName(cfg.Backend, "default backend"); err != nil {
		return nil, err
	}
	for i, r := range cfg.Routes {
		if err := checkBackendName(r.Backend, fmt.Sprintf("route %d (%q)", i+1, r.Pattern)); err != nil {
			return nil, err
		}
		if _, err := path.Match(r.Pattern, ""); err != nil || r.Pattern == "" {
			return nil, fmt.Errorf("route %d: pattern %q is not a valid glob such as \"anthropic.*\"", i+1, r.Pattern)
		}
		used[r.Backend] = true
	}
	reg := &Registry{cfg: cfg}
	var err error
	if reg.sim, err = NewSim(cfg.Sim); err != nil {
		return nil, err
	}
	if used[BackendOpenAI] {
		if reg.openai, err = NewOpenAI(cfg.OpenAI); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

func checkBackendName(name, what string) error {
	switch name {
	case BackendSim, BackendOpenAI, BackendBedrock:
		return nil
	}
	return fmt.Errorf("%s: unknown model backend %q: use sim, openai or bedrock", what, name)
}

// BackendName returns the name of the backend that serves the model id.
func (r *Registry) BackendName(id model.ID) string {
	base := id.Base()
	for _, rt := range r.cfg.Routes {
		if ok, _ := path.Match(rt.Pattern, id.String()); ok {
			return rt.Backend
		}
		if ok, _ := path.Match(rt.Pattern, base); ok {
			return rt.Backend
		}
	}
	return r.cfg.Backend
}

// Resolve returns the backend for the model id. It fails, before any record
// runs, for a model id of no supported family (an *UnknownModelError) or
// that does not name its model (an *UnnamedModelError), for an openai
// backend without a server model for it, and when the bedrock backend
// cannot load AWS credentials.
func (r *Registry) Resolve(id model.ID) (Backend, error) {
	if _, err := id.RequireFamily(); err != nil {
		return nil, err
	}
	switch r.BackendName(id) {
	case BackendOpenAI:
		if _, err := r.openai.ServerModel(id); err != nil {
			return nil, err
		}
		return r.openai, nil
	case BackendBedrock:
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.bedrock == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := NewBedrock(ctx, r.cfg.Bedrock)
			if err != nil {
				return nil, err
			}
			r.bedrock = b
		}
		return r.bedrock, nil
	}
	return r.sim, nil
}

// ParseRoutes reads routes written as "pattern=backend" pairs separated by
// commas, for example "anthropic.*=openai,cohere.*=sim".
func ParseRoutes(s string) ([]Route, error) {
	var routes []Route
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		pat, backend, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(pat) == "" {
			return nil, fmt.Errorf("model route %q: write pattern=backend, for example anthropic.*=openai", part)
		}
		backend = strings.TrimSpace(backend)
		if err := checkBackendName(backend, fmt.Sprintf("model route %q", part)); err != nil {
			return nil, err
		}
		routes = append(routes, Route{Pattern: strings.TrimSpace(pat), Backend: backend})
	}
	return routes, nil
}

// ParseModelMap reads a model-name mapping written as "bedrock-id=server-name"
// pairs separated by commas, for example
// "anthropic.claude-3-haiku-20240307-v1:0=llama3.2:3b".
func ParseModelMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, name, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("model mapping %q: write bedrock-model-id=server-model-name", part)
		}
		m[strings.TrimSpace(id)] = strings.TrimSpace(name)
	}
	return m, nil
}

// Environment variables read by ConfigFromEnv.
const (
	EnvBackend          = "BEDROCKBATCH_BACKEND"                  // sim | openai | bedrock
	EnvRoutes           = "BEDROCKBATCH_MODEL_ROUTES"             // pattern=backend,…
	EnvSimErrorRate     = "BEDROCKBATCH_SIM_ERROR_RATE"           // 0 to 1
	EnvSimErrorCode     = "BEDROCKBATCH_SIM_ERROR_CODE"           // 400 to 599
	EnvSimPermanentRate = "BEDROCKBATCH_SIM_PERMANENT_ERROR_RATE" // 0 to 1
	EnvSimLatency       = "BEDROCKBATCH_SIM_LATENCY"              // Go duration, e.g. 50ms
	EnvSimJitter        = "BEDROCKBATCH_SIM_JITTER"               // Go duration
	EnvOpenAIURL        = "BEDROCKBATCH_OPENAI_URL"               // e.g. http://127.0.0.1:11434/v1
	EnvOpenAIKey        = "BEDROCKBATCH_OPENAI_API_KEY"           // falls back to OPENAI_API_KEY
	EnvOpenAIModel      = "BEDROCKBATCH_OPENAI_MODEL"             // default server model
	EnvOpenAIEmbedModel = "BEDROCKBATCH_OPENAI_EMBED_MODEL"
	EnvOpenAIModels     = "BEDROCKBATCH_OPENAI_MODELS"      // bedrock-id=server-name,…
	EnvOpenAITimeout    = "BEDROCKBATCH_OPENAI_TIMEOUT"     // Go duration
	EnvOpenAIConc       = "BEDROCKBATCH_OPENAI_CONCURRENCY" // integer
	EnvBedrockRegion    = "BEDROCKBATCH_BEDROCK_REGION"
	EnvBedrockProfile   = "BEDROCKBATCH_BEDROCK_PROFILE"
)

// ConfigFromEnv reads a Config from environment variables (the Env…
// constants) through getenv, usually os.Getenv. Unset variables keep the
// defaults; a malformed value is an error naming the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var err error
	c.Backend = getenv(EnvBackend)
	if v := getenv(EnvRoutes); v != "" {
		if c.Routes, err = ParseRoutes(v); err != nil {
			return c, fmt.Errorf("%s: %w", EnvRoutes, err)
		}
	}
	if v := getenv(EnvSimErrorRate); v != "" {
		if c.Sim.ErrorRate, err = strconv.ParseFloat(v, 64); err != nil {
			return c, fmt.Errorf("%s=%q: give a share from 0 to 1, such as 0.05", EnvSimErrorRate, v)
		}
	}
	if v := getenv(EnvSimPermanentRate); v != "" {
		if c.Sim.PermanentErrorRate, err = strconv.ParseFloat(v, 64); err != nil {
			return c, fmt.Errorf("%s=%q: give a share from 0 to 1, such as 0.01", EnvSimPermanentRate, v)
		}
	}
	if v := getenv(EnvSimErrorCode); v != "" {
		if c.Sim.ErrorCode, err = strconv.Atoi(v); err != nil {
			return c, fmt.Errorf("%s=%q: give an HTTP status such as 500", EnvSimErrorCode, v)
		}
	}
	durations := []struct {
		env string
		dst *time.Duration
	}{{EnvSimLatency, &c.Sim.Latency}, {EnvSimJitter, &c.Sim.LatencyJitter}, {EnvOpenAITimeout, &c.OpenAI.Timeout}}
	for _, d := range durations {
		if v := getenv(d.env); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil {
				return c, fmt.Errorf("%s=%q: give a duration such as 250ms or 2m", d.env, v)
			}
		}
	}
	c.OpenAI.BaseURL = getenv(EnvOpenAIURL)
	c.OpenAI.APIKey = getenv(EnvOpenAIKey)
	if c.OpenAI.APIKey == "" {
		c.OpenAI.APIKey = getenv("OPENAI_API_KEY")
	}
	c.OpenAI.Model = getenv(EnvOpenAIModel)
	c.OpenAI.EmbeddingModel = getenv(EnvOpenAIEmbedModel)
	if v := getenv(EnvOpenAIModels); v != "" {
		if c.OpenAI.Models, err = ParseModelMap(v); err != nil {
			return c, fmt.Errorf("%s: %w", EnvOpenAIModels, err)
		}
	}
	if v := getenv(EnvOpenAIConc); v != "" {
		if c.OpenAI.Concurrency, err = strconv.Atoi(v); err != nil || c.OpenAI.Concurrency < 1 {
			return c, fmt.Errorf("%s=%q: give a positive number of concurrent requests", EnvOpenAIConc, v)
		}
	}
	c.Bedrock.Region = getenv(EnvBedrockRegion)
	c.Bedrock.Profile = getenv(EnvBedrockProfile)
	return c, nil
}
