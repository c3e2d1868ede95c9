package cloudtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// DirBytes is the size of the files under dir, for tests of how much a
// service keeps on disk. A file that goes away while the tree is walked
// (a running service removes its own) counts for nothing.
func DirBytes(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path != dir {
			return nil
		}
		if err != nil {
			return err
		}
		if fi, err := d.Info(); err == nil && !d.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
