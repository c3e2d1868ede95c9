package manifest

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLineReaderBufferFitsSmallInputs checks that a reader of a small file
// or in-memory manifest takes a buffer of its size, one of unknown size the
// full one, and that each still reads every line.
func TestLineReaderBufferFitsSmallInputs(t *testing.T) {
	content := strings.Repeat(`{"recordId":"r","modelInput":{}}`+"\n", 300) // 9,900 bytes
	path := filepath.Join(t.TempDir(), "m.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		name string
		r    io.Reader
		size int
	}{
		{"file", f, len(content) + 1},
		{"in memory", strings.NewReader(content), len(content) + 1},
		{"tiny", strings.NewReader("{}\n"), 4 << 10},
		{"unknown size", io.MultiReader(strings.NewReader(content)), readBufferSize},
	} {
		l := newLineReader(c.r, 0)
		if got := l.br.Size(); got != c.size {
			t.Errorf("%s: buffer of %d bytes, want %d", c.name, got, c.size)
		}
		lines := 0
		for {
			if _, err := l.next(); err != nil {
				break
			}
			lines++
		}
		if want := strings.Count(content, "\n"); c.name != "tiny" && lines != want {
			t.Errorf("%s: %d lines read, want %d", c.name, lines, want)
		}
	}
}
