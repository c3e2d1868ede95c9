package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// echoBackend answers {"echo": n} for a modelInput {"n": n}. Every record
// whose n is a multiple of failEvery fails with a 400 record error, and a
// success costs n%7+1 input and 3 output tokens: the counts of a job are
// known in advance.
type echoBackend struct {
	failEvery int
	delay     time.Duration

	mu    sync.Mutex
	calls map[int]int // n → completed calls
}

func (b *echoBackend) Invoke(ctx context.Context, req backend.Request) (backend.Response, error) {
	var in struct{ N int }
	if err := json.Unmarshal(req.Body, &in); err != nil {
		return backend.Response{}, &model.RecordError{Code: 400, Message: "bad input: " + err.Error()}
	}
	if b.delay > 0 {
		select {
		case <-time.After(b.delay):
		case <-ctx.Done():
			return backend.Response{}, ctx.Err()
		}
	}
	b.mu.Lock()
	if b.calls == nil {
		b.calls = map[int]int{}
	}
	b.calls[in.N]++
	b.mu.Unlock()
	if b.failEvery > 0 && in.N%b.failEvery == 0 {
		return backend.Response{}, &model.RecordError{Code: 400, Message: fmt.Sprintf("record %d rejected", in.N)}
	}
	return backend.Response{Body: json.RawMessage(fmt.Sprintf(`{"echo":%d}`, in.N)), InputTokens: in.N%7 + 1, OutputTokens: 3}, nil
}

func (b *echoBackend) callCounts() map[int]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[int]int, len(b.calls))
	for k, v := range b.calls {
		out[k] = v
	}
	return out
}

// eventLog records published events.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) Publish(_ context.Context, ev Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
	return nil
}

func (l *eventLog) statuses(arn string) []batch.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []batch.Status
	for _, ev := range l.events {
		if ev.Detail.BatchJobArn == arn {
			out = append(out, ev.Detail.Status)
		}
	}
	return out
}

func (l *eventLog) last(arn string) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].Detail.BatchJobArn == arn {
			return l.events[i]
		}
	}
	return Event{}
}

type testEnv struct {
	t       *testing.T
	dataDir string
	store   *S3Store
	events  *eventLog
	backend backend.Backend
	cfg     Config
	engine  *Engine
}

// newEnv makes a store with buckets "inbox" and "outbox" and an engine over a
// fresh data directory; change adjusts the configuration first. The engine
// is started unless change sets noStart.
func newEnv(t *testing.T, be backend.Backend, change func(*Config)) *testEnv {
	t.Helper()
	root := t.TempDir()
	store := NewS3Store(cloudtest.S3(t, root+"/s3", "inbox", "outbox"))
	env := &testEnv{t: t, dataDir: root + "/data", store: store, events: &eventLog{}, backend: be}
	env.cfg = Config{
		DataDir:            env.dataDir,
		Store:              store,
		Events:             env.events,
		Backends:           jobtest.Backends(func() backend.Backend { return env.backend }),
		CheckpointInterval: 10 * time.Millisecond,
		// Jobs move on at once; httpapi's TestNewJobReadsBackSubmitted
		// covers the default.
		SubmittedTime: -1,
	}
	if change != nil {
		change(&env.cfg)
	}
	env.open(true)
	return env
}

// open makes a new engine over the environment's data directory.
func (env *testEnv) open(start bool) {
	env.t.Helper()
	e, err := New(env.cfg)
	if err != nil {
		env.t.Fatal(err)
	}
	env.engine = e
	env.t.Cleanup(func() { e.Close() })
	if start {
		if err := e.Start(); err != nil {
			env.t.Fatal(err)
		}
	}
}

func (env *testEnv) put(bucket, key, body string) {
	env.t.Helper()
	if err := env.store.Put(context.Background(), bucket, key, strings.NewReader(body)); err != nil {
		env.t.Fatal(err)
	}
}

func (env *testEnv) get(bucket, key string) string {
	env.t.Helper()
	rc, err := env.store.Get(context.Background(), bucket, key)
	if err != nil {
		env.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		env.t.Fatal(err)
	}
	return string(b)
}

func createInput(name, inURI string) CreateJobInput {
	return CreateJobInput{
		JobName:          name,
		RoleArn:          jobtest.Role,
		ModelID:          jobtest.Model,
		InputDataConfig:  batch.InputDataConfig{S3InputDataConfig: batch.S3InputDataConfig{S3URI: inURI}},
		OutputDataConfig: batch.OutputDataConfig{S3OutputDataConfig: batch.S3OutputDataConfig{S3URI: "s3://outbox/results/"}},
	}
}

func (env *testEnv) create(in CreateJobInput) string {
	env.t.Helper()
	arn, err := env.engine.CreateJob(context.Background(), in)
	if err != nil {
		env.t.Fatalf("CreateJob: %v", err)
	}
	return arn
}

// wait blocks until the job ends and returns it.
func (env *testEnv) wait(arn string) Job {
	env.t.Helper()
	done, err := env.engine.Done(arn)
	if err != nil {
		env.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		j, _ := env.engine.GetJob(context.Background(), arn)
		env.t.Fatalf("job did not finish: %v", j)
	}
	j, err := env.engine.GetJob(context.Background(), arn)
	if err != nil {
		env.t.Fatal(err)
	}
	return j
}

// waitFor polls until cond holds for the job.
func (env *testEnv) waitFor(arn, what string, cond func(Job) bool) Job {
	env.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := env.engine.GetJob(context.Background(), arn)
		if err != nil {
			env.t.Fatal(err)
		}
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			env.t.Fatalf("timed out waiting until %s: %v", what, j)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// outputs reads a job's output file and summary from the store.
func (env *testEnv) outputs(arn, file string) ([]manifest.OutputLine, manifest.Summary) {
	env.t.Helper()
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	prefix := "results/" + id + "/"
	rd := manifest.NewOutputReader(strings.NewReader(env.get("outbox", prefix+file)), file, 0)
	var lines []manifest.OutputLine
	for {
		l, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			env.t.Fatal(err)
		}
		lines = append(lines, l)
	}
	sum, err := manifest.ReadSummary(bytes.NewReader([]byte(env.get("outbox", prefix+manifest.SummaryName))))
	if err != nil {
		env.t.Fatal(err)
	}
	return lines, sum
}

func apiCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}
