package bedrockbatchstepfn

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
)

// modulePath is the module that holds the Lambda mains built at synthesis.
const modulePath = "github.com/bedrockbatch/bedrockbatch"

// sourceDirEnv, when set, names the directory of a checkout of modulePath to
// build the Lambda functions from. It is needed only when the synthesizing
// program was compiled with -trimpath and runs outside any module that
// depends on modulePath.
const sourceDirEnv = "BEDROCKBATCH_SOURCE_DIR"

// Package paths, relative to the module root, of the Lambda mains.
const (
	createJobPackage = "./lambda/createjob"
	jobEventPackage  = "./lambda/jobevent"
	reconcilePackage = "./lambda/reconcile"
	stopJobsPackage  = "./lambda/stopjobs"
)

// functionPackages are compiled together, in one go build.
var functionPackages = []string{createJobPackage, jobEventPackage, reconcilePackage, stopJobsPackage}

// staleBuildAge is how long an unused build stays in the cache directory.
const staleBuildAge = 7 * 24 * time.Hour

// goBuildFlags make the binary a pure function of the source and the
// toolchain: no absolute paths (-trimpath), no VCS stamp (-buildvcs=false),
// no build ID (-buildid=), no symbol table; lambda.norpc drops the legacy
// Go 1.x RPC runtime that provided.al2023 does not use.
var goBuildFlags = []string{
	"build", "-trimpath", "-buildvcs=false", "-mod=readonly",
	"-ldflags=-s -w -buildid=", "-tags", "lambda.norpc",
}

// goBuildEnv selects the Lambda platform: Linux on Graviton, static binary.
var goBuildEnv = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}

// builds caches, per process, the result of compiling each set of packages,
// so that every fragment in every stack of one app shares one build.
var builds sync.Map // key: the packages → *buildResult

type buildResult struct {
	once sync.Once
	dirs map[string]string // package → directory holding only "bootstrap"
	err  error
}

// lambdaAssetDirs compiles the given main packages of this module for
// provided.al2023 on arm64 and returns, for each package, a directory that
// holds nothing but its "bootstrap" executable. The result is computed once
// per process.
func lambdaAssetDirs(pkgs ...string) (map[string]string, error) {
	v, _ := builds.LoadOrStore(strings.Join(pkgs, "\x00"), &buildResult{})
	r := v.(*buildResult)
	r.once.Do(func() { r.dirs, r.err = build(pkgs) })
	return r.dirs, r.err
}

func build(pkgs []string) (map[string]string, error) {
	goCmd, err := findGo()
	if err != nil {
		return nil, err
	}
	modDir, err := findModuleDir(goCmd)
	if err != nil {
		return nil, err
	}
	cache, err := buildCacheDir()
	if err != nil {
		return nil, err
	}
	return buildBootstraps(goCmd, modDir, cache, pkgs)
}

// findGo locates the go command: on PATH, else under $GOROOT/bin.
func findGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("bedrockbatchstepfn: the Lambda functions of BedrockBatchSfn are compiled " +
		"from Go source during synthesis, but no Go toolchain was found: there is no `go` on PATH and " +
		"none under $GOROOT/bin. Install Go (https://go.dev/dl/) and make sure `go version` works " +
		"in the shell that runs the synthesis")
}

// findModuleDir returns the root directory of a copy of modulePath: the one
// named by $BEDROCKBATCH_SOURCE_DIR, else the one this package was compiled
// from, else the version the current directory's module depends on.
func findModuleDir(goCmd string) (string, error) {
	if d := os.Getenv(sourceDirEnv); d != "" {
		if err := checkModuleRoot(d); err != nil {
			return "", fmt.Errorf("bedrockbatchstepfn: $%s: %w", sourceDirEnv, err)
		}
		return d, nil
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		d := filepath.Dir(filepath.Dir(file))
		if checkModuleRoot(d) == nil {
			return d, nil
		}
	}
	cmd := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}", modulePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if d := strings.TrimSpace(string(out)); err == nil && d != "" {
		if err := checkModuleRoot(d); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("bedrockbatchstepfn: cannot find the source of module %s to compile the "+
		"Lambda functions from (`go list -m %s` in %s: %s). Run the synthesis from a module that "+
		"requires %s, or set $%s to a checkout of it",
		modulePath, modulePath, workingDir(), firstLine(stderr.String(), err), modulePath, sourceDirEnv)
}

