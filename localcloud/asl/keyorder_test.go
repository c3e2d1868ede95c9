package asl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"
	"strconv"
	"testing"
)

// runText runs a definition on an input and returns the output's text.
func runText(t *testing.T, def, input string) string {
	t.Helper()
	e := NewEngine(Options{SkipWaits: true})
	defer e.Close()
	sm, err := e.NewStateMachine("order", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e.Start(StartInput{StateMachine: sm, Input: json.RawMessage(input)})
	if err != nil {
		t.Fatal(err)
	}
	info := mustWait(t, e, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("%s: %s %s", info.Status, info.Error, info.Cause)
	}
	return string(info.Output)
}

// pass wraps one Pass state's fields in a definition.
func pass(fields string) string {
	return `{"StartAt":"P","States":{"P":{"Type":"Pass",` + fields + `,"End":true}}}`
}

func TestOutputKeepsKeyOrder(t *testing.T) {
	const input = `{"zeta":1,"alpha":{"yak":[{"m":1,"b":2}],"bee":"x"},"mid":null}`
	cases := []struct {
		name, def, input, want string
	}{
		{"input passes through", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, input, input},
		{"JsonToString of the input", pass(`"Parameters":{"s.$":"States.JsonToString($)"}`), input,
			`{"s":` + strconv.Quote(input) + `}`},
		{"Parameters follow the template", pass(`"Parameters":{"z":1,"got.$":"$.alpha","a":{"y.$":"$.zeta","b":true}}`), input,
			`{"z":1,"got":{"yak":[{"m":1,"b":2}],"bee":"x"},"a":{"y":1,"b":true}}`},
		{"JsonToString of a Parameters-built object", `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Parameters":{"z":1,"got.$":"$.alpha","a":2},"Next":"B"},
			"B":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}}}`, input,
			`{"s":` + strconv.Quote(`{"z":1,"got":{"yak":[{"m":1,"b":2}],"bee":"x"},"a":2}`) + `}`},
		{"Format with an object", pass(`"Parameters":{"s.$":"States.Format('v={}', $.alpha)"}`), input,
			`{"s":"v={yak=[{m=1, b=2}], bee=x}"}`},
		{"ResultPath appends a new key", pass(`"Result":{"q":1,"c":2},"ResultPath":"$.alpha.new"`), input,
			`{"zeta":1,"alpha":{"yak":[{"m":1,"b":2}],"bee":"x","new":{"q":1,"c":2}},"mid":null}`},
		{"ResultPath keeps an existing key in place", pass(`"Result":7,"ResultPath":"$.alpha.yak"`), input,
			`{"zeta":1,"alpha":{"yak":7,"bee":"x"},"mid":null}`},
		{"JsonMerge keeps the first object's keys first", pass(`"Parameters":{"m.$":"States.JsonMerge($.a, $.b, false)"}`),
			`{"a":{"z":1,"c":2},"b":{"y":3,"c":4,"a":5}}`, `{"m":{"z":1,"c":4,"y":3,"a":5}}`},
		{"JSONata Output follows the template", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":{"z":"{% $states.input.zeta %}","in":"{% $states.input.alpha %}","a":1},"End":true}}}`, input,
			`{"z":1,"in":{"yak":[{"m":1,"b":2}],"bee":"x"},"a":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := runText(t, c.def, c.input); got != c.want {
				t.Errorf("output\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestHashOfObjectTextUsesKeyOrder(t *testing.T) {
	const obj = `{"zeta":1,"alpha":2}`
	got := runText(t, pass(`"Parameters":{"h.$":"States.Hash(States.JsonToString($.o), 'SHA-256')"}`), `{"o":`+obj+`}`)
	sum := sha256.Sum256([]byte(obj))
	if want := `{"h":"` + hex.EncodeToString(sum[:]) + `"}`; got != want {
		t.Errorf("output %s, want %s (the hash of %s)", got, want, obj)
	}
}

func TestEqualityIgnoresKeyOrder(t *testing.T) {
	got := runText(t, pass(`"Parameters":{"u.$":"States.ArrayUnique($.a)","c.$":"States.ArrayContains($.a, $.b)"}`),
		`{"a":[{"x":1,"y":2},{"y":2,"x":1}],"b":{"y":2,"x":1}}`)
	if want := `{"u":[{"x":1,"y":2}],"c":true}`; got != want {
		t.Errorf("output %s, want %s", got, want)
	}
}

func TestKeyOrderFallsBackToSorted(t *testing.T) {
	v, err := decodeValue([]byte(`{"b":1,"a":2,"c":{"z":1,"y":2}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(encodeValue(v)), `{"b":1,"a":2,"c":{"z":1,"y":2}}`; got != want {
		t.Fatalf("decoded %s, want %s", got, want)
	}
	m := v.(map[string]any)
	m["d"] = 3 // the recorded keys no longer match: sorted, nothing lost
	if got, want := string(encodeValue(v)), `{"a":2,"b":1,"c":{"z":1,"y":2},"d":3}`; got != want {
		t.Errorf("after adding a key %s, want %s", got, want)
	}
	delete(m, "d")
	delete(m, "a")
	m["x"] = 4 // same count, different keys
	if got, want := string(encodeValue(v)), `{"b":1,"c":{"z":1,"y":2},"x":4}`; got != want {
		t.Errorf("after replacing a key %s, want %s", got, want)
	}
	// An order naming a key the object lacks, or missing one, is not kept.
	o := map[string]any{"b": 1, "a": 2}
	setKeyOrder(o, []string{"b", "b"})
	setKeyOrder(o, []string{"b", "c"})
	if got := string(encodeValue(o)); got != `{"a":2,"b":1}` {
		t.Errorf("bad orders recorded: %s", got)
	}
	setKeyOrder(o, []string{"b", "b", "a"})
	if got := string(encodeValue(o)); got != `{"b":1,"a":2}` {
		t.Errorf("an order with a repeat: %s", got)
	}
}

func TestDecodeKeyOrderWithRepeatedKeys(t *testing.T) {
	v, err := decodeValue([]byte(`{"b":{"q":1,"p":2},"a":[{"n":1,"m":2},3],"b":{"y":1,"x":2}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(encodeValue(v)), `{"b":{"y":1,"x":2},"a":[{"n":1,"m":2},3]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	v := []any{nil, map[string]any(nil), []any(nil), "<&>\u2028", json.Number("1.50"), 2.5, true, map[string]any{"<k>": []any{}}}
	if got, want := string(encodeValue(v)), string(encodeSorted(v)); got != want {
		t.Errorf("encodeValue %s, encoding/json %s", got, want)
	}
}

func TestKeyOrdersOfCollectedObjectsAreDropped(t *testing.T) {
	const n = 4000
	for i := range n {
		m := map[string]any{"b" + strconv.Itoa(i): 1, "a": 2}
		setKeyOrder(m, []string{"b" + strconv.Itoa(i), "a"})
	}
	runtime.GC()
	keyOrders.Lock()
	sweepKeyOrders()
	left := len(keyOrders.m)
	keyOrders.Unlock()
	if left >= n {
		t.Errorf("%d entries left after the objects were collected", left)
	}
}
