package bedrock

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// claudeRecords makes n Anthropic Messages records, each a short prompt.
func claudeRecords(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"recordId":"rec%06d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":128,`+
			`"messages":[{"role":"user","content":[{"type":"text","text":"Summarise customer review %d: the product arrived on time, works as described, and the battery lasts two days."}]}]}}`+"\n", i, i)
	}
	return b.String()
}

// rawParse reads and parses every record of a file, as the baseline the
// engine's rate is compared with.
func rawParse(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rd := manifest.NewReader(f, path, 0)
	n := 0
	for {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// decodeParse reads every line of a file and decodes it fully with
// encoding/json, modelInput included: what parsing a JSON Lines file means
// for most programs, as a second baseline beside the manifest reader, which
// only scans modelInput without building its values.
func decodeParse(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	n := 0
	for sc.Scan() {
		var rec struct {
			RecordID   string `json:"recordId"`
			ModelInput any    `json:"modelInput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}

// constBackend answers every record with the same small body: the engine's
// own cost, without a model's.
type constBackend struct{}

func (constBackend) Invoke(context.Context, backend.Request) (backend.Response, error) {
	return backend.Response{Body: []byte(`{"completion":"ok"}`), InputTokens: 10, OutputTokens: 2}, nil
}

// BenchmarkEngineThroughput runs a 50,000-record job through the engine and,
// in the same run, reads and parses the same file; it reports both rates and
// engine/raw. With the sim backend the figure includes the simulator's work
// per record; with the constant backend it is the engine's own overhead.
func BenchmarkEngineThroughput(b *testing.B) {
	sim, err := backend.NewSim(backend.SimOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sim", func(b *testing.B) { benchEngine(b, sim) })
	b.Run("const", func(b *testing.B) { benchEngine(b, constBackend{}) })
}

func benchEngine(b *testing.B, be backend.Backend) {
	const n = 50_000
	root := b.TempDir()
	store := NewS3Store(cloudtest.S3(b, filepath.Join(root, "s3"), "inbox", "outbox"))
	path := filepath.Join(root, "bench.jsonl")
	if err := os.WriteFile(path, []byte(claudeRecords(n)), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	err = store.Put(context.Background(), "inbox", "bench.jsonl", f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Config{
		DataDir:         filepath.Join(root, "data"),
		Store:           store,
		Backends:        func(model.ID) (backend.Backend, error) { return be, nil },
		MaxJobsPerModel: 1000,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	var rawTime, decodeTime, engineTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		got, err := rawParse(path)
		if err != nil || got != n {
			b.Fatalf("parsed %d records: %v", got, err)
		}
		rawTime += time.Since(start)

		start = time.Now()
		if got, err := decodeParse(path); err != nil || got != n {
			b.Fatalf("decoded %d records: %v", got, err)
		}
		decodeTime += time.Since(start)

		start = time.Now()
		arn, err := e.CreateJob(context.Background(), createInput(fmt.Sprintf("bench-%d", i), "s3://inbox/bench.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		done, _ := e.Done(arn)
		<-done
		engineTime += time.Since(start)
		j, _ := e.GetJob(context.Background(), arn)
		if j.Status != batch.StatusCompleted || j.SuccessRecordCount != n {
			b.Fatalf("job %v: %s", j, j.Message)
		}
	}
	raw := float64(n*b.N) / rawTime.Seconds()
	eng := float64(n*b.N) / engineTime.Seconds()
	b.ReportMetric(raw, "raw-records/s")
	b.ReportMetric(eng, "engine-records/s")
	dec := float64(n*b.N) / decodeTime.Seconds()
	b.ReportMetric(raw, "raw-records/s")
	b.ReportMetric(eng/raw, "engine/raw")
	b.ReportMetric(dec, "decode-records/s")
	b.ReportMetric(eng/dec, "engine/decode")
}
