package asl

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"
)

// testdata/minimal-synthesized.json is the state machine that
// `go run ./examples/minimal` synthesizes (the DefinitionString of
// BedrockBatchMinimal.template.json), with its Ref and Fn::GetAtt values
// replaced by example ARNs and a bucket name.

// createJobDouble plays the create-job function: it keeps each request and
// its token; the test then plays the job-event function and answers them.
type createJobDouble struct {
	mu    sync.Mutex
	calls []map[string]any
	seen  chan map[string]any
}

func (d *createJobDouble) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	var p struct {
		FunctionName string         `json:"FunctionName"`
		Payload      map[string]any `json:"Payload"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, err
	}
	if p.Payload["TaskToken"] != call.TaskToken || call.Pattern != PatternWaitForToken {
		return nil, &Error{Name: "Test.BadCall", Cause: "the create-job call does not carry its task token"}
	}
	d.mu.Lock()
	d.calls = append(d.calls, p.Payload)
	d.mu.Unlock()
	d.seen <- p.Payload
	return json.RawMessage(`{"ExecutedVersion":"$LATEST","Payload":null,"StatusCode":200}`), nil
}

func startMinimal(t *testing.T) (*Engine, *createJobDouble, string) {
	t.Helper()
	def, err := os.ReadFile("testdata/minimal-synthesized.json")
	if err != nil {
		t.Fatal(err)
	}
	d := &createJobDouble{seen: make(chan map[string]any, 32)}
	e := NewEngine(Options{Invoker: d, SkipWaits: true})
	sm, err := e.NewStateMachine("BedrockBatchMinimal", def)
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e.Start(StartInput{StateMachine: sm, Name: "minimal-run"})
	if err != nil {
		t.Fatal(err)
	}
	return e, d, arn
}

func nextCall(t *testing.T, d *createJobDouble) map[string]any {
	t.Helper()
	select {
	case p := <-d.seen:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no create-job call")
		return nil
	}
}

func TestSynthesizedMinimalExampleRunsToTheMapsEnd(t *testing.T) {
	e, d, arn := startMinimal(t)
	byKey := map[string]map[string]any{}
	for range 2 {
		p := nextCall(t, d)
		uri := p["inputDataConfig"].(map[string]any)["s3InputDataConfig"].(map[string]any)["s3Uri"].(string)
		byKey[uri] = p
	}
	p1 := byKey["s3://bedrockbatchminimal-bedrockbatchbucket-example/input/manifest-1.jsonl"]
	p2 := byKey["s3://bedrockbatchminimal-bedrockbatchbucket-example/input/manifest-2.jsonl"]
	if p1 == nil || p2 == nil {
		t.Fatalf("create-job inputs %v", byKey)
	}
	if p1["jobName"] != "customer_reviews0" || p2["jobName"] != "customer_reviews1" || p1["modelId"] != "amazon.nova-pro-v1:0" {
		t.Errorf("job names/model: %v %v %v", p1["jobName"], p2["jobName"], p1["modelId"])
	}
	if out := p1["outputDataConfig"].(map[string]any)["s3OutputDataConfig"].(map[string]any)["s3Uri"]; out != "s3://bedrockbatchminimal-bedrockbatchbucket-example/output/customer_reviews/" {
		t.Errorf("output URI %v", out)
	}
	// Job events arrive in any order: the second job finishes first.
	if err := e.SendTaskSuccess(p2["TaskToken"].(string), json.RawMessage(`{"status":"PartiallyCompleted","bucket":"b","keys":["output/customer_reviews/j2/manifest-2.jsonl.out"]}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.SendTaskSuccess(p1["TaskToken"].(string), json.RawMessage(`{"status":"Completed","bucket":"b","keys":["output/customer_reviews/j1/manifest-1.jsonl.out"]}`)); err != nil {
		t.Fatal(err)
	}
	info := mustWait(t, e, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("status %s (%s: %s)", info.Status, info.Error, info.Cause)
	}
	// Step Functions' output: the Map's array of task outputs, in item
	// order, passed through OutputState.
	assertJSON(t, info.Output, `[{"status":"Completed","bucket":"b","keys":["output/customer_reviews/j1/manifest-1.jsonl.out"]},
	  {"status":"PartiallyCompleted","bucket":"b","keys":["output/customer_reviews/j2/manifest-2.jsonl.out"]}]`)
	types := eventTypes(t, e, arn)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "MapStateEntered", "MapStateStarted"}
	for i, w := range want {
		if types[i] != w {
			t.Fatalf("history starts %v, want %v", types[:len(want)], want)
		}
	}
	if tail := types[len(types)-5:]; tail[0] != "MapStateSucceeded" || tail[1] != "MapStateExited" || tail[2] != "PassStateEntered" || tail[4] != "ExecutionSucceeded" {
		t.Errorf("history ends %v", tail)
	}
}

func TestSynthesizedMinimalExampleFailedJobEndsInFailState(t *testing.T) {
	e, d, arn := startMinimal(t)
	p := nextCall(t, d)
	nextCall(t, d)
	if err := e.SendTaskFailure(p["TaskToken"].(string), "Failed", "The input file has no valid records."); err != nil {
		t.Fatal(err)
	}
	info := mustWait(t, e, arn)
	if info.Status != StatusFailed || info.Error != "Failed" || info.Cause != "The input file has no valid records." {
		t.Fatalf("got %s %q %q, want FAILED with the job's status and message from FailState", info.Status, info.Error, info.Cause)
	}
	if n := countType(eventTypes(t, e, arn), "FailStateEntered"); n != 1 {
		t.Errorf("%d FailStateEntered events, want 1", n)
	}
}

func TestSynthesizedMinimalExampleRetriesQuotaErrors(t *testing.T) {
	e, d, arn := startMinimal(t)
	p := nextCall(t, d)
	other := nextCall(t, d)
	// A quota error is retried (waits skipped): a new call, with a new token.
	if err := e.SendTaskFailure(p["TaskToken"].(string), "ServiceQuotaExceededException", "too many jobs"); err != nil {
		t.Fatal(err)
	}
	again := nextCall(t, d)
	if again["TaskToken"] == p["TaskToken"] || again["jobName"] != p["jobName"] {
		t.Fatalf("the retry did not call again with a fresh token: %v", again["jobName"])
	}
	for _, q := range []map[string]any{again, other} {
		if err := e.SendTaskSuccess(q["TaskToken"].(string), json.RawMessage(`{"status":"Completed"}`)); err != nil {
			t.Fatal(err)
		}
	}
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `[{"status":"Completed"},{"status":"Completed"}]`)
}
