package batch

import (
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestJobName(t *testing.T) {
	long := strings.Repeat("a", 70)
	tests := []struct {
		base  string
		index int
		want  string
	}{
		{"test_job", 0, "test-job0"},
		{"my-job", 3, "my-job3"},
		{"a.b+c", 1, "a.b+c1"},
		{"_x", 0, "x0-"},
		{long, 0, long[:54] + "-"},
	}
	for _, tt := range tests {
		got := JobName(tt.base, tt.index)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("JobName(%q, %d) = %q, want prefix %q", tt.base, tt.index, got, tt.want)
		}
		if err := ValidJobName(got); err != nil {
			t.Errorf("JobName(%q, %d) = %q: %v", tt.base, tt.index, got, err)
		}
	}
	if a, b := JobName(long, 1), JobName(long, 2); a == b {
		t.Errorf("long names with different indexes collide: %q", a)
	}
}

func TestJobNameProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := rapid.String().Draw(t, "base")
		index := rapid.IntRange(0, 100000).Draw(t, "index")
		got := JobName(base, index)
		if err := ValidJobName(got); err != nil {
			t.Fatalf("JobName(%q, %d) = %q: %v", base, index, got, err)
		}
		if got != JobName(base, index) {
			t.Fatalf("JobName is not deterministic for %q", base)
		}
		if ValidJobName(base+itoa(index)) == nil && got != base+itoa(index) {
			t.Fatalf("valid name %q was changed to %q", base+itoa(index), got)
		}
	})
}

func TestJobNameDistinctWhenShortened(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prefix := rapid.StringMatching(`[a-z]{60,80}`).Draw(t, "prefix")
		i := rapid.IntRange(0, 1000).Draw(t, "i")
		j := rapid.IntRange(0, 1000).Filter(func(j int) bool { return j != i }).Draw(t, "j")
		if JobName(prefix, i) == JobName(prefix, j) {
			t.Fatalf("JobName(%q, %d) and (%d) collide", prefix, i, j)
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
