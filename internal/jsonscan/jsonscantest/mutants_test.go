package jsonscantest

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMutants(t *testing.T) {
	const seed = `{"a":[1,2]}`
	var first [][]byte
	lengths := map[int]int{}
	for b := range Mutants(rand.New(rand.NewPCG(1, 2)), []string{seed}, "xyz", 500) {
		if d := len(b) - len(seed); d < -2 || d > 2 {
			t.Fatalf("%q is more than two edits from %q", b, seed)
		}
		lengths[len(b)-len(seed)]++
		first = append(first, b)
	}
	if len(first) != 500 {
		t.Fatalf("%d mutants, want 500", len(first))
	}
	for _, d := range []int{-2, -1, 0, 1, 2} {
		if lengths[d] == 0 {
			t.Errorf("no mutant changed the length by %d: %v", d, lengths)
		}
	}
	i := 0
	for b := range Mutants(rand.New(rand.NewPCG(1, 2)), []string{seed}, "xyz", 500) {
		if !slices.Equal(b, first[i]) {
			t.Fatalf("mutant %d is %q the second time, %q the first", i, b, first[i])
		}
		i++
	}
	// Breaking out early must end the sequence: one that went on calling
	// yield would make this loop panic.
	for range Mutants(rand.New(rand.NewPCG(1, 2)), []string{seed}, "xyz", 500) {
		break
	}
}
