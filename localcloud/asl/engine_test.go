package asl

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustStart(t *testing.T, e *Engine, def string, input string) string {
	t.Helper()
	sm, err := e.NewStateMachine("sm", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e.Start(StartInput{StateMachine: sm, Input: json.RawMessage(input)})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func mustWait(t *testing.T, e *Engine, arn string) ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := e.Wait(ctx, arn)
	if err != nil {
		t.Fatalf("execution did not end: %v (status %s)", err, info.Status)
	}
	return info
}

func eventTypes(t *testing.T, e *Engine, arn string) []string {
	t.Helper()
	h, err := e.History(arn)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range h {
		out = append(out, ev.Type)
	}
	return out
}

func countType(types []string, typ string) int {
	n := 0
	for _, t := range types {
		if t == typ {
			n++
		}
	}
	return n
}

// tokenDouble plays the create-job function and the job-event function of
// the minimal example: it records each task token and later answers it.
type tokenDouble struct {
	mu       sync.Mutex
	payloads []map[string]any
	tokens   chan string
}

func (d *tokenDouble) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	var p struct {
		FunctionName string         `json:"FunctionName"`
		Payload      map[string]any `json:"Payload"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.payloads = append(d.payloads, p.Payload)
	d.mu.Unlock()
	tok, _ := p.Payload["taskToken"].(string)
	if tok != call.TaskToken {
		return nil, errors.New("the payload does not carry the task token")
	}
	d.tokens <- tok
	return json.RawMessage(`{"StatusCode":200}`), nil
}

func TestCDKMinimalMapRunsToTheEndWithTokensAnswered(t *testing.T) {
	def, err := os.ReadFile("testdata/cdk-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	double := &tokenDouble{tokens: make(chan string, 10)}
	e := NewEngine(Options{Invoker: double})
	sm, err := e.NewStateMachine("BedrockBatch", def)
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e.Start(StartInput{StateMachine: sm, Name: "run1", Input: json.RawMessage(
		`{"job_name":"demo","model_id":"anthropic.claude-3-haiku","manifest_keys":["in/a.jsonl","in/b.jsonl","in/c.jsonl"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	// Answer the tokens out of order, as job events arrive in any order.
	var toks []string
	for range 3 {
		select {
		case tok := <-double.tokens:
			toks = append(toks, tok)
		case <-time.After(5 * time.Second):
			t.Fatal("the Map did not start three tasks")
		}
	}
	for i := len(toks) - 1; i >= 0; i-- {
		var idx int
		double.mu.Lock()
		for j, p := range double.payloads {
			if p["taskToken"] == toks[i] {
				idx = j
			}
		}
		name := double.payloads[idx]["jobName"].(string)
		double.mu.Unlock()
		out := `{"status":"Completed","bucket":"app-output-bucket","keys":["output/demo/` + name + `.jsonl.out"]}`
		if err := e.SendTaskSuccess(toks[i], json.RawMessage(out)); err != nil {
			t.Fatal(err)
		}
	}
	info := mustWait(t, e, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("status %s (%s: %s)", info.Status, info.Error, info.Cause)
	}
	want := `{"job_name":"demo","model_id":"anthropic.claude-3-haiku","manifest_keys":["in/a.jsonl","in/b.jsonl","in/c.jsonl"],
	"results":[{"status":"Completed","bucket":"app-output-bucket","keys":["output/demo/demo-0.jsonl.out"]},
	{"status":"Completed","bucket":"app-output-bucket","keys":["output/demo/demo-1.jsonl.out"]},
	{"status":"Completed","bucket":"app-output-bucket","keys":["output/demo/demo-2.jsonl.out"]}]}`
	assertJSON(t, info.Output, want)

	double.mu.Lock()
	p0 := double.payloads[0]
	double.mu.Unlock()
	in := p0["inputDataConfig"].(map[string]any)["s3InputDataConfig"].(map[string]any)["s3Uri"].(string)
	if !strings.HasPrefix(in, "s3://app-input-bucket/in/") {
		t.Errorf("s3InputDataConfig.s3Uri = %q", in)
	}
	if out := p0["outputDataConfig"].(map[string]any)["s3OutputDataConfig"].(map[string]any)["s3Uri"]; out != "s3://app-output-bucket/output/demo/" {
		t.Errorf("s3OutputDataConfig.s3Uri = %v", out)
	}

	types := eventTypes(t, e, arn)
	for typ, n := range map[string]int{
		"ExecutionStarted": 1, "MapStateEntered": 1, "MapStateStarted": 1, "MapIterationStarted": 3,
		"TaskScheduled": 3, "TaskStarted": 3, "TaskSubmitted": 3, "TaskSucceeded": 3, "MapIterationSucceeded": 3,
		"MapStateSucceeded": 1, "MapStateExited": 1, "SucceedStateEntered": 1, "ExecutionSucceeded": 1,
	} {
		if got := countType(types, typ); got != n {
			t.Errorf("%d %s events, want %d (history %v)", got, typ, n, types)
		}
	}
	// The tokens are spent: answering again is TaskTimedOut.
	if err := e.SendTaskSuccess(toks[0], json.RawMessage(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("second SendTaskSuccess: %v, want ErrTaskTimedOut", err)
	}
}

func TestCDKMinimalMapFailedJobGoesToFailState(t *testing.T) {
	def, _ := os.ReadFile("testdata/cdk-minimal.json")
	double := &tokenDouble{tokens: make(chan string, 10)}
	e := NewEngine(Options{Invoker: double})
	arn := mustStart(t, e, string(def), `{"job_name":"demo","model_id":"m","manifest_keys":["a","b"]}`)
	tok := <-double.tokens
	if err := e.SendTaskFailure(tok, "Failed", "the manifest has too few records"); err != nil {
		t.Fatal(err)
	}
	info := mustWait(t, e, arn)
	if info.Status != StatusFailed || info.Error != "BatchFailed" || info.Cause != "the manifest has too few records" {
		t.Fatalf("got %s %q %q, want FAILED BatchFailed with the job's message", info.Status, info.Error, info.Cause)
	}
	types := eventTypes(t, e, arn)
	if countType(types, "MapIterationAborted")+countType(types, "MapIterationFailed") < 1 || countType(types, "MapStateFailed") != 1 {
		t.Errorf("history lacks the failed Map: %v", types)
	}
}

func assertJSON(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	g, err1 := decodeValue(got)
	w, err2 := decodeValue([]byte(want))
	if err1 != nil || err2 != nil {
		t.Fatalf("bad JSON: %v %v", err1, err2)
	}
	if !valuesEqual(g, w) {
		t.Fatalf("got %s\nwant %s", got, encodeValue(w))
	}
}

const tokenDef = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
  "Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},%s"End":true}}}`

// tokenCatcher records the tokens of the tasks it starts.
type tokenCatcher struct{ tokens chan string }

func (c tokenCatcher) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	c.tokens <- call.TaskToken
	return nil, nil
}

func TestTaskTokenErrors(t *testing.T) {
	c := tokenCatcher{tokens: make(chan string, 1)}
	e := NewEngine(Options{Invoker: c})
	arn := mustStart(t, e, strings.Replace(tokenDef, "%s", "", 1), `{}`)
	tok := <-c.tokens
	if len(tok) > MaxTaskTokenLength || len(tok) == 0 {
		t.Fatalf("token length %d", len(tok))
	}
	for _, bad := range []string{"", "garbage", strings.Repeat("A", MaxTaskTokenLength+1), tokenPrefix + "!!"} {
		if err := e.SendTaskSuccess(bad, json.RawMessage(`{}`)); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("SendTaskSuccess(%.20q): %v, want ErrInvalidToken", bad, err)
		}
	}
	if err := e.SendTaskSuccess(newTaskToken(), json.RawMessage(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("unknown well-formed token: %v, want ErrTaskTimedOut", err)
	}
	if err := e.SendTaskSuccess(tok, json.RawMessage(`{not json`)); !errors.Is(err, ErrInvalidOutput) {
		t.Errorf("bad output: %v, want ErrInvalidOutput", err)
	}
	if err := e.SendTaskHeartbeat(tok); err != nil {
		t.Errorf("heartbeat: %v", err)
	}
	if err := e.SendTaskSuccess(tok, json.RawMessage(`{"done":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.SendTaskFailure(tok, "E", "C"); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("failure after success: %v, want ErrTaskTimedOut", err)
	}
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `{"done":1}`)
}

func TestHeartbeatTimeoutAndHeartbeats(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := tokenCatcher{tokens: make(chan string, 1)}
	e := NewEngine(Options{Invoker: c, Clock: clk})
	arn := mustStart(t, e, strings.Replace(tokenDef, "%s", `"HeartbeatSeconds":10,`, 1), `{}`)
	tok := <-c.tokens
	waitFor(t, "the heartbeat timer", func() bool { return clk.Waiters() == 1 })
	clk.Advance(8 * time.Second)
	if err := e.SendTaskHeartbeat(tok); err != nil {
		t.Fatal(err)
	}
	// The heartbeat restarts the countdown: 8s later the task still waits.
	waitFor(t, "the renewed heartbeat timer", func() bool { return clk.Waiters() == 2 })
	clk.Advance(8 * time.Second)
	if d, _ := e.Describe(arn); d.Status != StatusRunning {
		t.Fatalf("status %s after a heartbeat, want RUNNING", d.Status)
	}
	clk.Advance(3 * time.Second)
	info := mustWait(t, e, arn)
	if info.Status != StatusFailed || info.Error != ErrHeartbeatTimeout {
		t.Fatalf("got %s %s, want FAILED %s", info.Status, info.Error, ErrHeartbeatTimeout)
	}
	if countType(eventTypes(t, e, arn), "TaskTimedOut") != 1 {
		t.Error("no TaskTimedOut event")
	}
	if err := e.SendTaskSuccess(tok, json.RawMessage(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("answer after timeout: %v, want ErrTaskTimedOut", err)
	}
}

func TestTaskTimeoutIsCaughtAsStatesTimeout(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	blocked := make(chan struct{})
	inv := InvokerFunc(func(ctx context.Context, _ TaskCall) (json.RawMessage, error) {
		<-ctx.Done()
		close(blocked)
		return nil, ctx.Err()
	})
	e := NewEngine(Options{Invoker: inv, Clock: clk})
	arn := mustStart(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","TimeoutSeconds":30,
	  "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"Next":"Right"}],"End":true},
	  "Wrong":{"Type":"Fail","Error":"Wrong"},"Right":{"Type":"Pass","End":true}}}`, `{}`)
	waitFor(t, "the task timer", func() bool { return clk.Waiters() == 1 })
	clk.Advance(30 * time.Second)
	info := mustWait(t, e, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("got %s %s, want the timeout caught by States.Timeout", info.Status, info.Error)
	}
	assertJSON(t, info.Output, `{"Error":"States.Timeout","Cause":"The task did not complete within 30 seconds"}`)
	select {
	case <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("the timed-out invocation's context was not cancelled")
	}
}

func TestStopCancelsTasksAndTokens(t *testing.T) {
	c := tokenCatcher{tokens: make(chan string, 1)}
	var cancelled atomic.Bool
	started := make(chan struct{})
	inv := InvokerFunc(func(ctx context.Context, call TaskCall) (json.RawMessage, error) {
		if call.TaskToken != "" {
			return c.Invoke(ctx, call)
		}
		close(started)
		<-ctx.Done()
		cancelled.Store(true)
		return nil, ctx.Err()
	})
	e := NewEngine(Options{Invoker: inv})
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
	  {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f"},"End":true}}},
	  {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"g"},"End":true}}}]}}}`
	arn := mustStart(t, e, def, `{}`)
	tok := <-c.tokens
	<-started
	info, err := e.Stop(arn, "User.Stop", "stopped by the test")
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != StatusAborted || info.Error != "User.Stop" || info.StopDate.IsZero() {
		t.Fatalf("after Stop: %+v", info)
	}
	waitFor(t, "the running task to see its context cancelled", cancelled.Load)
	if err := e.SendTaskSuccess(tok, json.RawMessage(`{}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("token of a stopped execution: %v, want ErrTaskTimedOut", err)
	}
	types := eventTypes(t, e, arn)
	if types[len(types)-1] != "ExecutionAborted" {
		t.Errorf("last event %s, want ExecutionAborted", types[len(types)-1])
	}
	if _, err := e.Describe("arn:aws:states:us-east-1:123456789012:execution:sm:nope"); !errors.Is(err, ErrExecutionDoesNotExist) {
		t.Errorf("Describe unknown: %v", err)
	}
}

