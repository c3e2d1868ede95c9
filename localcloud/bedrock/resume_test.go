package bedrock

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// checkExactlyOnce asserts that the job's output holds records r1…rn once each.
func checkExactlyOnce(t *testing.T, env *testEnv, arn, file string, n int) {
	t.Helper()
	lines, sum := env.outputs(arn, file)
	seen := map[string]int{}
	for _, l := range lines {
		seen[l.RecordID]++
	}
	for i := 1; i <= n; i++ {
		if c := seen[fmt.Sprintf("r%d", i)]; c != 1 {
			t.Fatalf("record r%d is in the output %d times", i, c)
		}
	}
	if len(lines) != n || sum.ProcessedRecordCount != int64(n) || sum.SuccessRecordCount != int64(n) {
		t.Fatalf("%d lines, summary %+v", len(lines), sum)
	}
}

func TestCloseMidJobAndResume(t *testing.T) {
	slow := &echoBackend{delay: time.Millisecond}
	env := newEnv(t, slow, func(c *Config) { c.RecordConcurrency = 4; c.CheckpointRecords = 10 })
	env.put("inbox", "resume.jsonl", jobtest.Records(600))
	arn := env.create(createInput("resume", "s3://inbox/resume.jsonl"))
	env.waitFor(arn, "100 records are processed", func(j Job) bool { return j.ProcessedRecordCount >= 100 })
	env.engine.Close()
	first := slow.callCounts()

	fast := &echoBackend{}
	env.backend = fast
	env.open(false)
	j, _ := env.engine.GetJob(context.Background(), arn)
	if j.Status != batch.StatusInProgress || j.ProcessedRecordCount < 100 {
		t.Fatalf("after reopening: %v", j)
	}
	if err := env.engine.Start(); err != nil {
		t.Fatal(err)
	}
	if j := env.wait(arn); j.Status != batch.StatusCompleted || j.ProcessedRecordCount != 600 {
		t.Fatalf("job %v", j)
	}
	second := fast.callCounts()
	for n := 1; n <= 600; n++ {
		if first[n]+second[n] != 1 {
			t.Fatalf("record %d ran %d times before the restart and %d after", n, first[n], second[n])
		}
	}
	if len(first) < 100 || len(second) == 0 {
		t.Fatalf("%d records ran before the restart, %d after", len(first), len(second))
	}
	checkExactlyOnce(t, env, arn, "resume.jsonl.out", 600)
	want := []batch.Status{batch.StatusSubmitted, batch.StatusValidating, batch.StatusScheduled, batch.StatusInProgress, batch.StatusCompleted}
	if got := env.events.statuses(arn); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v (no status repeated on resume)", got, want)
	}
}

const childEnv = "BEDROCK_ENGINE_TEST_CHILD_ROOT"

// TestEngineChildProcess is not a test of its own: TestKillMidJobAndResume
// runs it in a child process, which it then kills.
func TestEngineChildProcess(t *testing.T) {
	root := os.Getenv(childEnv)
	if root == "" {
		t.Skip("runs only as the child of TestKillMidJobAndResume")
	}
	store := NewS3Store(cloudtest.S3(t, filepath.Join(root, "s3")))
	e, err := New(Config{
		DataDir:            filepath.Join(root, "data"),
		Store:              store,
		Backends:           func(model.ID) (backend.Backend, error) { return &echoBackend{delay: time.Millisecond}, nil },
		RecordConcurrency:  4,
		CheckpointRecords:  5,
		CheckpointInterval: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Second) // killed long before
}

func TestKillMidJobAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	env := newEnv(t, &echoBackend{}, nil)
	env.engine.Close()
	env.open(false)
	env.put("inbox", "kill.jsonl", jobtest.Records(1000))
	arn := env.create(createInput("kill", "s3://inbox/kill.jsonl"))
	env.engine.Close()

	root := filepath.Dir(env.dataDir)
	cmd := exec.Command(os.Args[0], "-test.run=^TestEngineChildProcess$")
	cmd.Env = append(os.Environ(), childEnv+"="+root)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	journal := filepath.Join(env.dataDir, "jobs", id, "input-0.journal")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if st, _ := scanJournal(journal); st.done.count() >= 200 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child made no progress: %s", out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// A write cut short by the kill leaves half a line at the end.
	f, err := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`c 4096 999 0 0 0 9`)
	f.Close()
	st, err := scanJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	done := st.done.count()
	if done < 200 || done >= 1000 {
		t.Fatalf("%d records finished before the kill", done)
	}

	after := &echoBackend{}
	env.backend = after
	env.open(true)
	if j := env.wait(arn); j.Status != batch.StatusCompleted || j.ProcessedRecordCount != 1000 {
		t.Fatalf("job %v", j)
	}
	calls := after.callCounts()
	for n := 1; n <= 1000; n++ {
		if st.done.has(n-1) && calls[n] != 0 {
			t.Fatalf("record r%d finished before the kill and ran again", n)
		}
	}
	if len(calls) != 1000-done {
		t.Fatalf("%d records ran after the restart, want %d", len(calls), 1000-done)
	}
	checkExactlyOnce(t, env, arn, "kill.jsonl.out", 1000)
}
