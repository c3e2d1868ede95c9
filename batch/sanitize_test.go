package batch

import (
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestSanitizeJobName(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"test_job0", "test-job0"},
		{"my-job3", "my-job3"},
		{"a.b+c1", "a.b+c1"},
		{"job name 7", "job-name-7"},
		{strings.Repeat("a", 63), strings.Repeat("a", 63)},
	}
	for _, tt := range tests {
		if got := SanitizeJobName(tt.raw); got != tt.want {
			t.Errorf("SanitizeJobName(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
	// Shortened or prefix-stripped names get a hash suffix.
	for _, raw := range []string{strings.Repeat("a", 64), "_x0", "..", "é1", ""} {
		got := SanitizeJobName(raw)
		if err := ValidJobName(got); err != nil {
			t.Errorf("SanitizeJobName(%q) = %q: %v", raw, got, err)
		}
		if len(got) < hashSuffixLen+1 || got[len(got)-hashSuffixLen-1] != '-' {
			t.Errorf("SanitizeJobName(%q) = %q has no hash suffix", raw, got)
		}
	}
}

func TestSanitizeJobNameMatchesJobName(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := rapid.String().Draw(t, "base")
		index := rapid.IntRange(0, 100000).Draw(t, "index")
		if a, b := JobName(base, index), SanitizeJobName(base+strconv.Itoa(index)); a != b {
			t.Fatalf("JobName(%q, %d) = %q but SanitizeJobName = %q", base, index, a, b)
		}
		raw := rapid.String().Draw(t, "raw")
		if err := ValidJobName(SanitizeJobName(raw)); err != nil {
			t.Fatalf("SanitizeJobName(%q): %v", raw, err)
		}
	})
}