func TestExecutionTimeout(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := NewEngine(Options{Clock: clk})
	arn := mustStart(t, e, `{"TimeoutSeconds":60,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{}`)
	waitFor(t, "both timers", func() bool { return clk.Waiters() == 2 })
	clk.Advance(61 * time.Second)
	info := mustWait(t, e, arn)
	if info.Status != StatusTimedOut || info.Error != ErrTimeout {
		t.Fatalf("got %s %s, want TIMED_OUT States.Timeout", info.Status, info.Error)
	}
}

func TestRetryBackoffIntervals(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var calls atomic.Int32
	var retryCounts []int
	var mu sync.Mutex
	inv := InvokerFunc(func(_ context.Context, call TaskCall) (json.RawMessage, error) {
		mu.Lock()
		retryCounts = append(retryCounts, call.RetryCount)
		mu.Unlock()
		if calls.Add(1) < 4 {
			return nil, &Error{Name: "Lambda.ServiceException", Cause: "try again"}
		}
		return json.RawMessage(`"ok"`), nil
	})
	e := NewEngine(Options{Invoker: inv, Clock: clk})
	arn := mustStart(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
	  "Retry":[{"ErrorEquals":["Lambda.ServiceException"],"IntervalSeconds":2,"MaxAttempts":6,"BackoffRate":2,"MaxDelaySeconds":5}],"End":true}}}`, `{}`)
	// Waits of 2s, 4s, then 8s capped to 5s.
	for i, d := range []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second} {
		waitFor(t, "a retry timer", func() bool { return clk.Waiters() == 1 })
		clk.Advance(d - time.Millisecond)
		if clk.Waiters() != 1 {
			t.Fatalf("retry %d fired before %v", i+1, d)
		}
		clk.Advance(time.Millisecond)
	}
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `"ok"`)
	mu.Lock()
	defer mu.Unlock()
	if len(retryCounts) != 4 || retryCounts[3] != 3 {
		t.Errorf("retry counts seen by the invoker %v, want [0 1 2 3]", retryCounts)
	}
	types := eventTypes(t, e, arn)
	if countType(types, "LambdaFunctionFailed") != 3 || countType(types, "LambdaFunctionSucceeded") != 1 {
		t.Errorf("history %v", types)
	}
}

func TestMapConcurrencyIsBounded(t *testing.T) {
	for _, tc := range []struct {
		maxConc string
		want    int32
	}{{"3", 3}, {"0", 5}} {
		var running, peak atomic.Int32
		inv := InvokerFunc(func(_ context.Context, call TaskCall) (json.RawMessage, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			// Hold the slot until the Map has filled every slot it may
			// (or a while has passed), so the peak shows the bound.
			deadline := time.Now().Add(200 * time.Millisecond)
			for running.Load() < tc.want && time.Now().Before(deadline) {
				time.Sleep(100 * time.Microsecond)
			}
			running.Add(-1)
			return call.Input, nil
		})
		e := NewEngine(Options{Invoker: inv, MapConcurrency: 5})
		arn := mustStart(t, e, `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":`+tc.maxConc+`,"ItemProcessor":{"StartAt":"T","States":{
		  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"i.$":"$"},"OutputPath":"$.i","End":true}}},"End":true}}}`,
			`[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]`)
		info := mustWait(t, e, arn)
		assertJSON(t, info.Output, `[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]`)
		if p := peak.Load(); p != tc.want {
			t.Errorf("MaxConcurrency %s: peak %d concurrent tasks, want %d", tc.maxConc, p, tc.want)
		}
	}
}

// syncInvoker submits a job and reports it done on the third poll.
type syncInvoker struct{ polls atomic.Int32 }

func (s *syncInvoker) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	if call.Pattern != PatternSync {
		return nil, errors.New("want a .sync call")
	}
	return json.RawMessage(`{"JobId":"j-1"}`), nil
}

func (s *syncInvoker) Poll(_ context.Context, _ TaskCall, submitted json.RawMessage) (bool, json.RawMessage, error) {
	if string(submitted) != `{"JobId":"j-1"}` {
		return false, nil, errors.New("poll without the submission")
	}
	if s.polls.Add(1) < 3 {
		return false, nil, nil
	}
	return true, json.RawMessage(`{"JobId":"j-1","Status":"SUCCEEDED"}`), nil
}

func TestSyncTaskIsPolledUntilDone(t *testing.T) {
	inv := &syncInvoker{}
	e := NewEngine(Options{Invoker: inv, SyncPollInterval: time.Millisecond})
	arn := mustStart(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync","End":true}}}`, `{}`)
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `{"JobId":"j-1","Status":"SUCCEEDED"}`)
	if inv.polls.Load() != 3 {
		t.Errorf("%d polls, want 3", inv.polls.Load())
	}
	types := eventTypes(t, e, arn)
	if countType(types, "TaskSubmitted") != 1 || countType(types, "TaskSucceeded") != 1 {
		t.Errorf("history %v", types)
	}
}

