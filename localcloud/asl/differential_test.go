package asl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The differential test runs every conformance case through this interpreter
// and through aws-local-stepfunctions, an independent Node.js implementation
// driven by difftest/run.js, and fails on each case where the two disagree.
// A case whose "differential" field reads "skip: <reason>" documents a
// deliberate difference (where the library departs from Step Functions) and
// is skipped here; the corpus test still checks it against its expectation.

const (
	difftestDir      = "difftest"
	conformanceDir   = "testdata/conformance"
	referenceLibrary = "aws-local-stepfunctions"
	skipPrefix       = "skip:"
	installHint      = "install it with: cd localcloud/asl/difftest && npm ci"
	referenceTimeout = 3 * time.Minute
)

// referenceResult is one line printed by difftest/run.js.
type referenceResult struct {
	Path   string          `json:"path"`
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
}

func TestDifferentialAgainstReferenceImplementation(t *testing.T) {
	requireReferenceHarness(t)
	cases := loadCorpus(t)
	if len(cases) == 0 {
		t.Fatalf("no conformance cases found under %s", conformanceDir)
	}
	ref := runReferenceHarness(t)

	ran, skipped := 0, 0
	for _, c := range cases {
		t.Run(caseName(c.Path), func(t *testing.T) {
			reason, skip, err := differentialSkip(c.Differential)
			if err != nil {
				t.Fatalf("%s: %v", c.Path, err)
			}
			if skip {
				skipped++
				t.Skipf("documented difference from %s: %s", referenceLibrary, reason)
			}
			r, ok := ref[pathKey(t, c.Path)]
			if !ok {
				t.Fatalf("%s: difftest/run.js printed no result for this case", c.Path)
			}
			ran++
			got := runCorpusCase(t, c)
			if diff := compareWithReference(c.Expect, got, r); diff != "" {
				t.Errorf("%s: this interpreter and %s disagree: %s\n(if Step Functions itself behaves like this interpreter, "+
					`document it with "differential": "skip: <reason>" in the case)`, c.Path, referenceLibrary, diff)
			}
		})
	}
	t.Logf("differential: %d cases compared, %d skipped as documented differences", ran, skipped)
}

// requireReferenceHarness skips the test when Node.js or the harness's
// dependencies are missing, except in CI, where the test must run.
func requireReferenceHarness(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on the PATH (install Node.js 20 or later)"
	} else if _, err := os.Stat(filepath.Join(difftestDir, "node_modules", referenceLibrary, "package.json")); err != nil {
		missing = fmt.Sprintf("%s is not installed in %s/node_modules; %s", referenceLibrary, difftestDir, installHint)
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("differential test cannot run in CI: %s", missing)
	}
	t.Skipf("differential test skipped: %s", missing)
}

// runReferenceHarness runs difftest/run.js once over the whole corpus and
// returns its results keyed by the case file's absolute path.
func runReferenceHarness(t *testing.T) map[string]referenceResult {
	t.Helper()
	dir, err := filepath.Abs(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), referenceTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(difftestDir, "run.js"), dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s/run.js %s: %v\nstderr:\n%s", difftestDir, dir, err, stderr.String())
	}
	results, err := parseReferenceOutput(stdout.Bytes())
	if err != nil {
		t.Fatalf("reading difftest/run.js output: %v", err)
	}
	return results
}

func parseReferenceOutput(out []byte) (map[string]referenceResult, error) {
	results := make(map[string]referenceResult)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r referenceResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if r.Path == "" {
			return nil, fmt.Errorf("line %d: result without a path", line)
		}
		results[filepath.Clean(r.Path)] = r
	}
	return results, sc.Err()
}

// differentialSkip reports whether a case opts out of the differential test
// and why. Any other non-empty value is a mistake in the case file.
func differentialSkip(field string) (reason string, skip bool, err error) {
	if field == "" {
		return "", false, nil
	}
	rest, ok := strings.CutPrefix(field, skipPrefix)
	reason = strings.TrimSpace(rest)
	if !ok || reason == "" {
		return "", false, fmt.Errorf(`"differential" must be "skip: <reason>", got %q`, field)
	}
	return reason, true, nil
}

