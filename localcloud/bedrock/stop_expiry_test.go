package bedrock

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

func TestStopWhileRunning(t *testing.T) {
	env := newEnv(t, &echoBackend{delay: 2 * time.Millisecond}, func(c *Config) { c.RecordConcurrency = 2 })
	env.put("inbox", "slow.jsonl", jobtest.Records(300))
	arn := env.create(createInput("stop-me", "s3://inbox/slow.jsonl"))
	env.waitFor(arn, "20 records are processed", func(j Job) bool { return j.ProcessedRecordCount >= 20 })
	if err := env.engine.StopJob(context.Background(), arn); err != nil {
		t.Fatal(err)
	}
	if j, _ := env.engine.GetJob(context.Background(), arn); j.Status != batch.StatusStopping && j.Status != batch.StatusStopped {
		t.Fatalf("right after StopJob the job is %s, want Stopping", j.Status)
	}
	if err := env.engine.StopJob(context.Background(), arn); err != nil && apiCode(err) != CodeConflict {
		t.Fatalf("second StopJob: %v", err)
	}
	j := env.wait(arn)
	if j.Status != batch.StatusStopped || !strings.Contains(j.Message, "stopped after") {
		t.Fatalf("job %v: %q", j, j.Message)
	}
	want := []batch.Status{batch.StatusSubmitted, batch.StatusValidating, batch.StatusScheduled, batch.StatusInProgress, batch.StatusStopping, batch.StatusStopped}
	if got := env.events.statuses(arn); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	lines, sum := env.outputs(arn, "slow.jsonl.out")
	if sum.TotalRecordCount != 300 || sum.ProcessedRecordCount < 20 || sum.ProcessedRecordCount >= 300 ||
		int64(len(lines)) != sum.ProcessedRecordCount || j.ProcessedRecordCount != sum.ProcessedRecordCount {
		t.Fatalf("%d lines, summary %+v, job %v", len(lines), sum, j)
	}
	if err := env.engine.StopJob(context.Background(), arn); apiCode(err) != CodeConflict {
		t.Fatalf("stopping a stopped job: %v, want ConflictException", err)
	}
}

func TestStopBeforeRunning(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clk; c.StepDelay = time.Hour })
	env.put("inbox", "x.jsonl", jobtest.Records(100))
	arn := env.create(createInput("early-stop", "s3://inbox/x.jsonl"))
	if err := env.engine.StopJob(context.Background(), arn); err != nil {
		t.Fatal(err)
	}
	j := env.wait(arn)
	if j.Status != batch.StatusStopped || j.EndTime == nil {
		t.Fatalf("job %v", j)
	}
	want := []batch.Status{batch.StatusSubmitted, batch.StatusStopping, batch.StatusStopped}
	if got := env.events.statuses(arn); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if objs, _ := env.store.List(context.Background(), "outbox", ""); len(objs) != 0 {
		t.Fatalf("a job stopped before it ran wrote %v", objs)
	}
}

func TestStepDelaysFollowTheClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clk; c.StepDelay = 10 * time.Minute })
	env.put("inbox", "x.jsonl", jobtest.Records(100))
	arn := env.create(createInput("paced", "s3://inbox/x.jsonl"))
	for _, want := range []batch.Status{batch.StatusValidating, batch.StatusScheduled, batch.StatusInProgress} {
		waitWaiters(t, clk, 2) // the expiry timer and the step delay
		if j, _ := env.engine.GetJob(context.Background(), arn); j.Status == want {
			t.Fatalf("job reached %s before the clock moved", want)
		}
		clk.Advance(10 * time.Minute)
		env.waitFor(arn, "status "+string(want), func(j Job) bool { return j.Status == want || j.Status.Terminal() })
	}
	j := env.wait(arn)
	if j.Status != batch.StatusCompleted || j.EndTime.Sub(j.SubmitTime) != 30*time.Minute {
		t.Fatalf("job %v ended %v after submission, want Completed after 30m", j, j.EndTime.Sub(j.SubmitTime))
	}
}

func waitWaiters(t *testing.T, clk *clock.Manual, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Waiters() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d clock timers pending, want %d", clk.Waiters(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestExpiresBeforeStarting(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clk; c.StepDelay = 25 * time.Hour })
	env.put("inbox", "x.jsonl", jobtest.Records(100))
	in := createInput("expire", "s3://inbox/x.jsonl")
	in.TimeoutDurationInHours = 24
	arn := env.create(in)
	waitWaiters(t, clk, 2)
	clk.Advance(24 * time.Hour)
	j := env.wait(arn)
	if j.Status != batch.StatusExpired || !strings.Contains(j.Message, "24 hours") {
		t.Fatalf("job %v: %q", j, j.Message)
	}
	if !j.EndTime.Equal(*j.JobExpirationTime) {
		t.Fatalf("ended at %v, expiration time %v", j.EndTime, j.JobExpirationTime)
	}
	want := []batch.Status{batch.StatusSubmitted, batch.StatusExpired}
	if got := env.events.statuses(arn); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestExpiresOnScaledClock(t *testing.T) {
	// A day passes in about 90 ms of wall time.
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clock.NewScaled(1e6); c.StepDelay = 100 * time.Hour })
	arn := env.create(createInput("scaled", "s3://inbox/x.jsonl"))
	if j := env.wait(arn); j.Status != batch.StatusExpired {
		t.Fatalf("job %v", j)
	}
}

func TestTimeoutWhileRunning(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv(t, &echoBackend{delay: 2 * time.Millisecond}, func(c *Config) { c.Clock = clk; c.RecordConcurrency = 2 })
	env.put("inbox", "long.jsonl", jobtest.Records(2000))
	arn := env.create(createInput("long", "s3://inbox/long.jsonl"))
	env.waitFor(arn, "10 records are processed", func(j Job) bool { return j.ProcessedRecordCount >= 10 })
	clk.Advance(48 * time.Hour)
	j := env.wait(arn)
	if j.Status != batch.StatusPartiallyCompleted || !strings.Contains(j.Message, "within the timeout of 48 hours") {
		t.Fatalf("job %v: %q", j, j.Message)
	}
	lines, sum := env.outputs(arn, "long.jsonl.out")
	if sum.ProcessedRecordCount >= 2000 || int64(len(lines)) != sum.ProcessedRecordCount || sum.TotalRecordCount != 2000 {
		t.Fatalf("%d lines, summary %+v", len(lines), sum)
	}
}
