package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// TestResumeAfterRestartAtTaskTokenWaits runs the minimal example's Map,
// answers one of three tokens, drops the engine as a killed process would,
// and resumes the execution from a file store in a new engine: the two
// pending tasks must wait for their original tokens without being invoked
// again, and the output must hold all three results.
func TestResumeAfterRestartAtTaskTokenWaits(t *testing.T) {
	def, err := os.ReadFile("testdata/cdk-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store1, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	double := &tokenDouble{tokens: make(chan string, 10)}
	e1 := NewEngine(Options{Invoker: double, Store: store1})
	arn := mustStart(t, e1, string(def), `{"job_name":"demo","model_id":"m","manifest_keys":["a","b","c"]}`)
	// toks[i] is the token of iteration i (job name demo-i).
	toks := make([]string, 3)
	for range 3 {
		tok := <-double.tokens
		double.mu.Lock()
		for _, p := range double.payloads {
			if p["taskToken"] == tok {
				var i int
				if _, err := fmt.Sscanf(p["jobName"].(string), "demo-%d", &i); err != nil {
					t.Fatal(err)
				}
				toks[i] = tok
			}
		}
		double.mu.Unlock()
	}
	if err := e1.SendTaskSuccess(toks[1], json.RawMessage(`{"status":"Completed","n":1}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the answered iteration to finish", func() bool {
		types := eventTypes(t, e1, arn)
		return countType(types, "MapIterationSucceeded") == 1
	})
	e1.Close()

	store2, _ := NewFileStore(dir)
	e2 := NewEngine(Options{Store: store2, Invoker: InvokerFunc(func(context.Context, TaskCall) (json.RawMessage, error) {
		t.Error("a task waiting for its token was invoked again after the restart")
		return nil, errors.New("unexpected invocation")
	})})
	n, err := e2.Resume()
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("resumed %d executions, want 1", n)
	}
	if d, err := e2.Describe(arn); err != nil || d.Status != StatusRunning {
		t.Fatalf("after resume: %+v %v", d, err)
	}
	// The token answered before the restart stays spent.
	if err := e2.SendTaskSuccess(toks[1], json.RawMessage(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("answered token after restart: %v, want ErrTaskTimedOut", err)
	}
	// Pending tokens become valid once the resumed branches wait again.
	for _, i := range []int{2, 0} {
		waitFor(t, "the resumed task to wait for its token", func() bool {
			return e2.SendTaskHeartbeat(toks[i]) == nil
		})
		out, _ := json.Marshal(map[string]any{"status": "Completed", "n": i})
		if err := e2.SendTaskSuccess(toks[i], out); err != nil {
			t.Fatal(err)
		}
	}
	info := mustWait(t, e2, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("status %s %s %s", info.Status, info.Error, info.Cause)
	}
	assertJSON(t, info.Output, `{"job_name":"demo","model_id":"m","manifest_keys":["a","b","c"],
	  "results":[{"status":"Completed","n":0},{"status":"Completed","n":1},{"status":"Completed","n":2}]}`)
	types := eventTypes(t, e2, arn)
	if countType(types, "ExecutionStarted") != 1 || countType(types, "TaskScheduled") != 3 || countType(types, "ExecutionSucceeded") != 1 {
		t.Errorf("history after resume %v", types)
	}

	// A third engine sees the finished execution with its history.
	e3 := NewEngine(Options{Store: store2})
	if n, err := e3.Resume(); err != nil || n != 0 {
		t.Fatalf("Resume of a finished execution: %d %v", n, err)
	}
	d, err := e3.Describe(arn)
	if err != nil || d.Status != StatusSucceeded {
		t.Fatalf("finished execution after reload: %+v %v", d, err)
	}
	assertJSON(t, d.Output, string(info.Output))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := e3.Wait(ctx, arn); err != nil {
		t.Errorf("Wait on a finished, reloaded execution: %v", err)
	}
}

func TestResumeKeepsWaitDeadline(t *testing.T) {
	store := NewMemoryStore()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e1 := NewEngine(Options{Store: store, Clock: clk})
	arn := mustStart(t, e1, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"P"},"P":{"Type":"Pass","Result":"after","End":true}}}`, `{}`)
	waitFor(t, "the wait to start", func() bool { return clk.Waiters() == 1 })
	e1.Close()
	clk.Advance(30 * time.Second) // the process was down for 30s
	e2 := NewEngine(Options{Store: store, Clock: clk})
	if _, err := e2.Resume(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the resumed wait", func() bool { return clk.Waiters() == 2 })
	clk.Advance(29 * time.Second)
	if d, _ := e2.Describe(arn); d.Status != StatusRunning {
		t.Fatalf("the resumed wait ended early: %s", d.Status)
	}
	clk.Advance(time.Second)
	info := mustWait(t, e2, arn)
	assertJSON(t, info.Output, `"after"`)
	if n := countType(eventTypes(t, e2, arn), "WaitStateEntered"); n != 1 {
		t.Errorf("%d WaitStateEntered events, want 1", n)
	}
}
