package results_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/benchmem"
	"github.com/bedrockbatch/bedrockbatch/results"
)

// BenchmarkResultsJoin reads generated .jsonl.out files of about
// $BEDROCKBATCH_BENCH_BYTES (default 1 GiB; lines of about 1 KiB in files
// of 50,000, each in reverse order), joins them to their source CSV and
// writes a Parquet table. It reports records per second and the peak
// resident memory of the run, without the generation:
//
//	go test -run '^$' -bench ResultsJoin -benchtime 1x ./results
func BenchmarkResultsJoin(b *testing.B) {
	dir := b.TempDir()
	outs := filepath.Join(dir, "outputs")
	src := filepath.Join(dir, "source.csv")
	records := writeBigOutputs(b, outs, src, benchmem.InputBytes())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := filepath.Join(dir, fmt.Sprint("results", i, ".parquet"))
		reset := benchmem.Reset()
		cpu := benchmem.CPUSeconds()
		b.StartTimer()
		res, err := results.Run(context.Background(), results.Options{Outputs: outs, Join: src, IDColumn: "id", Out: out, TempDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Rows != records || res.Records != records || res.Missing != 0 {
			b.Fatalf("result %+v, want %d joined records", res, records)
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds()*float64(i+1), "records/s")
		b.ReportMetric(float64(records)/(benchmem.CPUSeconds()-cpu), "records/cpu-s")
		if reset {
			b.ReportMetric(benchmem.PeakMB(), "peak-RSS-MiB")
		}
		os.Remove(out)
		b.StartTimer()
	}
}

// writeBigOutputs writes Nova-shaped output lines of about 1 KiB up to
// size bytes, and the source table they answer.
func writeBigOutputs(b *testing.B, dir, source string, size int64) int {
	os.MkdirAll(dir, 0o755)
	sf, err := os.Create(source)
	if err != nil {
		b.Fatal(err)
	}
	sw := bufio.NewWriterSize(sf, 1<<20)
	sw.WriteString("id,product\n")
	text := strings.Repeat("a fresh and fragrant tea ", 16)
	var written int64
	n := 0
	for file := 0; written < size; file++ {
		// Each file's lines in reverse: the service keeps no order.
		first := n + 1
		last := n + 50_000
		var lines int64
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("job%d", file), "part.jsonl.out"))
		if err != nil {
			os.MkdirAll(filepath.Join(dir, fmt.Sprintf("job%d", file)), 0o755)
			if f, err = os.Create(filepath.Join(dir, fmt.Sprintf("job%d", file), "part.jsonl.out")); err != nil {
				b.Fatal(err)
			}
		}
		w := bufio.NewWriterSize(f, 1<<20)
		count := 0
		for id := last; id >= first && written+lines < size+1; id-- {
			k, _ := fmt.Fprintf(w, `{"recordId":"r%d","modelInput":{"messages":[{"role":"user","content":[{"text":"Summarize the review of product %d: %s"}]}],"inferenceConfig":{"maxTokens":200}},"modelOutput":{"output":{"message":{"content":[{"text":"Product %d: %s"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":120,"outputTokens":90,"totalTokens":210}}}`+"\n", id, id, text, id, text)
			lines += int64(k)
			count++
		}
		w.Flush()
		f.Close()
		// The lines written are ids last-count+1 … last.
		for id := last - count + 1; id <= last; id++ {
			fmt.Fprintf(sw, "r%d,product %d\n", id, id%977)
		}
		written += lines
		n = last
	}
	sw.Flush()
	sf.Close()
	return countRows(b, source)
}

func countRows(b *testing.B, path string) int {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rows := -1
	for sc.Scan() {
		rows++
	}
	return rows
}
