package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.jsonl", "a.jsonl", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files(dir)
	want := []string{filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Files(dir) = %v, %v; want %v", got, err, want)
	}
	one := filepath.Join(dir, "notes.txt")
	if got, err := Files(one); err != nil || !reflect.DeepEqual(got, []string{one}) {
		t.Errorf("Files(file) = %v, %v; want the file itself", got, err)
	}
	empty := t.TempDir()
	if _, err := Files(empty); err == nil || !strings.Contains(err.Error(), "no .jsonl files") {
		t.Errorf("Files(empty dir) error %v, want one saying it holds no .jsonl files", err)
	}
	if _, err := Files(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("Files(missing) error %v, want not-exist", err)
	}
}
