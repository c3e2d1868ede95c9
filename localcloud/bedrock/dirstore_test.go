package bedrock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirStore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := NewDirStore(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket("data"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a/1.jsonl", "a/2.jsonl", "a/sub/3.jsonl", "ab.jsonl", "b/4.jsonl"} {
		if err := s.Put(ctx, "data", k, strings.NewReader("body of "+k)); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "data", "a", "sub", "3.jsonl")); string(b) != "body of a/sub/3.jsonl" {
		t.Fatalf("object file holds %q", b)
	}
	list := func(prefix string) string {
		objs, err := s.List(ctx, "data", prefix)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range objs {
			keys = append(keys, fmt.Sprintf("%s:%d", o.Key, o.Size))
		}
		return strings.Join(keys, ",")
	}
	if got := list("a/"); got != "a/1.jsonl:17,a/2.jsonl:17,a/sub/3.jsonl:21" {
		t.Fatalf("List(a/) = %s", got)
	}
	if got := list("a"); got != "a/1.jsonl:17,a/2.jsonl:17,a/sub/3.jsonl:21,ab.jsonl:16" {
		t.Fatalf("List(a) = %s", got)
	}
	if got := list("a/sub/3"); got != "a/sub/3.jsonl:21" {
		t.Fatalf("List(a/sub/3) = %s", got)
	}
	if got := list("zzz/"); got != "" {
		t.Fatalf("List(zzz/) = %s", got)
	}
	if err := s.Put(ctx, "data", "a/1.jsonl", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Get(ctx, "data", "a/1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "new" {
		t.Fatalf("after replacing: %q", b)
	}
	if _, err := s.Get(ctx, "data", "missing"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := s.Get(ctx, "data", "a"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("a directory is not an object: %v", err)
	}
	if _, err := s.Get(ctx, "nobucket", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}
	if err := s.Put(ctx, "nobucket", "k", strings.NewReader("")); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("put to missing bucket: %v", err)
	}
	if _, err := s.List(ctx, "nobucket", ""); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("list missing bucket: %v", err)
	}
	for _, k := range []string{"../escape", "a//b", "a/./b", "dir/"} {
		if err := s.Put(ctx, "data", k, strings.NewReader("x")); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	// A failed upload leaves neither the object nor a temporary file.
	if err := s.Put(ctx, "data", "broken", io.MultiReader(strings.NewReader("half"), errReader{})); err == nil {
		t.Fatal("a failing body was stored")
	}
	if _, err := s.Get(ctx, "data", "broken"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("half-written object is visible: %v", err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
