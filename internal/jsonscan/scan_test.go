package jsonscan

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// corpus mixes valid documents with near misses of every grammar rule.
var corpus = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`,
	` {"a" : [1, 2, {"b": null}], "c": "d\n\u00e9\ud83d\ude00"} `,
	`{"recordId":"r1","modelInput":{"messages":[{"role":"user","content":"hi"}]}}`,
	"\t[\r\n1\n]\n", `"\/\\\"\b\f\n\r\t"`, `"é€😀"`, "\"\xff\xfe\"",
	// invalid
	``, ` `, `{`, `}`, `[1,]`, `[,1]`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{1:2}`,
	`[1 2]`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `tru`, `truex`, `nul`, `NaN`,
	`"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", "\"tab\there\"", `{"a":1}}`, `[1]]`,
	`[1}`, `{"a":1]`, `{} {}`, `1 2`, `'a'`, "\v1", `[[[[`, `"\`, `{"a`, `{"a"`, `{"a":`,
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, s := range corpus {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", s, got, want)
		}
	}
}

// TestValidMutations compares Valid with encoding/json on many random edits
// of valid documents: every byte deleted, replaced or inserted at random.
func TestValidMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("{}[],:\"\\ \t\n0123456789-+.eEtrufalsn\x01\xffabu/")
	var valid []string
	for _, s := range corpus {
		if json.Valid([]byte(s)) {
			valid = append(valid, s)
		}
	}
	for n := 0; n < 20000; n++ {
		b := []byte(valid[rng.IntN(len(valid))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(b) + 1)
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0:
				if i < len(b) {
					b = append(b[:i], b[i+1:]...)
				}
			case 1:
				if i < len(b) {
					b[i] = c
				}
			default:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			}
		}
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	}
}

func TestValidDepth(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		doc := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		if got, want := Valid(doc), json.Valid(doc); got != want {
			t.Errorf("depth %d: Valid = %v, encoding/json says %v", n, got, want)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range corpus {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	texts := []string{
		``, `plain`, `é€😀`, `a\nb\tc\\d\"e\/f\bg\fh\ri`, `\u00e9\u20AC`, `\ud83d\ude00`,
		`\ud83d`, `\ud83dx`, `\ude00\ud83d`, `\ud83d\u0041`, `\ud83d\ud83d\ude00`, "bad\xff\xfebytes",
		"\xe2\x82", `\u0000`, `mixed \u00e9 and é`,
	}
	for _, s := range texts {
		var want string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := Unquote([]byte(s), strings.Contains(s, `\`)); got != want {
			t.Errorf("Unquote(%q) = %q, want %q", s, got, want)
		}
	}
}
