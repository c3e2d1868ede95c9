package bedrock

import (
	"context"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

// With the fault, a stopped job's tags cannot be listed, as reported of
// the service for jobs in Stopping and Stopped (terraform-provider-aws
// PR #49877); every other status, and the default, reads them.
func TestTagsUnreadableWhenStopped(t *testing.T) {
	for _, fault := range []bool{false, true} {
		clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clk; c.StepDelay = time.Hour; c.TagsUnreadableWhenStopped = fault })
		env.put("inbox", "x.jsonl", jobtest.Records(100))
		in := createInput("tagged", "s3://inbox/x.jsonl")
		in.Tags = []Tag{{Key: "team", Value: "search"}}
		arn := env.create(in)
		if tags, err := env.engine.ListTagsForResource(context.Background(), arn); err != nil || len(tags) != 1 {
			t.Fatalf("fault %v: tags of a submitted job = %v, %v", fault, tags, err)
		}
		if err := env.engine.StopJob(context.Background(), arn); err != nil {
			t.Fatal(err)
		}
		if j := env.wait(arn); j.Status != batch.StatusStopped {
			t.Fatalf("job %v", j)
		}
		tags, err := env.engine.ListTagsForResource(context.Background(), arn)
		if fault && apiCode(err) != CodeValidation {
			t.Errorf("with the fault, tags of a stopped job = %v, %v; want a ValidationException", tags, err)
		}
		if !fault && (err != nil || len(tags) != 1) {
			t.Errorf("without the fault, tags of a stopped job = %v, %v", tags, err)
		}
	}
}
