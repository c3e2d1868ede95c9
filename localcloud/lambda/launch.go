package lambda

import (
	"debug/elf"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// clients holds our runtime-API clients for the interpreted runtimes: each
// loads the function's handler module and serves its invocations, as
// Lambda's own runtime clients do in their images.
//
//go:embed runtimes/client.js runtimes/client.py
var clients embed.FS

// launch is how a function's runtime process is started.
type launch struct {
	path string   // the executable
	args []string // its arguments, after the program name
	dir  string   // working directory: the code directory, as LAMBDA_TASK_ROOT
}

// Runnable reports why the local cloud cannot run fn's code in a process,
// or nil when it can: the runtime must be one it serves, the code must hold
// what the runtime starts, and the machine must have what runs it.
func (s *Service) Runnable(fn Function) error {
	_, err := s.launchOf(fn)
	return err
}

// launchOf finds how to start fn's runtime.
func (s *Service) launchOf(fn Function) (launch, error) {
	if fn.CodeDir == "" {
		return launch{}, fmt.Errorf("function %s has no code the local cloud can read (deploy it from a cloud assembly with its asset, or create it with a zip)", fn.Name)
	}
	switch rt := fn.Runtime; {
	case strings.HasPrefix(rt, "provided"):
		return bootstrapLaunch(fn)
	case strings.HasPrefix(rt, "nodejs"):
		return s.interpreterLaunch(fn, "node", "runtimes/client.js", "install Node.js (apt-get install nodejs)")
	case strings.HasPrefix(rt, "python3"):
		return s.interpreterLaunch(fn, "python3", "runtimes/client.py", "install Python 3 (apt-get install python3)")
	case rt == "":
		return launch{}, fmt.Errorf("function %s has no Runtime; the local cloud runs zip functions of the runtimes provided.al2023, provided.al2, nodejs* and python3.*", fn.Name)
	default:
		return launch{}, fmt.Errorf("function %s has runtime %s, which the local cloud does not run: it runs provided.al2023 and provided.al2 (a bootstrap executable), nodejs* and python3.* functions", fn.Name, rt)
	}
}

// bootstrapLaunch starts the asset's bootstrap executable, through qemu's
// user-mode emulator when it is built for another architecture.
func bootstrapLaunch(fn Function) (launch, error) {
	boot := filepath.Join(fn.CodeDir, "bootstrap")
	info, err := os.Stat(boot)
	if err != nil {
		return launch{}, fmt.Errorf("function %s (runtime %s) has no bootstrap executable in its code (%s): a custom runtime starts the file named bootstrap at the root of the package", fn.Name, fn.Runtime, fn.CodeDir)
	}
	if info.Mode()&0o111 == 0 {
		// Zip tools drop the executable bit often; Lambda itself refuses
		// such a bootstrap, but locally there is no reason to.
		if err := os.Chmod(boot, info.Mode()|0o755); err != nil {
			return launch{}, fmt.Errorf("function %s: make its bootstrap executable: %w", fn.Name, err)
		}
	}
	arch, err := elfArch(boot)
	if err != nil {
		return launch{}, fmt.Errorf("function %s: read its bootstrap: %w", fn.Name, err)
	}
	if arch == "" || arch == runtime.GOARCH {
		return launch{path: boot, dir: fn.CodeDir}, nil
	}
	emu, err := emulator(arch)
	if err != nil {
		return launch{}, fmt.Errorf("function %s: its bootstrap is a Linux %s binary and this machine is %s: %w", fn.Name, arch, runtime.GOARCH, err)
	}
	return launch{path: emu, args: []string{boot}, dir: fn.CodeDir}, nil
}

// elfArch is the GOARCH an ELF executable is built for, or "" for a file
// that is not ELF (a script, which the kernel runs through its #! line).
func elfArch(file string) (string, error) {
	f, err := elf.Open(file)
	if err != nil {
		var format *elf.FormatError
		if errors.As(err, &format) {
			return "", nil
		}
		return "", err
	}
	defer f.Close()
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", nil
	default:
		return "", fmt.Errorf("it is built for %s, not a Lambda architecture (x86_64 or arm64)", f.Machine)
	}
}

// emulators names qemu's user-mode emulator for each architecture.
var emulators = map[string]string{"arm64": "aarch64", "amd64": "x86_64"}

// emulator finds qemu's user-mode emulator for arch. It is run directly
// rather than through binfmt_misc, which containers often lack.
func emulator(arch string) (string, error) {
	name := "qemu-" + emulators[arch]
	for _, n := range []string{name + "-static", name} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("running it needs qemu's user-mode emulator (%s-static), which is not installed: install it with `apt-get install qemu-user-static` (Debian, Ubuntu), or build the function for %s", name, runtime.GOARCH)
}

// interpreterLaunch runs our runtime client for an interpreted runtime
// with the machine's interpreter.
func (s *Service) interpreterLaunch(fn Function, interpreter, client, install string) (launch, error) {
	path, err := exec.LookPath(interpreter)
	if err != nil {
		return launch{}, fmt.Errorf("function %s (runtime %s) runs with this machine's %s, which is not on PATH: %s", fn.Name, fn.Runtime, interpreter, install)
	}
	path = realInterpreter(path)
	script, err := s.clientFile(client)
	if err != nil {
		return launch{}, err
	}
	return launch{path: path, args: []string{script}, dir: fn.CodeDir}, nil
}

// selfPath asks each interpreter for the path of its own executable.
var selfPath = map[string][]string{
	"node":    {"-p", "process.execPath"},
	"python3": {"-c", "import sys; print(sys.executable)"},
}

// realPaths caches realInterpreter's answers.
var realPaths sync.Map // path on PATH → executable

// realInterpreter returns the executable behind an interpreter found on
// PATH: version managers put shims there (pyenv's is a shell script),
// which would add their own start-up to every cold start.
func realInterpreter(path string) string {
	if p, ok := realPaths.Load(path); ok {
		return p.(string)
	}
	real := path
	if out, err := exec.Command(path, selfPath[filepath.Base(path)]...).Output(); err == nil {
		if p := strings.TrimSpace(string(out)); filepath.IsAbs(p) {
			real = p
		}
	}
	realPaths.Store(path, real)
	return real
}

// clientFile writes an embedded runtime client under the data directory,
// once per service, and returns its path.
func (s *Service) clientFile(name string) (string, error) {
	s.clientsOnce.Do(func() {
		dir := filepath.Join(s.opts.DataDir, "lambda", "runtime")
		s.clientsErr = fs.WalkDir(clients, "runtimes", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := clients.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644)
		})
	})
	if s.clientsErr != nil {
		return "", fmt.Errorf("lambda: write the runtime clients: %w", s.clientsErr)
	}
	return filepath.Join(s.opts.DataDir, "lambda", "runtime", filepath.Base(name)), nil
}

// clientsState guards the one-time writing of the runtime clients.
type clientsState struct {
	clientsOnce sync.Once
	clientsErr  error
}
