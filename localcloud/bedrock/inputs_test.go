package bedrock

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

// listCounter counts the listings of inputs (keys under in/) an
// ObjectStore is asked for.
type listCounter struct {
	ObjectStore
	lists atomic.Int64
}

func (c *listCounter) List(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error) {
	if strings.HasPrefix(prefix, "in/") {
		c.lists.Add(1)
	}
	return c.ObjectStore.List(ctx, bucket, prefix)
}

// TestJobOfOneObjectListsNothing runs a job whose input URI names one of
// several manifests side by side, and one whose URI is their prefix: the
// first reads its object without listing the others (a listing per job
// over a prefix of many manifests grows with their number), the second
// lists the prefix and reads every manifest in it.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ModelInvocationJobS3InputDataConfig.html
func TestJobOfOneObjectListsNothing(t *testing.T) {
	var counter *listCounter
	env := newEnv(t, &echoBackend{}, func(c *Config) {
		counter = &listCounter{ObjectStore: c.Store}
		c.Store = counter
	})
	for _, k := range []string{"in/a.jsonl", "in/b.jsonl", "in/c.jsonl"} {
		env.put("inbox", k, jobtest.Records(100))
	}
	one := env.wait(env.create(createInput("one", "s3://inbox/in/b.jsonl")))
	if one.Status != batch.StatusCompleted || one.TotalRecordCount != 100 {
		t.Fatalf("job of one object: %s with %d records, want Completed with 100", one.Status, one.TotalRecordCount)
	}
	if n := counter.lists.Load(); n != 0 {
		t.Errorf("the job of one object listed its inputs' prefix %d times, want none", n)
	}
	all := env.wait(env.create(createInput("all", "s3://inbox/in/")))
	if all.Status != batch.StatusCompleted || all.TotalRecordCount != 300 {
		t.Fatalf("job of a prefix: %s with %d records, want Completed with 300", all.Status, all.TotalRecordCount)
	}
	if n := counter.lists.Load(); n == 0 {
		t.Error("the job of a prefix never listed it")
	}
}
