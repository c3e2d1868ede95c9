package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
)

// TestWritesAssemblyToCdkOut runs the example as `go run ./examples/minimal`
// does and checks that the cloud assembly, with both function assets, lands
// in ./cdk.out of the working directory.
func TestWritesAssemblyToCdkOut(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes the example in a child process: skipped with -short")
	}
	src, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "minimal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	work := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = work
	cmd.Env = nodeenv.Environ(withoutVar(os.Environ(), "CDK_OUTDIR"))
	cmd.Env = append(cmd.Env, "BEDROCKBATCH_SOURCE_DIR="+filepath.Join(src, "..", ".."))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(work, "cdk.out", "manifest.json")); err != nil {
		t.Fatalf("no cloud assembly in ./cdk.out: %v", err)
	}
	assets, _ := filepath.Glob(filepath.Join(work, "cdk.out", "asset.*", "bootstrap"))
	if len(assets) != 4 {
		t.Errorf("found %d function assets with a bootstrap, want 4 (create job, job event, reconciler, stopper)", len(assets))
	}
}

func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if len(kv) <= len(name) || kv[:len(name)+1] != name+"=" {
			out = append(out, kv)
		}
	}
	return out
}
