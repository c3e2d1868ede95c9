package spool

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	write := func(s string) func(*os.File) error {
		return func(f *os.File) error {
			_, err := f.WriteString(s)
			return err
		}
	}
	for _, durable := range []bool{false, true} {
		if err := ReplaceFile(path, dir, ".tmp-*", durable, write("old")); err != nil {
			t.Fatal(err)
		}
	}
	failed := errors.New("disk on fire")
	err := ReplaceFile(path, dir, ".tmp-*", true, func(f *os.File) error {
		if _, err := f.WriteString("half"); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("the write's error was not returned: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q (%v), want the old content", b, err)
	}
	err = ReplaceFile(filepath.Join(dir, "no-such-dir", "f.json"), dir, ".tmp-*", false, write("new"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("rename into a missing directory: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "f.json" {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