// checkModuleRoot reports whether dir holds the go.mod of modulePath.
func checkModuleRoot(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if got := modfile.ModulePath(data); got != modulePath {
		return fmt.Errorf("%s declares module %q, want %q", filepath.Join(dir, "go.mod"), got, modulePath)
	}
	return nil
}

// buildCacheDir is where finished builds are kept, content-addressed.
func buildCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "bedrockbatch", "lambda")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bedrockbatchstepfn: create the build directory for the Lambda functions: %w", err)
	}
	return dir, nil
}

// buildBootstraps compiles pkgs in one go invocation (they share most
// dependencies) and moves each executable to <cache>/<name>-<sha256>/bootstrap.
// Because the directory is named after the content, concurrent processes
// building the same source agree on it, and the CDK asset hash of the
// directory changes only when the binary does.
func buildBootstraps(goCmd, modDir, cache string, pkgs []string) (map[string]string, error) {
	tmp, err := os.MkdirTemp(cache, "build-")
	if err != nil {
		return nil, fmt.Errorf("bedrockbatchstepfn: %w", err)
	}
	defer os.RemoveAll(tmp)

	args := append(append([]string{}, goBuildFlags...), "-o", tmp+string(filepath.Separator))
	args = append(args, pkgs...)
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = modDir
	cmd.Env = append(os.Environ(), goBuildEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bedrockbatchstepfn: compiling the Lambda functions (%s %s, in %s, with %s) failed: %w\n%s",
			goCmd, strings.Join(args, " "), modDir, strings.Join(goBuildEnv, " "), err, strings.TrimSpace(out.String()))
	}

	dirs := make(map[string]string, len(pkgs))
	for _, pkg := range pkgs {
		name := path.Base(pkg)
		dir, err := storeBootstrap(cache, name, filepath.Join(tmp, name))
		if err != nil {
			return nil, fmt.Errorf("bedrockbatchstepfn: store the %s binary: %w", name, err)
		}
		dirs[pkg] = dir
	}
	return dirs, nil
}

// storeBootstrap moves the executable bin into its content-addressed
// directory, unless an identical one is already there, and returns that
// directory.
func storeBootstrap(cache, name, bin string) (string, error) {
	sum, err := fileSHA256(bin)
	if err != nil {
		return "", err
	}
	final := filepath.Join(cache, name+"-"+sum[:32])
	if _, err := os.Stat(filepath.Join(final, "bootstrap")); err == nil {
		now := time.Now()
		_ = os.Chtimes(final, now, now)
		return final, nil
	}
	staging, err := os.MkdirTemp(cache, "stage-")
	if err != nil {
		return "", err
	}
	if err := os.Rename(bin, filepath.Join(staging, "bootstrap")); err != nil {
		os.RemoveAll(staging)
		return "", err
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		os.RemoveAll(staging)
		return "", err
	}
	if err := os.Rename(staging, final); err != nil {
		// Another process stored the same content first.
		os.RemoveAll(staging)
		if _, statErr := os.Stat(filepath.Join(final, "bootstrap")); statErr != nil {
			return "", err
		}
	}
	pruneStale(cache, name, final)
	return final, nil
}

// pruneStale removes builds of name other than keep that were not used for
// staleBuildAge, so editing the handlers does not fill the disk.
func pruneStale(cache, name, keep string) {
	matches, _ := filepath.Glob(filepath.Join(cache, name+"-*"))
	for _, m := range matches {
		if m == keep {
			continue
		}
		if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > staleBuildAge {
			os.RemoveAll(m)
		}
	}
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func workingDir() string {
	if d, err := os.Getwd(); err == nil {
		return d
	}
	return "the current directory"
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" && err != nil {
		return err.Error()
	}
	if s == "" {
		return "no such module"
	}
	return s
}
