package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// minimalWithKeys is the synthesized minimal example with n input
// manifests instead of two.
func minimalWithKeys(t testing.TB, n int) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/minimal-synthesized.json")
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	keys := make([]any, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("input/manifest-%d.jsonl", i)
	}
	def["States"].(map[string]any)["InputState"].(map[string]any)["Parameters"].(map[string]any)["manifest_keys"] = keys
	out, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jobService plays Bedrock and the create-job function: a call creates a
// batch job tagged with the call's task token, and a second call with the
// same token returns the same job, as the real function does through the
// job's client request token. It records every call and notices a second
// job for the same job name.
type jobService struct {
	t *testing.T

	mu     sync.Mutex
	jobs   []fakeJob           // in creation order
	byTok  map[string]int      // token → index in jobs
	byName map[string]string   // job name → token of its job
	calls  []TaskCall          // every Invoke
	onCall func(call TaskCall) // checks each call; may be nil
	// answerInside, when set, answers the token of this job name from
	// inside the call, before the call returns (a job that ends at once).
	answerInside string
	engine       *Engine
	created      chan fakeJob
}

type fakeJob struct {
	ID, Name, Token string
}

func newJobService(t *testing.T, jobs []fakeJob) *jobService {
	s := &jobService{t: t, byTok: map[string]int{}, byName: map[string]string{}, created: make(chan fakeJob, 1000)}
	for _, j := range jobs {
		s.add(j)
	}
	return s
}

func (s *jobService) add(j fakeJob) {
	s.byTok[j.Token] = len(s.jobs)
	s.byName[j.Name] = j.Token
	s.jobs = append(s.jobs, j)
}

func (s *jobService) snapshot() []fakeJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fakeJob(nil), s.jobs...)
}