// compareWithReference returns "" when this interpreter's result got and the
// reference result r agree, or a description of the difference. Status must
// match; outputs are compared as JSON values; errors by name. Causes are
// compared only when the case expects a specific cause, because the messages
// of predefined errors such as States.Runtime are free text in both
// implementations.
func compareWithReference(expect, got corpusResult, r referenceResult) string {
	if r.Status != "SUCCEEDED" && r.Status != "FAILED" {
		return fmt.Sprintf("%s could not run the case: status %s, %s: %s", referenceLibrary, r.Status, r.Error, r.Cause)
	}
	if got.Status != r.Status {
		return fmt.Sprintf("status: ours %s%s, reference %s%s", got.Status, describeFailure(got.Error, got.Cause),
			r.Status, describeFailure(r.Error, r.Cause))
	}
	if got.Status == "SUCCEEDED" {
		eq, err := sameJSON(got.Output, r.Output)
		if err != nil {
			return err.Error()
		}
		if !eq {
			return fmt.Sprintf("output: ours %s, reference %s", compactJSON(got.Output), compactJSON(r.Output))
		}
		return ""
	}
	if got.Error != r.Error {
		return fmt.Sprintf("error: ours %q, reference %q", got.Error, r.Error)
	}
	if expect.Cause != "" && got.Cause != r.Cause {
		return fmt.Sprintf("cause: ours %q, reference %q", got.Cause, r.Cause)
	}
	return ""
}

func describeFailure(name, cause string) string {
	if name == "" && cause == "" {
		return ""
	}
	return fmt.Sprintf(" (%s: %s)", name, cause)
}

func compactJSON(m json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, orNullJSON(m)); err != nil {
		return string(m)
	}
	return buf.String()
}

// caseName turns testdata/conformance/<area>/<case>.json into <area>/<case>.
func caseName(p string) string {
	p = filepath.ToSlash(p)
	if i := strings.Index(p, conformanceDir+"/"); i >= 0 {
		p = p[i+len(conformanceDir)+1:]
	}
	return strings.TrimSuffix(p, ".json")
}

func pathKey(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(abs)
}

func TestCompareWithReference(t *testing.T) {
	ok := corpusResult{Status: "SUCCEEDED", Output: json.RawMessage(`{"a":[1,2]}`)}
	fail := corpusResult{Status: "FAILED", Error: "E", Cause: "C"}
	tests := []struct {
		name   string
		expect corpusResult
		got    corpusResult
		ref    referenceResult
		agree  bool
	}{
		{"same output, other formatting", ok, ok, referenceResult{Status: "SUCCEEDED", Output: json.RawMessage(`{ "a": [1, 2.0] }`)}, true},
		{"different output", ok, ok, referenceResult{Status: "SUCCEEDED", Output: json.RawMessage(`{"a":[2,1]}`)}, false},
		{"null output against missing output", ok, corpusResult{Status: "SUCCEEDED", Output: json.RawMessage(`null`)}, referenceResult{Status: "SUCCEEDED"}, true},
		{"different status", ok, ok, referenceResult{Status: "FAILED", Error: "States.Runtime"}, false},
		{"same error and cause", fail, fail, referenceResult{Status: "FAILED", Error: "E", Cause: "C"}, true},
		{"different error", fail, fail, referenceResult{Status: "FAILED", Error: "F", Cause: "C"}, false},
		{"different expected cause", fail, fail, referenceResult{Status: "FAILED", Error: "E", Cause: "D"}, false},
		{"cause not expected", corpusResult{Status: "FAILED", Error: "E"}, fail, referenceResult{Status: "FAILED", Error: "E", Cause: "other text"}, true},
		{"reference rejected definition", ok, ok, referenceResult{Status: "REJECTED", Error: "InvalidDefinition"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff := compareWithReference(tt.expect, tt.got, tt.ref)
			if (diff == "") != tt.agree {
				t.Errorf("compareWithReference agree=%v, want %v (diff %q)", diff == "", tt.agree, diff)
			}
		})
	}
}

func TestDifferentialSkip(t *testing.T) {
	tests := []struct {
		field  string
		skip   bool
		reason string
		bad    bool
	}{
		{"", false, "", false},
		{"skip: library fills StartTime itself", true, "library fills StartTime itself", false},
		{"skip:", false, "", true},
		{"ignore", false, "", true},
	}
	for _, tt := range tests {
		reason, skip, err := differentialSkip(tt.field)
		if (err != nil) != tt.bad || skip != tt.skip || reason != tt.reason {
			t.Errorf("differentialSkip(%q) = %q, %v, %v; want %q, %v, error %v", tt.field, reason, skip, err, tt.reason, tt.skip, tt.bad)
		}
	}
}

func TestParseReferenceOutput(t *testing.T) {
	out := []byte(`{"path":"/c/a.json","status":"SUCCEEDED","output":{"x":1}}` + "\n\n" +
		`{"path":"/c/b.json","status":"FAILED","error":"E","cause":"C"}` + "\n")
	got, err := parseReferenceOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[filepath.Clean("/c/b.json")].Error != "E" || string(got[filepath.Clean("/c/a.json")].Output) != `{"x":1}` {
		t.Errorf("parseReferenceOutput = %+v", got)
	}
	if _, err := parseReferenceOutput([]byte("not json\n")); err == nil {
		t.Error("parseReferenceOutput accepted a line that is not JSON")
	}
	if _, err := parseReferenceOutput([]byte(`{"status":"FAILED"}`)); err == nil {
		t.Error("parseReferenceOutput accepted a result without a path")
	}
}
