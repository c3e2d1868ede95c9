package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

// measurement is what the child reported and what it cost.
type measurement struct {
	Result  localrun.Result
	Wall    time.Duration
	CPU     time.Duration // user and system time, which other load on the machine barely changes
	PeakRSS int64
}

// runChild runs the workflow in a child process of this program and
// returns its result with the child's wall time and peak RSS.
func runChild(data, input string, env ...string) (measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), childEnv+"="+data+"\n"+input), prefixed(env)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, err
	}
	m := measurement{Wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.PeakRSS = ru.Maxrss << 10 // kilobytes on Linux
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err := json.Unmarshal(out.Bytes(), &m.Result); err != nil {
		return m, fmt.Errorf("child result: %w", err)
	}
	return m, nil
}

// child runs the workflow on the input with the sim backend and prints the
// result as JSON.
func child(spec string) error {
	data, input, ok := strings.Cut(spec, "\n")
	if !ok {
		return fmt.Errorf("%s=%q: want the data and input directories on two lines", childEnv, spec)
	}
	if path := os.Getenv(profileEnv + "CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := localrun.Run(context.Background(), localrun.Options{
		Cloud: localcloud.Options{DataDir: data, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Input: input,
	})
	if err != nil {
		return err
	}
	if path := os.Getenv(profileEnv + "MEMPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// profileEnv prefixes the variables that ask the child for profiles.
const profileEnv = "BEDROCKBATCH_FOOTPRINT_"

// prefixed names profile settings for the child's environment.
func prefixed(env []string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		out[i] = profileEnv + kv
	}
	return out
}