func (s *jobService) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	var p struct {
		Payload struct {
			TaskToken string `json:"TaskToken"`
			JobName   string `json:"jobName"`
		} `json:"Payload"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, err
	}
	if p.Payload.TaskToken != call.TaskToken || call.TaskToken == "" {
		s.t.Errorf("the call for %s does not carry its task token", p.Payload.JobName)
	}
	if s.onCall != nil {
		s.onCall(call)
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	job, known := fakeJob{}, false
	if i, ok := s.byTok[call.TaskToken]; ok {
		job, known = s.jobs[i], true
	} else {
		if other, dup := s.byName[p.Payload.JobName]; dup {
			s.t.Errorf("a second job was created for %s: token %.12s… after %.12s…", p.Payload.JobName, call.TaskToken, other)
		}
		job = fakeJob{ID: fmt.Sprintf("job-%d", len(s.jobs)), Name: p.Payload.JobName, Token: call.TaskToken}
		s.add(job)
	}
	inside := s.answerInside == job.Name && !known
	s.mu.Unlock()
	if !known {
		s.created <- job
	}
	if inside {
		if err := s.engine.SendTaskSuccess(job.Token, jobResult(job)); err != nil {
			s.t.Errorf("answer from inside the call: %v", err)
		}
	}
	return json.RawMessage(`{"StatusCode":200,"Payload":{"jobArn":"` + job.ID + `"}}`), nil
}

// jobResult is what the job-event function sends for a finished job.
func jobResult(j fakeJob) json.RawMessage {
	return json.RawMessage(`{"status":"Completed","job":"` + j.ID + `","name":"` + j.Name + `"}`)
}

// answerJobs plays the job-event function: every job (those given and
// those created later) is answered once. Answers refused with
// ErrTaskTimedOut are counted: the token was answered before.
func answerJobs(t *testing.T, e *Engine, s *jobService, existing []fakeJob, stop <-chan struct{}) (refused func() int) {
	var mu sync.Mutex
	n := 0
	answer := func(j fakeJob) {
		err := e.SendTaskSuccess(j.Token, jobResult(j))
		if errors.Is(err, ErrTaskTimedOut) {
			mu.Lock()
			n++
			mu.Unlock()
			return
		}
		if err != nil {
			t.Errorf("answer %s: %v", j.Name, err)
		}
	}
	for _, j := range existing {
		answer(j)
	}
	go func() {
		for {
			select {
			case j := <-s.created:
				if j.Name != s.answerInside {
					answer(j)
				}
			case <-stop:
				return
			}
		}
	}()
	return func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// storeSnapshot is the store directory as a kill would leave it, with the
// jobs that existed then.
type storeSnapshot struct {
	label string
	files map[string][]byte
	jobs  []fakeJob
}

// snapshotStore is a FileStore that copies its directory after every
// write, and also keeps what a kill in the middle of an append leaves: the
// previous files with half of the appended line.
type snapshotStore struct {
	*FileStore
	jobs  *jobService
	mu    sync.Mutex
	shots []storeSnapshot
}

func (s *snapshotStore) copyDir(label string) storeSnapshot {
	files := map[string][]byte{}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(s.Dir, e.Name()))
		if err == nil {
			files[e.Name()] = b
		}
	}
	return storeSnapshot{label: label, files: files, jobs: s.jobs.snapshot()}
}

func (s *snapshotStore) Append(arn string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	torn := s.copyDir("")
	name := filepath.Base(s.file(arn))
	torn.files[name] = append(torn.files[name], data[:len(data)/2]...)
	torn.label = fmt.Sprintf("save %d torn", len(s.shots))
	if err := s.FileStore.Append(arn, data); err != nil {
		return err
	}
	s.shots = append(s.shots, torn, s.copyDir(fmt.Sprintf("save %d: %.80s", len(s.shots), data)))
	return nil
}

func (s *snapshotStore) Replace(arn string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.FileStore.Replace(arn, data); err != nil {
		return err
	}
	s.shots = append(s.shots, s.copyDir(fmt.Sprintf("save %d (whole): %.80s", len(s.shots), data)))
	return nil
}

// TestKillAtAnyPointLosesNothing runs the minimal example's Map of
// waitForTaskToken tasks over three manifests with a file store, copying
// the store directory after every save (and in the middle of every
// append), as a kill at that moment would leave it. From every copy a new
// engine resumes the execution while the job-event function answers the
// jobs that existed at the kill and those created since. Every resumed
// execution must succeed with each job's result exactly once, one job per
// manifest, and calls repeated only with the token saved before the kill.
func TestKillAtAnyPointLosesNothing(t *testing.T) {
	t.Run("appends", func(t *testing.T) { killAtAnyPoint(t) })
	// The same with a journal compacted every time it doubles.
	floor := compactFloor
	compactFloor = 0
	defer func() { compactFloor = floor }()
	t.Run("compactions", func(t *testing.T) { killAtAnyPoint(t) })
}

func killAtAnyPoint(t *testing.T) {
	const items = 3
	def := minimalWithKeys(t, items)
	dir := t.TempDir()
	fs, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	jobs := newJobService(t, nil)
	// One job ends before its create-job call has returned.
	jobs.answerInside = "customer_reviews1"
	store := &snapshotStore{FileStore: fs, jobs: jobs}
	e1 := NewEngine(Options{Invoker: jobs, Store: store, SkipWaits: true})
	jobs.engine = e1
	stop := make(chan struct{})
	defer close(stop)
	answerJobs(t, e1, jobs, nil, stop)
	sm, err := e1.NewStateMachine("BedrockBatchMinimal", def)
	if err != nil {
		t.Fatal(err)
	}
	arn, err := e1.Start(StartInput{StateMachine: sm, Name: "kill-test"})
	if err != nil {
		t.Fatal(err)
	}
	first := mustWait(t, e1, arn)
	if first.Status != StatusSucceeded {
		t.Fatalf("the uninterrupted run: %s %s %s", first.Status, first.Error, first.Cause)
	}
	checkMinimalOutput(t, "uninterrupted", first.Output, jobs.snapshot(), items)
	e1.Close()

	store.mu.Lock()
	shots := store.shots
	store.mu.Unlock()
	if len(shots) < 4*items {
		t.Fatalf("only %d snapshots", len(shots))
	}
	var total resumeStats
	for _, shot := range shots {
		st := resumeSnapshot(t, arn, shot, items)
		total.running += st.running
		total.repeated += st.repeated
		total.refused += st.refused
	}
	whole := 0
	for _, shot := range shots {
		if strings.Contains(shot.label, "(whole)") {
			whole++
		}
	}
	t.Logf("%d snapshots (%d after a compaction): %d held a running execution; %d calls repeated with their saved token; %d answers refused as already saved",
		len(shots), whole, total.running, total.repeated, total.refused)
	// The kill points must include each case: before a call returned
	// (repeated), after an answer was saved (refused).
	if total.running < len(shots)-2 || total.repeated == 0 || total.refused == 0 {
		t.Errorf("the snapshots do not cover every kind of kill point")
	}
}

// resumeStats counts what a resumed execution went through.
type resumeStats struct {
	running  int // 1 when the snapshot held a running execution
	repeated int // calls repeated with the saved token
	refused  int // answers refused because the snapshot had them
}

// resumeSnapshot resumes the execution from one snapshot and checks the
// result.
func resumeSnapshot(t *testing.T, arn string, shot storeSnapshot, items int) resumeStats {
	t.Helper()
	dir := t.TempDir()
	for name, b := range shot.files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// saved holds the complete lines of the journals: what the engine
	// reads back.
	var saved []byte
	for _, b := range shot.files {
		saved = append(saved, b[:bytes.LastIndexByte(b, '\n')+1]...)
	}
	fs, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	jobs := newJobService(t, shot.jobs)
	known := map[string]bool{}
	for _, j := range shot.jobs {
		known[j.Token] = true
	}
	jobs.onCall = func(call TaskCall) {
		saved := bytes.Contains(saved, []byte(call.TaskToken))
		switch {
		case call.Repeated && !saved:
			t.Errorf("%s: a call was repeated with a token that was not saved", shot.label)
		case !call.Repeated && saved:
			t.Errorf("%s: the saved token %.12s… was called as new", shot.label, call.TaskToken)
		case !call.Repeated && known[call.TaskToken]:
			t.Errorf("%s: a new call reused a token", shot.label)
		}
	}
	e := NewEngine(Options{Invoker: jobs, Store: fs, SkipWaits: true})
	defer e.Close()
	jobs.engine = e
	n, err := e.Resume()
	if err != nil {
		t.Fatalf("%s: resume: %v", shot.label, err)
	}
	stop := make(chan struct{})
	defer close(stop)
	// The job-event function answers at once, right after Resume.
	refused := answerJobs(t, e, jobs, shot.jobs, stop)
	info, err := e.Describe(arn)
	if err != nil {
		t.Fatalf("%s: %v", shot.label, err)
	}
	if n == 0 && info.Status == StatusRunning {
		t.Fatalf("%s: a running execution was not resumed", shot.label)
	}
	info = mustWait(t, e, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("%s: resumed execution %s %s %s", shot.label, info.Status, info.Error, info.Cause)
	}
	all := jobs.snapshot()
	checkMinimalOutput(t, shot.label, info.Output, all, items)
	h, err := e.History(arn)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i, ev := range h {
		count[ev.Type]++
		if ev.ID != int64(i+1) {
			t.Fatalf("%s: event %d has id %d", shot.label, i+1, ev.ID)
		}
		if d := ev.TaskSucceededEventDetails; d != nil {
			count["result:"+canonicalDoc(t, d.Output)]++
		}
	}
	for _, typ := range []string{"TaskScheduled", "TaskSucceeded", "MapIterationStarted", "MapIterationSucceeded"} {
		if count[typ] != items {
			t.Errorf("%s: %d %s events, want %d", shot.label, count[typ], typ, items)
		}
	}
	// A call whose answer came before it returned, and whose return was
	// lost in the kill, has no TaskSubmitted event.
	if count["TaskSubmitted"] > items {
		t.Errorf("%s: %d TaskSubmitted events for %d tasks", shot.label, count["TaskSubmitted"], items)
	}
	for _, j := range all {
		if c := count["result:"+canonicalDoc(t, string(jobResult(j)))]; c != 1 {
			t.Errorf("%s: the result of %s is in the history %d times", shot.label, j.Name, c)
		}
	}
	if count["ExecutionSucceeded"] != 1 || count["ExecutionStarted"] != 1 {
		t.Errorf("%s: history %v", shot.label, count)
	}
	st := resumeStats{running: n, refused: refused()}
	jobs.mu.Lock()
	for _, c := range jobs.calls {
		if c.Repeated {
			st.repeated++
		}
	}
	jobs.mu.Unlock()
	return st
}

// canonicalDoc re-encodes a JSON document with sorted keys.
func canonicalDoc(t *testing.T, doc string) string {
	t.Helper()
	v, err := decodeValue([]byte(doc))
	if err != nil {
		t.Fatalf("not JSON: %s", doc)
	}
	return string(encodeSorted(v))
}

// checkMinimalOutput checks that the output lists each manifest's job
// result once, in order, and that there is one job per manifest.
func checkMinimalOutput(t *testing.T, label string, output json.RawMessage, jobs []fakeJob, items int) {
	t.Helper()
	if len(jobs) != items {
		t.Errorf("%s: %d jobs, want %d", label, len(jobs), items)
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].Name < jobs[j].Name })
	parts := make([]string, len(jobs))
	for i, j := range jobs {
		parts[i] = string(jobResult(j))
	}
	assertJSON(t, output, "["+strings.Join(parts, ",")+"]")
}

// TestTaskTokenAnswerableRightAfterResume answers the tokens of a resumed
// execution immediately after Resume returns, before its branches had a
// chance to run: Resume registers them itself.
func TestTaskTokenAnswerableRightAfterResume(t *testing.T) {
	const items = 10 // the example's MaxConcurrency
	def := minimalWithKeys(t, items)
	store := NewMemoryStore()
	jobs := newJobService(t, nil)
	e1 := NewEngine(Options{Invoker: jobs, Store: store})
	arn := mustStart(t, e1, string(def), `{}`)
	waitFor(t, "every call to be submitted", func() bool {
		return countType(eventTypes(t, e1, arn), "TaskSubmitted") == items
	})
	e1.Close()
	for range 5 {
		e2 := NewEngine(Options{Invoker: jobs, Store: store})
		if _, err := e2.Resume(); err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs.snapshot() {
			if err := e2.SendTaskHeartbeat(j.Token); err != nil {
				t.Fatalf("heartbeat right after Resume: %v", err)
			}
		}
		e2.Close()
	}
	e3 := NewEngine(Options{Invoker: jobs, Store: store})
	if _, err := e3.Resume(); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.snapshot() {
		if err := e3.SendTaskSuccess(j.Token, jobResult(j)); err != nil {
			t.Fatalf("answer right after Resume: %v", err)
		}
	}
	info := mustWait(t, e3, arn)
	if info.Status != StatusSucceeded {
		t.Fatalf("%s %s %s", info.Status, info.Error, info.Cause)
	}
	checkMinimalOutput(t, "resumed", info.Output, jobs.snapshot(), items)
}

// TestResumeSkipsAnExecutionWhoseFirstSaveWasCut: a journal without one
// complete save belongs to a Start that never returned.
func TestResumeSkipsAnExecutionWhoseFirstSaveWasCut(t *testing.T) {
	store := NewMemoryStore()
	if err := store.Append("arn:aws:states:us-east-1:123456789012:execution:sm:cut", []byte(`{"x":{"executionArn":"arn:aws:sta`)); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(Options{Store: store})
	if n, err := e.Resume(); n != 0 || err != nil {
		t.Fatalf("Resume: %d %v", n, err)
	}
	if list := e.Executions(""); len(list) != 0 {
		t.Errorf("executions %v", list)
	}
}

// TestAnswerSavedBeforeItIsAcknowledged kills the engine right after
// SendTaskSuccess returned, before the execution could act on the answer:
// the resumed execution must still have it.
func TestAnswerSavedBeforeItIsAcknowledged(t *testing.T) {
	store := NewMemoryStore()
	jobs := newJobService(t, nil)
	e1 := NewEngine(Options{Invoker: jobs, Store: store})
	arn := mustStart(t, e1, string(minimalWithKeys(t, 1)), `{}`)
	j := <-jobs.created
	if err := e1.SendTaskSuccess(j.Token, jobResult(j)); err != nil {
		t.Fatal(err)
	}
	e1.Close()
	e2 := NewEngine(Options{Invoker: jobs, Store: store})
	if _, err := e2.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := e2.SendTaskSuccess(j.Token, json.RawMessage(`{"second":"answer"}`)); !errors.Is(err, ErrTaskTimedOut) {
		t.Errorf("a second answer after the restart: %v, want ErrTaskTimedOut", err)
	}
	info := mustWait(t, e2, arn)
	assertJSON(t, info.Output, "["+string(jobResult(j))+"]")
	if n := len(jobs.snapshot()); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

// failingStore fails every write once broken is set.
type failingStore struct {
	*MemoryStore
	mu     sync.Mutex
	broken bool
}

func (s *failingStore) fail() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return errors.New("disk full")
	}
	return nil
}

func (s *failingStore) Append(arn string, data []byte) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.MemoryStore.Append(arn, data)
}

