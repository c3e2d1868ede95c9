package recent

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestRingKeepsTheNewest(t *testing.T) {
	r := New[int](3)
	if got := r.Newest(); len(got) != 0 {
		t.Fatalf("empty ring lists %v", got)
	}
	for i, want := range [][]int{{1}, {2, 1}, {3, 2, 1}, {4, 3, 2}, {5, 4, 3}, {6, 5, 4}, {7, 6, 5}} {
		r.Add(i + 1)
		if got := r.Newest(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after adding %d: %v, want %v", i+1, got, want)
		}
	}
}

func TestRingConcurrentAdds(t *testing.T) {
	r := New[string](50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				r.Add(fmt.Sprint(g, i))
			}
		}()
	}
	wg.Wait()
	if n := len(r.Newest()); n != 50 {
		t.Fatalf("kept %d items, want 50", n)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("abcdef", 3); got != "abc…" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("aé", 2); got != "a…" {
		t.Errorf("Clip split a character: %q", got)
	}
	if got := Clip("abc", 3); got != "abc" {
		t.Errorf("Clip = %q", got)
	}
}
