// Package boto3test runs Python scripts that check a local service with
// boto3, the second client the local cloud is tested against: boto3 reads
// answers in its own way, so what it accepts is a check written apart from
// the Go SDK.
package boto3test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is the Python that has boto3: $BOTO3_PYTHON, else python3 on the
// PATH. The test is skipped with -short, or when that Python has no boto3
// (the message says how to point at one that has).
func Python(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Python; skipped with -short")
	}
	python := os.Getenv("BOTO3_PYTHON")
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("no boto3 for %s (set BOTO3_PYTHON to a Python that has it): %v %s", python, err, strings.TrimSpace(string(out)))
	}
	return python
}

// Run runs script with args by python, logs what it printed, and fails the
// test when it exits with an error.
func Run(t testing.TB, python, script string, args ...string) {
	t.Helper()
	out, err := exec.Command(python, append([]string{script}, args...)...).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 checks in %s failed: %v", script, err)
	}
}
