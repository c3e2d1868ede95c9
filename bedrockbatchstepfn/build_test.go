package bedrockbatchstepfn

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Stand-ins for the two Lambda mains, so the build can be tested apart from
// the handlers.
var fakePackages = []string{"./bedrockbatchstepfn/testdata/fake/createjob", "./bedrockbatchstepfn/testdata/fake/jobevent"}

func buildFakes(t *testing.T, cache string) map[string]string {
	t.Helper()
	goCmd, err := findGo()
	if err != nil {
		t.Fatal(err)
	}
	modDir, err := findModuleDir(goCmd)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := buildBootstraps(goCmd, modDir, cache, fakePackages)
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func TestBuildIsReproducible(t *testing.T) {
	cache1, cache2 := t.TempDir(), t.TempDir()
	first := buildFakes(t, cache1)
	second := buildFakes(t, cache2)
	again := buildFakes(t, cache1)
	for _, pkg := range fakePackages {
		a, b := first[pkg], second[pkg]
		if filepath.Base(a) != filepath.Base(b) {
			t.Errorf("%s: two builds of the same source differ: %s, %s", pkg, filepath.Base(a), filepath.Base(b))
		}
		if again[pkg] != a {
			t.Errorf("%s: rebuilding into the same cache gave %s, want the existing %s", pkg, again[pkg], a)
		}
		fa := *awscdk.FileSystem_Fingerprint(jsii.String(a), nil)
		fb := *awscdk.FileSystem_Fingerprint(jsii.String(b), nil)
		if fa != fb {
			t.Errorf("%s: asset fingerprints differ: %s, %s", pkg, fa, fb)
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != "bootstrap" {
			t.Errorf("%s: asset directory holds %v, want only bootstrap", pkg, entries)
		}
	}
	if filepath.Base(first[fakePackages[0]]) == filepath.Base(first[fakePackages[1]]) {
		t.Error("two different programs got the same build directory")
	}
	leftovers, _ := filepath.Glob(filepath.Join(cache1, "*-*"))
	for _, l := range leftovers {
		if b := filepath.Base(l); strings.HasPrefix(b, "build-") || strings.HasPrefix(b, "stage-") {
			t.Errorf("temporary directory %s left behind", l)
		}
	}
}

func TestBootstrapIsStaticStrippedLinuxArm64(t *testing.T) {
	dirs := buildFakes(t, t.TempDir())
	bin := filepath.Join(dirs[fakePackages[0]], "bootstrap")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("bootstrap is not an ELF executable: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.OSABI != elf.ELFOSABI_NONE || f.Type != elf.ET_EXEC {
		t.Errorf("machine %v, ABI %v, type %v; want a linux/arm64 executable", f.Machine, f.OSABI, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("bootstrap keeps its symbol table")
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	goCmd, _ := findGo()
	modDir, _ := findModuleDir(goCmd)
	if bytes.Contains(data, []byte(modDir)) {
		t.Errorf("bootstrap contains the build directory %s (not built with -trimpath)", modDir)
	}
	if fi, _ := os.Stat(bin); fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("bootstrap mode %v is not executable", fi.Mode())
	}
}

func TestBuildsAreSharedWithinTheProcess(t *testing.T) {
	first, err := lambdaAssetDirs(fakePackages...)
	if err != nil {
		t.Fatal(err)
	}
	// Without a Go toolchain a second build would fail.
	t.Setenv("PATH", "")
	t.Setenv("GOROOT", "")
	second, err := lambdaAssetDirs(fakePackages...)
	if err != nil {
		t.Fatalf("second request rebuilt: %v", err)
	}
	for _, pkg := range fakePackages {
		if first[pkg] != second[pkg] {
			t.Errorf("%s: %s, then %s", pkg, first[pkg], second[pkg])
		}
	}
}

func TestNoGoToolchain(t *testing.T) {
	t.Setenv("PATH", "")
	t.Setenv("GOROOT", "")
	_, err := build(fakePackages)
	if err == nil || !strings.Contains(err.Error(), "no Go toolchain was found") || !strings.Contains(err.Error(), "go.dev/dl") {
		t.Fatalf("error %v, want one that says no Go toolchain was found and where to get one", err)
	}
}

func TestModuleRoot(t *testing.T) {
	goCmd, err := findGo()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := findModuleDir(goCmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bedrockbatchstepfn", "build.go")); err != nil {
		t.Errorf("module root %s does not hold this package: %v", dir, err)
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(sourceDirEnv, other)
	_, err = findModuleDir(goCmd)
	if err == nil || !strings.Contains(err.Error(), sourceDirEnv) || !strings.Contains(err.Error(), "example.com/other") {
		t.Errorf("error %v, want one naming $%s and the module found there", err, sourceDirEnv)
	}
	t.Setenv(sourceDirEnv, dir)
	if got, err := findModuleDir(goCmd); err != nil || got != dir {
		t.Errorf("with $%s=%s: %q, %v", sourceDirEnv, dir, got, err)
	}
}

func TestBuildFailureShowsCompilerOutput(t *testing.T) {
	goCmd, _ := findGo()
	modDir, _ := findModuleDir(goCmd)
	_, err := buildBootstraps(goCmd, modDir, t.TempDir(), []string{"./bedrockbatchstepfn/testdata/no-such-package"})
	if err == nil || !strings.Contains(err.Error(), "compiling the Lambda functions") || !strings.Contains(err.Error(), "no-such-package") {
		t.Fatalf("error %v, want the failed command and the compiler's message", err)
	}
}
