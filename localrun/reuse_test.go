package localrun

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A fingerprint changes with the context, the command and any file under
// the working directory of a command, and with nothing else.
func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := map[string]any{"bedrockbatch:modelId": "amazon.nova-pro-v1:0"}
	sum := func(command string, ctx map[string]any) string {
		t.Helper()
		s, ok := fingerprint(command, ctx)
		if !ok || s == "" {
			t.Fatalf("no fingerprint for %q", command)
		}
		return s
	}
	base := sum("go run .", ctx)
	if again := sum("go run .", ctx); again != base {
		t.Error("the same inputs gave two fingerprints")
	}
	if sum("go run ./other", ctx) == base {
		t.Error("another command kept the fingerprint")
	}
	if sum("go run .", map[string]any{"bedrockbatch:modelId": "amazon.nova-lite-v1:0"}) == base {
		t.Error("another context kept the fingerprint")
	}
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(src, []byte("package main // changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(src, later, later); err != nil {
		t.Fatal(err)
	}
	if sum("go run .", ctx) == base {
		t.Error("a changed source file kept the fingerprint")
	}
	// The bundled example does not depend on the working directory.
	bundled := sum("", ctx)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum("", ctx) != bundled {
		t.Error("a file in the working directory changed the bundled example's fingerprint")
	}
}

// The assembly is reused only when its recorded fingerprint matches and
// its manifest is there.
func TestReusable(t *testing.T) {
	dir := t.TempDir()
	if reusable(dir, "abc") {
		t.Error("an empty directory is reusable")
	}
	if err := remember(dir, "abc"); err != nil {
		t.Fatal(err)
	}
	if reusable(dir, "abc") {
		t.Error("an assembly without manifest.json is reusable")
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !reusable(dir, "abc") || reusable(dir, "abd") {
		t.Error("reuse does not follow the fingerprint")
	}
	forget(dir)
	if reusable(dir, "abc") {
		t.Error("a forgotten assembly is reusable")
	}
}
