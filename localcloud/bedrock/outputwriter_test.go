package bedrock

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
)

// paddedRecords makes n records {"n": i, "pad": "…"} of about size bytes
// each, with ids r<i>.
func paddedRecords(n, size int) string {
	pad := strings.Repeat("x", size)
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"n":%d,"pad":"%s"}}`+"\n", i, i, pad)
	}
	return b.String()
}

// TestOutputGoesToS3InParts runs a job whose output is several parts: the
// engine's own files stay near one part while the job runs and shrink to
// its journal at the end; a close after the first part and a restart give
// every record once, with its modelInput whole; finishing the output a
// second time changes nothing.
func TestOutputGoesToS3InParts(t *testing.T) {
	const n, size = 7000, 2000 // about 14 MB of output: parts of 5 MiB
	slow := &echoBackend{delay: 200 * time.Microsecond}
	env := newEnv(t, slow, func(c *Config) {
		c.RecordConcurrency = 4
		c.CheckpointRecords = 100
		c.OutputPartBytes = 1 // raised to S3's 5 MiB minimum
	})
	env.put("inbox", "big.jsonl", paddedRecords(n, size))
	arn := env.create(createInput("parts", "s3://inbox/big.jsonl"))
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	journal := filepath.Join(env.dataDir, "jobs", id, "input-0.journal")

	deadline := time.Now().Add(20 * time.Second)
	var most int64
	for {
		st, err := scanJournal(journal)
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, cloudtest.DirBytes(t, env.dataDir))
		if len(st.parts) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no part was uploaded: %+v", st)
		}
		time.Sleep(2 * time.Millisecond)
	}
	env.engine.Close()
	first := slow.callCounts()
	if len(first) >= n {
		t.Fatalf("all %d records ran before the close; the test needs a job in progress", len(first))
	}
	if limit := int64(minPartBytes + 2<<20); most > limit {
		t.Fatalf("the engine's files reached %d bytes while the job ran; want at most a part and change (%d)", most, limit)
	}

	fast := &echoBackend{}
	env.backend = fast
	env.open(true)
	if j := env.wait(arn); j.Status != batch.StatusCompleted || j.ProcessedRecordCount != n {
		t.Fatalf("job %v", j)
	}
	second := fast.callCounts()
	for i := 1; i <= n; i++ {
		if first[i]+second[i] != 1 {
			t.Fatalf("record %d ran %d times before the restart and %d after", i, first[i], second[i])
		}
	}
	checkExactlyOnce(t, env, arn, "big.jsonl.out", n)
	lines, _ := env.outputs(arn, "big.jsonl.out")
	for _, l := range lines {
		var in struct {
			N   int
			Pad string
		}
		if err := json.Unmarshal(l.ModelInput, &in); err != nil || len(in.Pad) != size || fmt.Sprintf("r%d", in.N) != l.RecordID {
			t.Fatalf("record %s: modelInput %.80s… (%v)", l.RecordID, l.ModelInput, err)
		}
	}
	st, _ := scanJournal(journal)
	if !st.complete || len(st.parts) < 3 {
		t.Fatalf("journal at the end: complete %v, %d parts; want a complete output of 3 parts or more", st.complete, len(st.parts))
	}
	if own := cloudtest.DirBytes(t, env.dataDir); own > 64<<10 {
		t.Fatalf("the engine keeps %d bytes after the job; want its state and journals only", own)
	}

	before := env.get("outbox", "results/"+id+"/big.jsonl.out")
	tl, err := env.engine.finishOutput(context.Background(), journal, "outbox", "results/"+id+"/big.jsonl.out")
	if err != nil || tl.success != n {
		t.Fatalf("finishing again: %+v, %v", tl, err)
	}
	if env.get("outbox", "results/"+id+"/big.jsonl.out") != before {
		t.Fatal("finishing the output again changed it")
	}
}
