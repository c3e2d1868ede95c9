package model

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestCountTokens(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \n\t", 0},
		{"Hello", 1},
		{"Hello, world!", 4},
		{"don't", 3},
		{"a1b2 c3", 2},
		{"3.14", 3},
		{"naïve café", 2},
		{"日本語 テキスト", 2},
		{"😀😀", 2},
		{"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", 6},
		{"<|not a marker|>", 7},
		{"a < b", 3},
		{"<||>", 4},
	}
	for _, c := range cases {
		if got := CountTokens(c.in); got != c.want {
			t.Errorf("CountTokens(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestTruncateTokens(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"Hello, world!", 0, "", true},
		{"Hello, world!", 2, "Hello,", true},
		{"Hello, world!", 3, "Hello, world", true},
		{"Hello, world!", 4, "Hello, world!", false},
		{"Hello, world!", 9, "Hello, world!", false},
		{"a <|eot_id|> b", 2, "a <|eot_id|>", true},
	}
	for _, c := range cases {
		got, cut := TruncateTokens(c.in, c.max)
		if got != c.want || cut != c.cut {
			t.Errorf("truncateTokens(%q, %d) = %q, %v; want %q, %v", c.in, c.max, got, cut, c.want, c.cut)
		}
	}
}

// TestTruncateTokensProperty: the cut text is a prefix with exactly
// min(max, CountTokens(s)) tokens.
func TestTruncateTokensProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringOf(rapid.SampledFrom([]rune("ab1 ,.!\n<|>_é日😀"))).Draw(t, "s")
		max := rapid.IntRange(0, 30).Draw(t, "max")
		got, cut := TruncateTokens(s, max)
		if !strings.HasPrefix(s, got) {
			t.Fatalf("%q is not a prefix of %q", got, s)
		}
		total := CountTokens(s)
		if want := min(max, total); CountTokens(got) != want {
			t.Fatalf("truncateTokens(%q, %d) = %q with %d tokens, want %d", s, max, got, CountTokens(got), want)
		}
		if cut != (total > max) {
			t.Fatalf("cut = %v with %d tokens and limit %d", cut, total, max)
		}
	})
}
