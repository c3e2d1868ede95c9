package backend

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/model"
)

func TestRegistryRoutes(t *testing.T) {
	reg, err := New(Config{
		Routes: []Route{{Pattern: "anthropic.*", Backend: BackendOpenAI}, {Pattern: "cohere.embed-english-v3", Backend: BackendSim}},
		OpenAI: OpenAIOptions{BaseURL: "http://127.0.0.1:1/v1", Model: "llama3.2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":    BackendOpenAI,
		"us.anthropic.claude-3-haiku-20240307-v1:0": BackendOpenAI, // matched without the profile prefix
		"amazon.nova-lite-v1:0":                     BackendSim,    // default
		"cohere.embed-english-v3":                   BackendSim,
	}
	for id, want := range cases {
		if got := reg.BackendName(model.ParseID(id)); got != want {
			t.Errorf("BackendName(%q) = %q, want %q", id, got, want)
		}
		b, err := reg.Resolve(model.ParseID(id))
		if err != nil {
			t.Fatalf("Resolve(%q): %v", id, err)
		}
		switch want {
		case BackendOpenAI:
			if _, ok := b.(*OpenAI); !ok {
				t.Errorf("Resolve(%q) = %T, want *OpenAI", id, b)
			}
		case BackendSim:
			if _, ok := b.(*Sim); !ok {
				t.Errorf("Resolve(%q) = %T, want *Sim", id, b)
			}
		}
	}
	a, _ := reg.Resolve(model.ParseID("amazon.nova-lite-v1:0"))
	b, _ := reg.Resolve(model.ParseID("meta.llama3-8b-instruct-v1:0"))
	if a != b {
		t.Error("two model ids on the same backend got two instances")
	}
}

func TestRegistryDefaultsToSim(t *testing.T) {
	reg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := reg.Resolve(model.ParseID("amazon.nova-lite-v1:0"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.Invoke(context.Background(), Request{Model: model.ParseID("amazon.nova-lite-v1:0"), Body: []byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`)})
	if err != nil || resp.OutputTokens == 0 {
		t.Errorf("default backend answered %v, %v", resp, err)
	}
}

func TestResolveFailsEarly(t *testing.T) {
	reg, err := New(Config{Backend: BackendOpenAI, OpenAI: OpenAIOptions{BaseURL: "http://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.Resolve(model.ParseID("ai21.jamba-1-5-mini-v1:0"))
	var ue *model.UnknownModelError
	if !errors.As(err, &ue) {
		t.Errorf("unknown family: %v, want *UnknownModelError", err)
	}
	if _, err := reg.Resolve(model.ParseID("amazon.nova-lite-v1:0")); err == nil || !strings.Contains(err.Error(), "no server model") {
		t.Errorf("openai without a server model: %v, want an error at resolution", err)
	}
}

func TestRegistryBedrockWithoutRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_PROFILE", "")
	reg, err := New(Config{Backend: BackendBedrock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Resolve(model.ParseID("amazon.nova-lite-v1:0")); err == nil || !strings.Contains(err.Error(), "no AWS Region") {
		t.Errorf("got %v, want an error saying the Region is missing", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := map[string]Config{
		"unknown default":  {Backend: "gpt"},
		"unknown in route": {Routes: []Route{{Pattern: "a*", Backend: "ollama"}}},
		"bad pattern":      {Routes: []Route{{Pattern: "[", Backend: BackendSim}}},
		"empty pattern":    {Routes: []Route{{Pattern: "", Backend: BackendSim}}},
		"sim rate":         {Sim: SimOptions{ErrorRate: 2}},
		"openai no url":    {Backend: BackendOpenAI},
	}
	for name, cfg := range cases {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestParseRoutesAndModelMap(t *testing.T) {
	routes, err := ParseRoutes(" anthropic.*=openai, cohere.*=sim ,")
	if err != nil || len(routes) != 2 || routes[0] != (Route{"anthropic.*", "openai"}) || routes[1] != (Route{"cohere.*", "sim"}) {
		t.Errorf("ParseRoutes: %v, %v", routes, err)
	}
	for _, bad := range []string{"anthropic.*", "=sim", "a=b"} {
		if _, err := ParseRoutes(bad); err == nil {
			t.Errorf("ParseRoutes(%q) accepted", bad)
		}
	}
	m, err := ParseModelMap("anthropic.claude-3-haiku-20240307-v1:0=llama3.2:3b,amazon.nova-lite-v1:0=qwen2.5")
	if err != nil || m["anthropic.claude-3-haiku-20240307-v1:0"] != "llama3.2:3b" || m["amazon.nova-lite-v1:0"] != "qwen2.5" {
		t.Errorf("ParseModelMap: %v, %v", m, err)
	}
	if _, err := ParseModelMap("nomapping"); err == nil {
		t.Error("ParseModelMap accepted an entry without =")
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvBackend:       "openai",
		EnvRoutes:        "cohere.*=sim",
		EnvSimErrorRate:  "0.05",
		EnvSimErrorCode:  "429",
		EnvSimLatency:    "20ms",
		EnvOpenAIURL:     "http://127.0.0.1:11434/v1",
		EnvOpenAIModel:   "llama3.2",
		EnvOpenAIModels:  "amazon.nova-lite-v1:0=qwen2.5",
		EnvOpenAITimeout: "30s",
		EnvOpenAIConc:    "8",
		"OPENAI_API_KEY": "k",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend != "openai" || len(c.Routes) != 1 || c.Sim.ErrorRate != 0.05 || c.Sim.ErrorCode != 429 || c.Sim.Latency != 20*time.Millisecond ||
		c.OpenAI.BaseURL != env[EnvOpenAIURL] || c.OpenAI.Model != "llama3.2" || c.OpenAI.Models["amazon.nova-lite-v1:0"] != "qwen2.5" ||
		c.OpenAI.Timeout != 30*time.Second || c.OpenAI.Concurrency != 8 || c.OpenAI.APIKey != "k" {
		t.Errorf("config %+v", c)
	}
	if _, err := New(c); err != nil {
		t.Errorf("New(config from env): %v", err)
	}
	for k, v := range map[string]string{EnvSimErrorRate: "five", EnvSimLatency: "5", EnvOpenAIConc: "0", EnvRoutes: "x"} {
		_, err := ConfigFromEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: %v, want an error naming the variable", k, v, err)
		}
	}
}
