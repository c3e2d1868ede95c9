package model

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/jsonscan/jsonscantest"
)

var anthropicBodies = []string{
	`{"anthropic_version":"bedrock-2023-05-31","max_tokens":128,"messages":[{"role":"user","content":[{"type":"text","text":"Summarise review 1: fine."}]}]}`,
	`{"anthropic_version":"v","max_tokens":5,"system":"Be brief.","messages":[{"role":"user","content":"a\nb \u00e9"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"other"},{"type":"text","text":"y"}]}],"temperature":0.2,"top_p":1,"stop_sequences":["END",""]}`,
	`{"system":[{"type":"text","text":"s1"},{"type":"text","text":"s2"}],"messages":[{"content":"c","role":"user","extra":{"n":[1,2]}}],"max_tokens":1,"anthropic_version":"v","stop_sequences":[]}`,
	// declined or refused: the general parser decides
	`{"anthropic_version":"v","max_tokens":5,"messages":[]}`,
	`{"anthropic_version":"v","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":5.0,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":"5","messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":null,"max_tokens":5,"messages":[{"role":"user","content":"x"}]}`,
	`{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"system","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"user","content":null}]}`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}]}`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","content":"r"}]}]}`,
	`{"anthropic_version":"v","Max_Tokens":5,"max_tokens":6,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":5,"max_tokens":6,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_\u0074okens":5,"messages":[{"role":"user","content":"x"}]}`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"user","content":"x"}]} junk`,
	`{"anthropic_version":"v","max_tokens":5,"messages":[{"role":"user","content":"x"}],"temperature":1e999}`,
	`{"anthropic_version":"v","max_tokens":99999999999999999999,"messages":[{"role":"user","content":"x"}]}`,
}

// checkFastAnthropic asserts that when the fast path takes a body it reaches
// exactly what the general parser reaches.
func checkFastAnthropic(t *testing.T, body string) bool {
	t.Helper()
	var fast, slow Input
	if !parseAnthropicFast(&fast, []byte(body)) {
		return false
	}
	if err := parseAnthropic(&slow, []byte(body)); err != nil {
		t.Fatalf("%s: the fast path took a body the general parser refuses: %v", body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\nfast    %+v\ngeneral %+v", body, fast, slow)
	}
	return true
}

func TestAnthropicFastPathAgrees(t *testing.T) {
	checkTakesPlain(t, "fast path", anthropicBodies, 3, checkFastAnthropic)
}

func TestAnthropicFastPathMutations(t *testing.T) {
	checkMutants(t, "fast path", rand.New(rand.NewPCG(5, 6)), anthropicBodies[:3], checkFastAnthropic)
}

var novaBodies = []string{
	`{"messages":[{"role":"user","content":[{"text":"What does a lighthouse do?"}]}],"inferenceConfig":{"maxTokens":100,"temperature":0.5}}`,
	`{"system":[{"text":"Be brief."},{}],"messages":[{"role":"user","content":[{"text":"a\u00e9\n"},{"text":""}]},{"role":"assistant","content":[]},{"content":[{"text":"x","cachePoint":{"type":"default"}}],"role":"user","x":1}],"inferenceConfig":{"max_new_tokens":5,"topP":0.9,"stopSequences":["END"]}}`,
	`{"messages":[],"inferenceConfig":{}}`,
	`{"messages":[{"role":"user"}],"schemaVersion":"messages-v1"}`,
	// declined: the general decoder decides
	`{"messages":[{"role":"user","content":[{"image":{"format":"png","source":{"bytes":"AA=="}}}]}]}`,
	`{"messages":[{"role":"user","content":[{"text":null}]}]}`,
	`{"messages":null}`,
	`{"Messages":[{"role":"user","content":[{"text":"x"}]}]}`,
	`{"messages":[{"role":"user","content":[{"text":"x"}]}],"inferenceConfig":{"maxTokens":1.5}}`,
	`{"messages":[{"role":"user","content":[{"text":"x"}]}],"messages":[]}`,
	`{"messages":[{"role":1,"content":[{"text":"x"}]}]}`,
}

// checkFastNova asserts that when the fast decoder takes a body it makes
// exactly what encoding/json makes of it.
func checkFastNova(t *testing.T, body string) bool {
	t.Helper()
	fast, ok := decodeNovaFast([]byte(body))
	if !ok {
		return false
	}
	var slow novaRequest
	if err := json.Unmarshal([]byte(body), &slow); err != nil {
		t.Fatalf("%s: the fast decoder took a body encoding/json refuses: %v", body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\nfast         %#v\nencoding/json %#v", body, fast, slow)
	}
	return true
}

func TestNovaFastDecodeAgrees(t *testing.T) {
	checkTakesPlain(t, "fast decoder", novaBodies, 4, checkFastNova)
}

func TestNovaFastDecodeMutations(t *testing.T) {
	checkMutants(t, "fast decoder", rand.New(rand.NewPCG(7, 8)), novaBodies[:4], checkFastNova)
}

// checkTakesPlain runs check, which reports whether a fast path took a
// body, on every body and asserts that the path took the first plain ones
// and no other.
func checkTakesPlain(t *testing.T, path string, bodies []string, plain int, check func(*testing.T, string) bool) {
	t.Helper()
	taken := 0
	for i, body := range bodies {
		if check(t, body) {
			taken++
		} else if i < plain {
			t.Errorf("the %s declined a plain request: %s", path, body)
		}
	}
	if taken != plain {
		t.Errorf("the %s took %d bodies, want the %d plain ones", path, taken, plain)
	}
}

// checkMutants runs check on 20,000 random edits of the plain bodies and
// asserts that the fast path took at least 1,000 of them: enough that the
// edits it accepts are compared, not only the ones it declines.
func checkMutants(t *testing.T, path string, rng *rand.Rand, plain []string, check func(*testing.T, string) bool) {
	t.Helper()
	taken := 0
	for b := range jsonscantest.Mutants(rng, plain, "{}[],:\"\\ 0123456789-.eEtrunlx_\xff", 20000) {
		if check(t, string(b)) {
			taken++
		}
	}
	if taken < 1000 {
		t.Fatalf("the %s took only %d of the mutated bodies", path, taken)
	}
}
