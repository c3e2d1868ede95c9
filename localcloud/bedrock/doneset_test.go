package bedrock

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestDoneSetMatchesAMap adds record indexes in the order workers finish
// them (records handed out in file order, finishing in any order within a
// window) and checks the set against a plain map, its text form, and that
// it folds every complete prefix into low, so it never holds more ranges
// than a window allows however many records are in it.
func TestDoneSetMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, window = 20000, 8 * 64
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for start := 0; start < n; start += window {
		w := order[start:min(start+window, n)]
		rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
	}
	var d doneSet
	want := map[int]bool{}
	for step, i := range order {
		d.add(i)
		d.add(i) // adding twice changes nothing
		want[i] = true
		if (step+1)%window == 0 && (d.low != step+1 || len(d.above) != 0) {
			t.Fatalf("after %d records in windows of %d: low %d, ranges %v", step+1, window, d.low, d.above)
		}
		if step%97 != 0 && step != n-1 {
			continue
		}
		if d.count() != len(want) {
			t.Fatalf("step %d: count %d, want %d", step, d.count(), len(want))
		}
		for j := max(0, i-window); j < min(n, i+window); j++ {
			if d.has(j) != want[j] {
				t.Fatalf("step %d: has(%d) = %v, want %v", step, j, d.has(j), want[j])
			}
		}
		text := d.appendText(nil)
		back, err := parseDoneSet(bytes.Fields(text))
		if err != nil || string(back.appendText(nil)) != string(text) {
			t.Fatalf("step %d: %q read back as %q, %v", step, text, back.appendText(nil), err)
		}
	}
	if d.low != n || len(d.above) != 0 {
		t.Fatalf("all records added: low %d, ranges %v", d.low, d.above)
	}
}

func TestParseDoneSetRejectsDisorder(t *testing.T) {
	for _, text := range []string{"", "x", "-1", "5 3-4", "5 5-7", "5 7-7", "5 7-9 9-10", "5 7-9 8-12", "5 7", "5 7-x"} {
		if _, err := parseDoneSet(bytes.Fields([]byte(text))); err == nil {
			t.Errorf("parseDoneSet(%q) accepted", text)
		}
	}
	d, err := parseDoneSet(bytes.Fields([]byte("5 7-9 11-12")))
	if err != nil || d.count() != 8 || !d.has(4) || d.has(5) || !d.has(8) || d.has(9) || !d.has(11) || d.has(12) {
		t.Fatalf("parseDoneSet(5 7-9 11-12) = %+v, %v", d, err)
	}
}
