// Package recent keeps the last few items of a stream in memory: the
// services' recent activity (events put, functions invoked) that no AWS API
// lists but the console shows. Nothing in it is persisted; a restart starts
// empty.
package recent

import (
	"sync"
	"unicode/utf8"
)

// Ring holds the last Cap items added. The zero value is not usable; call
// New. It is safe for concurrent use.
type Ring[T any] struct {
	mu    sync.Mutex
	items []T
	next  int
	full  bool
}

// New returns a ring that keeps the last n items (n ≥ 1).
func New[T any](n int) *Ring[T] {
	return &Ring[T]{items: make([]T, max(n, 1))}
}

// Add appends v, dropping the oldest item when the ring is full.
func (r *Ring[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[r.next] = v
	r.next++
	if r.next == len(r.items) {
		r.next, r.full = 0, true
	}
}

// Newest returns the items kept, newest first.
func (r *Ring[T]) Newest() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.items)
	}
	out := make([]T, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.items[(r.next-i+len(r.items))%len(r.items)])
	}
	return out
}

// Clip shortens s to at most n bytes, marking the cut, so that a large
// payload does not pin memory in a ring. It never splits a character.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