func (s *failingStore) Replace(arn string, data []byte) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.MemoryStore.Replace(arn, data)
}

// TestAnswerNotAcceptedWhenItCannotBeSaved: an answer the store cannot
// keep is refused with an error that says so, and the token stays valid
// for the same answer once the store works again.
func TestAnswerNotAcceptedWhenItCannotBeSaved(t *testing.T) {
	store := &failingStore{MemoryStore: NewMemoryStore()}
	jobs := newJobService(t, nil)
	e := NewEngine(Options{Invoker: jobs, Store: store})
	arn := mustStart(t, e, string(minimalWithKeys(t, 1)), `{}`)
	j := <-jobs.created
	waitFor(t, "the call to be submitted", func() bool { return countType(eventTypes(t, e, arn), "TaskSubmitted") == 1 })
	store.mu.Lock()
	store.broken = true
	store.mu.Unlock()
	err := e.SendTaskSuccess(j.Token, jobResult(j))
	if err == nil || errors.Is(err, ErrTaskTimedOut) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("answer with a broken store: %v", err)
	}
	if d, _ := e.Describe(arn); d.Status != StatusRunning {
		t.Fatalf("the execution went on without a saved answer: %s", d.Status)
	}
	store.mu.Lock()
	store.broken = false
	store.mu.Unlock()
	if err := e.SendTaskSuccess(j.Token, jobResult(j)); err != nil {
		t.Fatalf("the same answer once the store works: %v", err)
	}
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, "["+string(jobResult(j))+"]")
}

