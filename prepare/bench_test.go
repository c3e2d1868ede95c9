package prepare_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/internal/benchmem"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// BenchmarkPrepareCSV prepares a generated CSV of about
// $BEDROCKBATCH_BENCH_BYTES (default 1 GiB; rows of about 1 KiB) for
// Claude, and reports records per second and the peak resident memory of
// the run, without the generation:
//
//	go test -run '^$' -bench PrepareCSV -benchtime 1x ./prepare
func BenchmarkPrepareCSV(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "big.csv")
	rows := writeBigCSV(b, in, benchmem.InputBytes())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := filepath.Join(dir, fmt.Sprint("out", i))
		reset := benchmem.Reset()
		cpu := benchmem.CPUSeconds()
		b.StartTimer()
		res, err := prepare.Run(context.Background(), prepare.Options{
			Input: in, ModelID: "anthropic.claude-3-haiku-20240307-v1:0", Out: out, TempDir: dir, IDColumn: "id",
			Templates: []prepare.Template{{Text: "Summarize this review of {{.product}}: {{.text}}"}}, System: "You summarize reviews.", MaxTokens: 200,
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Records != rows {
			b.Fatalf("%d records from %d rows", res.Records, rows)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds()*float64(i+1), "records/s")
		b.ReportMetric(float64(rows)/(benchmem.CPUSeconds()-cpu), "records/cpu-s")
		if reset {
			b.ReportMetric(benchmem.PeakMB(), "peak-RSS-MiB")
		}
		os.RemoveAll(out)
		b.StartTimer()
	}
}

// writeBigCSV writes rows of about 1 KiB up to size bytes.
func writeBigCSV(b *testing.B, path string, size int64) int {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id,product,text\n")
	words := strings.Repeat("the tea was fresh, \"\"fragrant\"\" and arrived quickly; ", 18)
	var written int64
	rows := 0
	for written < size {
		rows++
		n, _ := fmt.Fprintf(w, "rv-%d,product %d,\"%s %d\"\n", rows, rows%977, words, rows)
		written += int64(n)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return rows
}
