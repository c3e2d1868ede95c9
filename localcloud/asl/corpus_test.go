package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// corpusCase is one conformance case: a definition, its input, the answers
// its Task states give, and the expected end of the execution.
type corpusCase struct {
	Path         string                     // file path, set by loadCorpus
	Comment      string                     `json:"comment"`
	Definition   json.RawMessage            `json:"definition"`
	Input        json.RawMessage            `json:"input"`
	Context      json.RawMessage            `json:"context"`
	Tasks        map[string]json.RawMessage `json:"tasks"`
	Expect       corpusResult               `json:"expect"`
	Differential string                     `json:"differential"`
}

// corpusResult is how an execution ended.
type corpusResult struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

// corpusRoot is where the conformance cases live.
const corpusRoot = "testdata/conformance"

// corpusStart is the default $$.Execution.StartTime of a case.
var corpusStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// loadCorpus reads every case under testdata/conformance, sorted by path.
func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	var cases []corpusCase
	err := filepath.WalkDir(corpusRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var c corpusCase
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c.Path = path
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatalf("load conformance corpus: %v", err)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Path < cases[j].Path })
	return cases
}

// corpusAnswer is one answer of a case's Task state.
type corpusAnswer struct {
	Result   json.RawMessage   `json:"result"`
	Echo     bool              `json:"echo"`
	Error    string            `json:"error"`
	Cause    string            `json:"cause"`
	Sequence []json.RawMessage `json:"sequence"`
}

// corpusInvoker answers Task states from a case's "tasks", by state name.
// A .waitForTaskToken task is answered through the engine's
// SendTaskSuccess/SendTaskFailure with the same answer.
type corpusInvoker struct {
	tasks  map[string]json.RawMessage
	engine *Engine
	mu     sync.Mutex
	calls  map[string]int
}

func (c *corpusInvoker) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	raw, ok := c.tasks[call.StateName]
	if !ok {
		return nil, &Error{Name: "Corpus.NoTaskAnswer", Cause: fmt.Sprintf("the case gives no answer for the Task state %q", call.StateName)}
	}
	var a corpusAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, &Error{Name: "Corpus.BadTaskAnswer", Cause: err.Error()}
	}
	if len(a.Sequence) > 0 {
		c.mu.Lock()
		n := c.calls[call.StateName]
		c.calls[call.StateName] = n + 1
		c.mu.Unlock()
		if n >= len(a.Sequence) {
			n = len(a.Sequence) - 1
		}
		step := a.Sequence[n]
		a = corpusAnswer{}
		if err := json.Unmarshal(step, &a); err != nil {
			return nil, &Error{Name: "Corpus.BadTaskAnswer", Cause: err.Error()}
		}
	}
	var result json.RawMessage
	var fail *Error
	switch {
	case a.Error != "" || a.Cause != "":
		fail = &Error{Name: a.Error, Cause: a.Cause}
	case a.Echo:
		result = call.Input
	default:
		result = a.Result
		if len(result) == 0 {
			result = json.RawMessage("null")
		}
	}
	if call.TaskToken != "" {
		if fail != nil {
			return nil, c.engine.SendTaskFailure(call.TaskToken, fail.Name, fail.Cause)
		}
		return json.RawMessage("{}"), c.engine.SendTaskSuccess(call.TaskToken, result)
	}
	if fail != nil {
		return nil, fail
	}
	return result, nil
}

// runCorpusCase runs a case on this interpreter, with waits ending at once.
func runCorpusCase(t testing.TB, c corpusCase) corpusResult {
	t.Helper()
	inv := &corpusInvoker{tasks: c.Tasks, calls: map[string]int{}}
	eng := NewEngine(Options{Invoker: inv, Clock: clock.NewManual(corpusStart), SkipWaits: true})
	inv.engine = eng
	sm, err := eng.NewStateMachine("sm", c.Definition)
	if err != nil {
		t.Fatalf("%s: %v", c.Path, err)
	}
	ctxOverride := map[string]any{"Execution": map[string]any{"StartTime": "2026-01-01T00:00:00Z"}}
	if len(c.Context) > 0 {
		v, err := decodeValue(c.Context)
		if err != nil {
			t.Fatalf("%s: context: %v", c.Path, err)
		}
		ctxOverride = mergeContext(ctxOverride, v)
	}
	input := c.Input
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	arn, err := eng.Start(StartInput{StateMachine: sm, Name: "exec", Input: input, Context: encodeValue(ctxOverride)})
	if err != nil {
		t.Fatalf("%s: start: %v", c.Path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := eng.Wait(ctx, arn)
	if err != nil {
		t.Fatalf("%s: the execution did not end: %v", c.Path, err)
	}
	r := corpusResult{Status: info.Status, Error: info.Error, Cause: info.Cause}
	if info.Status == StatusSucceeded {
		r.Output = info.Output
	}
	return r
}

func TestConformance(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) == 0 {
		t.Fatalf("no conformance cases under %s", corpusRoot)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(c.Path), corpusRoot+"/"), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := runCorpusCase(t, c)
			if msg := corpusMismatch(c.Expect, got); msg != "" {
				t.Errorf("%s (%s): %s", c.Path, c.Comment, msg)
			}
		})
	}
}

// corpusMismatch describes how got differs from want, or returns "".
func corpusMismatch(want, got corpusResult) string {
	if want.Status != got.Status {
		return fmt.Sprintf("status %s (error %q, cause %q), want %s", got.Status, got.Error, got.Cause, want.Status)
	}
	if want.Status == StatusSucceeded {
		if eq, err := sameJSON(got.Output, want.Output); err != nil || !eq {
			return fmt.Sprintf("output %s, want %s", got.Output, want.Output)
		}
		return ""
	}
	if want.Error != got.Error {
		return fmt.Sprintf("error %q (cause %q), want %q", got.Error, got.Cause, want.Error)
	}
	if want.Cause != "" && want.Cause != got.Cause {
		return fmt.Sprintf("cause %q, want %q", got.Cause, want.Cause)
	}
	return ""
}

// sameJSON reports whether two outputs hold the same JSON value, an empty
// output reading as null.
func sameJSON(a, b json.RawMessage) (bool, error) {
	va, err := decodeValue(orNullJSON(a))
	if err != nil {
		return false, fmt.Errorf("output %s is not JSON: %w", a, err)
	}
	vb, err := decodeValue(orNullJSON(b))
	if err != nil {
		return false, fmt.Errorf("output %s is not JSON: %w", b, err)
	}
	return valuesEqual(va, vb), nil
}

func orNullJSON(b json.RawMessage) json.RawMessage {
	if len(strings.TrimSpace(string(b))) == 0 {
		return json.RawMessage("null")
	}
	return b
}
