// Package jsonscantest makes inputs for the tests that hold a fast JSON
// reader to what encoding/json makes of the same text: random near misses
// of valid documents, which reach the corners of a grammar that hand-written
// cases miss.
package jsonscantest

import (
	"iter"
	"math/rand/v2"
)

// Mutants yields n edits of documents picked at random from seeds: each is
// a copy of one seed with one or two of its bytes deleted, replaced by a
// byte of alphabet, or preceded by an inserted one. The same rng state gives
// the same sequence. Every seed must be at least two bytes long.
func Mutants(rng *rand.Rand, seeds []string, alphabet string, n int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for range n {
			b := []byte(seeds[rng.IntN(len(seeds))])
			for range 1 + rng.IntN(2) {
				i := rng.IntN(len(b))
				switch c := alphabet[rng.IntN(len(alphabet))]; rng.IntN(3) {
				case 0:
					b = append(b[:i], b[i+1:]...)
				case 1:
					b[i] = c
				default:
					b = append(b[:i], append([]byte{c}, b[i:]...)...)
				}
			}
			if !yield(b) {
				return
			}
		}
	}
}
