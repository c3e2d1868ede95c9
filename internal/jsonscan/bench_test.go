package jsonscan

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkValidManifest checks the lines of the bundled example's first
// manifest, records of the kind large jobs carry.
func BenchmarkValidManifest(b *testing.B) {
	data, err := os.ReadFile("../../sampleapp/data/manifest-1.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, l := range lines {
			if !Valid(l) {
				b.Fatalf("invalid line %s", l)
			}
		}
	}
}
