package model

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

var anthropicBodies = []string{
	`{"anthropic_version":"bedrock-2023-05-31","max_tokens":128,"messages":[{"role":"user","content":[{"type":"text","text":"Summarise review 1: fine."}]}]}`,
	`{"anthropic_version":"v","max_tokens":5,"system":"Be brief.","messages":[{"role":"user","content":"a\nb \u00e9"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"text","text":""},{"type":"other"},{"type":"text","text":"y"}]}],"temperature":0.2,"top_p":1,"stop_sequences":["END",""]}`,
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
	var fast, slow parsedRequest
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
	taken := 0
	for i, body := range anthropicBodies {
		if checkFastAnthropic(t, body) {
			taken++
		} else if i < 3 {
			t.Errorf("the fast path declined a plain request: %s", body)
		}
	}
	if taken != 3 {
		t.Errorf("the fast path took %d bodies, want the 3 plain ones", taken)
	}
}

func TestAnthropicFastPathMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	taken := 0
	alphabet := []byte("{}[],:\"\\ 0123456789-.eEtrunlx_\xff")
	for n := 0; n < 20000; n++ {
		b := []byte(anthropicBodies[rng.IntN(3)])
		for range 1 + rng.IntN(2) {
			i := rng.IntN(len(b))
			switch c := alphabet[rng.IntN(len(alphabet))]; rng.IntN(3) {
			case 0:
				b = append(b[:i], b[i+1:]...)
			case 1:
				b[i] = c
			default:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			}
		}
		if checkFastAnthropic(t, string(b)) {
			taken++
		}
	}
	if taken < 1000 {
		t.Fatalf("the fast path took only %d of the mutated bodies", taken)
	}
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
	taken := 0
	for i, body := range novaBodies {
		if checkFastNova(t, body) {
			taken++
		} else if i < 4 {
			t.Errorf("the fast decoder declined a plain request: %s", body)
		}
	}
	if taken != 4 {
		t.Errorf("the fast decoder took %d bodies, want the 4 plain ones", taken)
	}
}

func TestNovaFastDecodeMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	taken := 0
	alphabet := []byte("{}[],:\"\\ 0123456789-.eEtrunlx_\xff")
	for n := 0; n < 20000; n++ {
		b := []byte(novaBodies[rng.IntN(4)])
		for range 1 + rng.IntN(2) {
			i := rng.IntN(len(b))
			switch c := alphabet[rng.IntN(len(alphabet))]; rng.IntN(3) {
			case 0:
				b = append(b[:i], b[i+1:]...)
			case 1:
				b[i] = c
			default:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			}
		}
		if checkFastNova(t, string(b)) {
			taken++
		}
	}
	if taken < 1000 {
		t.Fatalf("the fast decoder took only %d of the mutated bodies", taken)
	}
}