// countingStore counts writes and bytes.
type countingStore struct {
	MemoryStore
	mu                sync.Mutex
	appends, replaces int
	bytes, largest    int
	// big counts the appends of more than 64 KiB.
	big int
}

func (s *countingStore) Append(arn string, data []byte) error {
	s.mu.Lock()
	s.appends++
	s.bytes += len(data)
	s.largest = max(s.largest, len(data))
	if len(data) > 64<<10 {
		s.big++
	}
	s.mu.Unlock()
	return s.MemoryStore.Append(arn, data)
}

func (s *countingStore) Replace(arn string, data []byte) error {
	s.mu.Lock()
	s.replaces++
	s.bytes += len(data)
	s.mu.Unlock()
	return s.MemoryStore.Replace(arn, data)
}

// TestSavesGrowWithTheWorkNotWithTheExecution measures the saves of the
// minimal example with 2, 100 and 1,000 manifests. A save holds what
// changed: only the saves that carry all the Map's items (its start, the
// execution's output) grow with the Map; the others are bounded by the
// iterations running at once. The bytes written per iteration stay about
// the same however many iterations there are.
func TestSavesGrowWithTheWorkNotWithTheExecution(t *testing.T) {
	type measure struct{ saves, bytes, largest, big, stored int }
	run := func(items int) measure {
		store := &countingStore{MemoryStore: MemoryStore{journals: map[string][]byte{}}}
		jobs := newJobService(t, nil)
		e := NewEngine(Options{Invoker: jobs, Store: store})
		defer e.Close()
		sm, err := e.NewStateMachine("BedrockBatchMinimal", minimalWithKeys(t, items))
		if err != nil {
			t.Fatal(err)
		}
		arn, err := e.Start(StartInput{StateMachine: sm})
		if err != nil {
			t.Fatal(err)
		}
		for range items {
			select {
			case j := <-jobs.created:
				if err := e.SendTaskSuccess(j.Token, jobResult(j)); err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no create-job call")
			}
		}
		if info := mustWait(t, e, arn); info.Status != StatusSucceeded {
			t.Fatalf("%d items: %s", items, info.Status)
		}
		all, _ := store.Load()
		store.mu.Lock()
		defer store.mu.Unlock()
		m := measure{saves: store.appends + store.replaces, bytes: store.bytes, largest: store.largest, big: store.big, stored: len(all[0])}
		t.Logf("%4d items: %5d saves (%d whole), %9d bytes written (%5d per item), largest append %7d bytes, %d over 64 KiB, journal %8d bytes",
			items, m.saves, store.replaces, m.bytes, m.bytes/items, m.largest, m.big, m.stored)
		return m
	}
	hundred := run(100)
	thousand := run(1000)
	run(2)
	if hundred.big > 2 || thousand.big > 2 {
		t.Errorf("saves over 64 KiB: %d with 100 items, %d with 1,000; only the Map's start and the execution's end may be that large", hundred.big, thousand.big)
	}
	if per100, per1000 := hundred.bytes/100, thousand.bytes/1000; per1000 > 2*per100 {
		t.Errorf("bytes written per item grow with the Map: %d for 100 items, %d for 1,000", per100, per1000)
	}
}
