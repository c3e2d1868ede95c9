package batch

import (
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"toolong", 5, "tool…"},
		{"héllo wörld", 6, "héllo…"},
		{"abc", 1, "a"},
		{"abc", 0, ""},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := Truncate(tt.s, tt.max); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
	long := strings.Repeat("x", 40000)
	if got := Truncate(long, MaxTaskCauseChars); utf8.RuneCountInString(got) != MaxTaskCauseChars {
		t.Errorf("a 40,000-character cause cut to %d characters, want %d", utf8.RuneCountInString(got), MaxTaskCauseChars)
	}
}

func TestTruncateProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		max := rapid.IntRange(0, 64).Draw(t, "max")
		got := Truncate(s, max)
		n := utf8.RuneCountInString(s)
		switch {
		case n <= max && got != s:
			t.Fatalf("Truncate(%q, %d) changed a string that fits: %q", s, max, got)
		case n > max && utf8.RuneCountInString(got) != max:
			t.Fatalf("Truncate(%q, %d) = %q, %d characters", s, max, got, utf8.RuneCountInString(got))
		case !utf8.ValidString(got) && utf8.ValidString(s):
			t.Fatalf("Truncate(%q, %d) = %q is not valid UTF-8", s, max, got)
		case n > max && max > 1 && !strings.HasSuffix(got, "…"):
			t.Fatalf("Truncate(%q, %d) = %q has no cut mark", s, max, got)
		}
	})
}
