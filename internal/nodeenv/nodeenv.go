// Package nodeenv keeps the CDK's Node.js runtime from printing its
// Node.js support banner over a program's output. The runtime captures the
// environment while the CDK's Go packages initialize, before main or
// TestMain runs, so a process that lacks the variables sets them and
// executes itself again.
package nodeenv

import (
	"os"
	"syscall"
)

// Majors lists the Node.js major versions whose end-of-life banner is not
// printed: the machine's Node.js is the user's choice.
const Majors = "18,20,22"

// Vars are the variables the runtime reads, with the values Ensure sets.
var Vars = map[string]string{
	"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION":  "1",
	"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": Majors,
}

// Ensure sets the variables the user has not set and, if it set any,
// replaces the process with a new run of the same program, arguments and
// standard streams. It returns only when nothing needed setting or the
// program could not be run again (the run then goes on, with the banner).
func Ensure() {
	changed := false
	for v, val := range Vars {
		if _, set := os.LookupEnv(v); !set {
			os.Setenv(v, val)
			changed = true
		}
	}
	if !changed {
		return
	}
	if exe, err := os.Executable(); err == nil {
		_ = syscall.Exec(exe, os.Args, os.Environ())
	}
}

// Environ returns env with the variables added where they are missing, for
// a child process that runs a CDK app.
func Environ(env []string) []string {
	out := append([]string(nil), env...)
	for v, val := range Vars {
		if _, set := os.LookupEnv(v); !set {
			out = append(out, v+"="+val)
		}
	}
	return out
}