func TestHistoryEventsChainAndDetails(t *testing.T) {
	e := NewEngine(Options{})
	arn := mustStart(t, e, `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"Next":"B"},"B":{"Type":"Fail","Error":"E","Cause":"C"}}}`, `{"in":true}`)
	mustWait(t, e, arn)
	h, _ := e.History(arn)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"}
	if len(h) != len(want) {
		t.Fatalf("history %v, want %v", eventTypes(t, e, arn), want)
	}
	for i, ev := range h {
		if ev.Type != want[i] || ev.ID != int64(i+1) || ev.PreviousEventID != int64(i) || ev.Timestamp.IsZero() {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if d := h[0].ExecutionStartedEventDetails; d == nil || d.Input != `{"in":true}` {
		t.Errorf("ExecutionStarted details %+v", d)
	}
	if d := h[2].StateExitedEventDetails; d == nil || d.Name != "A" || d.Output != `{"x":1}` {
		t.Errorf("PassStateExited details %+v", d)
	}
	if d := h[4].ExecutionFailedEventDetails; d == nil || d.Error != "E" || d.Cause != "C" {
		t.Errorf("ExecutionFailed details %+v", d)
	}
	b, _ := json.Marshal(h[1])
	if !strings.Contains(string(b), `"stateEnteredEventDetails":{"name":"A","input":"{\"in\":true}"`) || !strings.Contains(string(b), `"previousEventId":1`) {
		t.Errorf("JSON shape %s", b)
	}
}

func TestStartRejectsDuplicatesAndBadInput(t *testing.T) {
	e := NewEngine(Options{})
	sm, _ := e.NewStateMachine("sm", []byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`))
	if _, err := e.Start(StartInput{StateMachine: sm, Name: "n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(StartInput{StateMachine: sm, Name: "n"}); !errors.Is(err, ErrExecutionAlreadyExists) {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := e.Start(StartInput{StateMachine: sm, Input: json.RawMessage(`{`)}); err == nil {
		t.Error("bad input accepted")
	}
	if _, err := e.Start(StartInput{StateMachine: sm, Name: "a b"}); err == nil {
		t.Error("bad name accepted")
	}
	if n := len(e.Executions("")); n != 1 {
		t.Errorf("%d executions listed, want 1", n)
	}
}

func TestHistoryLimitFailsTheExecution(t *testing.T) {
	e := NewEngine(Options{MaxHistoryEvents: 20})
	arn := mustStart(t, e, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
		`[1,2,3,4,5,6,7,8,9,10]`)
	info := mustWait(t, e, arn)
	if info.Status != StatusFailed || info.Error != ErrRuntime {
		t.Fatalf("got %s %s, want FAILED States.Runtime", info.Status, info.Error)
	}
	h, _ := e.History(arn)
	if len(h) != 21 || h[20].Type != "ExecutionFailed" {
		t.Errorf("%d events ending with %s, want 20 and then ExecutionFailed", len(h), h[len(h)-1].Type)
	}
}

func TestOversizedOutputFailsWithDataLimitExceeded(t *testing.T) {
	half := strings.Repeat("x", MaxPayloadSize/2)
	e := NewEngine(Options{Invoker: InvokerFunc(func(context.Context, TaskCall) (json.RawMessage, error) {
		return json.RawMessage(`{"a":"` + half + `","b":"` + half + `"}`), nil
	})})
	arn := mustStart(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Succeed"}}}`, `{}`)
	info := mustWait(t, e, arn)
	if info.Status != StatusFailed || info.Error != ErrDataLimitExceeded {
		t.Fatalf("got %s %s, want FAILED %s (not caught by States.ALL)", info.Status, info.Error, ErrDataLimitExceeded)
	}
}
