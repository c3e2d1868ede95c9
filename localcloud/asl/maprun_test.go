package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMapRunChildrenAreExecutions checks that each child workflow of a
// distributed Map is an execution of its own: its context object names
// itself, not the parent, and it has its own history, listed by Map Run.
func TestMapRunChildrenAreExecutions(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"Label":"L","ItemsPath":"$.list",
		"ItemSelector":{"v.$":"$$.Map.Item.Value","parent.$":"$$.Execution.Id"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{
			"P":{"Type":"Pass","End":true,"Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name",
				"input.$":"$$.Execution.Input","machine.$":"$$.StateMachine.Id","role.$":"$$.Execution.RoleArn","parent.$":"$.parent"}}}}}}}`
	eng := NewEngine(Options{SkipWaits: true})
	sm, err := eng.NewStateMachine("orders", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := eng.Start(StartInput{StateMachine: sm, Name: "e1", Input: json.RawMessage(`{"list":["a","b","c"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := eng.Wait(ctx, arn)
	if err != nil || info.Status != StatusSucceeded {
		t.Fatalf("status %s %s %s (%v)", info.Status, info.Error, info.Cause, err)
	}
	var outs []struct {
		ID, Name, Machine, Role, Parent string
		Input                           map[string]any
	}
	if err := json.Unmarshal(info.Output, &outs); err != nil || len(outs) != 3 {
		t.Fatalf("output %s (%v)", info.Output, err)
	}
	childArn := regexp.MustCompile(`^arn:aws:states:us-east-1:123456789012:execution:orders/L:[0-9a-f-]{36}$`)
	seen := map[string]bool{}
	for i, o := range outs {
		if !childArn.MatchString(o.ID) || !strings.HasSuffix(o.ID, ":"+o.Name) || seen[o.ID] {
			t.Errorf("child %d: $$.Execution.Id %q, Name %q: want its own ARN", i, o.ID, o.Name)
		}
		seen[o.ID] = true
		if o.Parent != arn {
			t.Errorf("child %d: the parent's id through ItemSelector is %q, want %q", i, o.Parent, arn)
		}
		if o.Machine != "arn:aws:states:us-east-1:123456789012:stateMachine:orders/L" || o.Role != sm.RoleArn {
			t.Errorf("child %d: state machine %q, role %q", i, o.Machine, o.Role)
		}
		if want := []string{"a", "b", "c"}[i]; o.Input["v"] != want {
			t.Errorf("child %d: $$.Execution.Input %v, want its item %q", i, o.Input, want)
		}
	}
	var mapRunArn string
	events, _ := eng.History(arn)
	for _, ev := range events {
		if ev.MapRunStartedEventDetails != nil {
			mapRunArn = ev.MapRunStartedEventDetails.MapRunArn
		}
	}
	kids, err := eng.MapRunExecutions(mapRunArn)
	if err != nil || len(kids) != 3 {
		t.Fatalf("map run executions %v (%v)", kids, err)
	}
	for _, k := range kids {
		if !seen[k.ExecutionArn] || k.Status != StatusSucceeded || k.StateMachineArn != "arn:aws:states:us-east-1:123456789012:stateMachine:orders/L" {
			t.Errorf("listed child %+v", k)
		}
		h, err := eng.History(k.ExecutionArn)
		if err != nil || joinedTypes(h) != "ExecutionStarted PassStateEntered PassStateExited ExecutionSucceeded" {
			t.Errorf("child %s history %s (%v)", k.Name, joinedTypes(h), err)
		}
	}
	run, err := eng.DescribeMapRun(mapRunArn)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != StatusSucceeded || run.ExecutionArn != arn || run.ExecutionCounts.Succeeded != 3 || run.ExecutionCounts.Total != 3 ||
		run.ItemCounts.Total != 3 || run.ExecutionCounts.Running != 0 || run.StopDate.IsZero() {
		t.Errorf("map run %+v", run)
	}
	if runs := eng.MapRuns(arn); len(runs) != 1 || runs[0].MapRunArn != mapRunArn {
		t.Errorf("map runs of the execution %+v", runs)
	}
	if _, err := eng.DescribeMapRun(mapRunArn + "x"); err == nil {
		t.Error("an unknown map run was described")
	}
}

// chainOfPasses is a distributed Map whose children run n Pass states.
func chainOfPasses(n int) string {
	var states []string
	for i := 0; i < n; i++ {
		next := fmt.Sprintf(`"Next":"P%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		states = append(states, fmt.Sprintf(`"P%d":{"Type":"Pass",%s}`, i, next))
	}
	return `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"MaxConcurrency":5,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P0","States":{` +
		strings.Join(states, ",") + `}}}}}`
}

// TestMapRunHistoryLimitPerChild checks that the history limit applies to
// each execution on its own: many children do not fill the parent's
// history, and a child that passes the limit fails alone.
func TestMapRunHistoryLimitPerChild(t *testing.T) {
	items := "[" + strings.TrimSuffix(strings.Repeat("1,", 40), ",") + "]"
	for _, c := range []struct {
		passes int
		status string
	}{{2, StatusSucceeded}, {10, StatusFailed}} {
		eng := NewEngine(Options{SkipWaits: true, MaxHistoryEvents: 12})
		sm, err := eng.NewStateMachine("limits", []byte(chainOfPasses(c.passes)))
		if err != nil {
			t.Fatal(err)
		}
		arn, err := eng.Start(StartInput{StateMachine: sm, Input: json.RawMessage(items)})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		info, err := eng.Wait(ctx, arn)
		cancel()
		if err != nil || info.Status != c.status {
			t.Fatalf("%d passes: status %s %s %s (%v), want %s", c.passes, info.Status, info.Error, info.Cause, err, c.status)
		}
		events, _ := eng.History(arn)
		if len(events) > 8 {
			t.Errorf("%d passes: the parent has %d events for 40 children: %s", c.passes, len(events), joinedTypes(events))
		}
		if c.status == StatusFailed {
			if info.Error != ErrExceedToleratedFailureThreshold {
				t.Errorf("error %s", info.Error)
			}
			var failed int
			for _, k := range eng.Executions("arn:aws:states:us-east-1:123456789012:stateMachine:limits/M") {
				if k.Status == StatusFailed {
					failed++
					if !strings.Contains(k.Cause, "maximum number of history events (12)") {
						t.Errorf("child %s failed with %s: %s", k.Name, k.Error, k.Cause)
					}
				}
			}
			if failed == 0 {
				t.Error("no child failed on its history limit")
			}
		}
	}
}

// tokenHolder is a .waitForTaskToken resource that keeps the tokens it is
// given.
type tokenHolder struct {
	mu     sync.Mutex
	tokens map[string]string // token → item
	// fresh counts the calls that were not repeats of an earlier one.
	fresh int
}

func (h *tokenHolder) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !call.Repeated {
		h.fresh++
	}
	var in struct{ Payload struct{ V string } }
	_ = json.Unmarshal(call.Input, &in)
	h.tokens[call.TaskToken] = in.Payload.V
	return json.RawMessage(`{}`), nil
}

func (h *tokenHolder) waitFor(t *testing.T, n int) map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		if len(h.tokens) >= n {
			out := map[string]string{}
			for k, v := range h.tokens {
				out[k] = v
			}
			h.mu.Unlock()
			return out
		}
		h.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d tokens", n)
	return nil
}

// TestMapRunResumes stops the engine while the children wait for their
// task tokens and resumes the Map Run in a new engine: the same children
// continue with the same tokens, none is started twice.
func TestMapRunResumes(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemSelector":{"V.$":"$$.Map.Item.Value"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","End":true,
				"Parameters":{"FunctionName":"f","Payload":{"V.$":"$.V","Token.$":"$$.Task.Token"}}}}}}}}`
	store := NewMemoryStore()
	first := &tokenHolder{tokens: map[string]string{}}
	eng := NewEngine(Options{Store: store, Invoker: first})
	sm, err := eng.NewStateMachine("resume", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := eng.Start(StartInput{StateMachine: sm, Name: "r1", Input: json.RawMessage(`["x","y","z"]`)})
	if err != nil {
		t.Fatal(err)
	}
	first.waitFor(t, 3)
	eng.Close()

	second := &tokenHolder{tokens: map[string]string{}}
	eng2 := NewEngine(Options{Store: store, Invoker: second})
	if n, err := eng2.Resume(); err != nil || n != 4 {
		t.Fatalf("resumed %d executions (%v), want the parent and 3 children", n, err)
	}
	for tok, v := range first.tokens {
		if err := eng2.SendTaskSuccess(tok, json.RawMessage(`"done-`+v+`"`)); err != nil {
			t.Fatalf("answer %s: %v", v, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := eng2.Wait(ctx, arn)
	if err != nil || info.Status != StatusSucceeded || string(info.Output) != `["done-x","done-y","done-z"]` {
		t.Fatalf("status %s output %s %s %s (%v)", info.Status, info.Output, info.Error, info.Cause, err)
	}
	// A call the first engine made but had not seen return is repeated
	// with its token; no child is started again with a new one.
	if second.fresh != 0 {
		t.Errorf("the resumed engine made %d new calls; every child had its token", second.fresh)
	}
	for tok := range second.tokens {
		if _, ok := first.tokens[tok]; !ok {
			t.Errorf("the resumed engine issued a new token %.20s…", tok)
		}
	}
	kids := eng2.Executions("arn:aws:states:us-east-1:123456789012:stateMachine:resume/M")
	if len(kids) != 3 {
		t.Errorf("%d children after the restart, want 3", len(kids))
	}
	// An ended child keeps only its metadata in memory; its input, output
	// and history come back from the store.
	for _, k := range kids {
		x, _ := eng2.lookup(k.ExecutionArn)
		x.read(func() {
			if !x.evicted || x.rec.History != nil || x.rec.Input != nil {
				t.Errorf("child %s still holds its history or input in memory", k.Name)
			}
		})
		info, err := eng2.Describe(k.ExecutionArn)
		if err != nil || !strings.Contains(string(info.Input), `"V":`) || !strings.HasPrefix(string(info.Output), `"done-`) {
			t.Errorf("child %s: input %s output %s (%v)", k.Name, info.Input, info.Output, err)
		}
		h, err := eng2.History(k.ExecutionArn)
		if err != nil || len(h) == 0 || h[len(h)-1].Type != "ExecutionSucceeded" {
			t.Errorf("child %s history %s (%v)", k.Name, joinedTypes(h), err)
		}
	}
	// The Map Run's record outlives the engine: one started after the
	// execution ended describes it as the engine that ran it did.
	runs := eng2.MapRuns(arn)
	if len(runs) != 1 {
		t.Fatalf("%d Map Runs, want 1", len(runs))
	}
	want := runs[0]
	eng2.Close()
	eng3 := NewEngine(Options{Store: store, Invoker: second})
	if _, err := eng3.Resume(); err != nil {
		t.Fatal(err)
	}
	got, err := eng3.DescribeMapRun(want.MapRunArn)
	if err != nil {
		t.Fatalf("DescribeMapRun after a restart: %v", err)
	}
	if got.Status != StatusSucceeded || got.ItemCounts != want.ItemCounts || got.ExecutionCounts != want.ExecutionCounts ||
		got.ItemCounts.Succeeded != 3 || !got.StartDate.Equal(want.StartDate) || !got.StopDate.Equal(want.StopDate) {
		t.Errorf("Map Run after a restart %+v, want %+v", got, want)
	}
}
