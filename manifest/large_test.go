package manifest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// largeEnv turns on TestValidateLargeFileMemory, which writes a 1 GB file.
const largeEnv = "BEDROCKBATCH_LARGE_TESTS"

// TestValidateLargeFileMemory validates a file just under 1 GB (50,000
// records of 21 KB) and reports the peak heap while doing so, which must not
// grow with the file: it is bounded by the chunks in flight and the ids.
//
//	BEDROCKBATCH_LARGE_TESTS=1 go test -run LargeFileMemory -v ./manifest/
func TestValidateLargeFileMemory(t *testing.T) {
	if os.Getenv(largeEnv) == "" {
		t.Skipf("set %s=1 to validate a generated 1 GB file", largeEnv)
	}
	const records, recordBytes = 50_000, 21_000
	path := filepath.Join(t.TempDir(), "large.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	filler := strings.Repeat("lorem ipsum ", recordBytes/12)
	for i := 0; i < records; i++ {
		line := fmt.Sprintf(`{"recordId":"r%07d","modelInput":{"messages":[{"role":"user","content":"%s"}]}}`, i, filler)
		fmt.Fprintln(w, line)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	if st.Size() > DefaultMaxFileBytes {
		t.Fatalf("generated %d bytes, over the 1 GB limit", st.Size())
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	start := time.Now()
	stats, err := ValidateFile(in, path, Limits{})
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != records || stats.Bytes != st.Size() {
		t.Fatalf("stats %+v", stats)
	}
	t.Logf("validated %d bytes, %d records in %v (%.0f MB/s); peak heap in use %.1f MiB (%.1f MiB before); process peak RSS %s",
		st.Size(), records, elapsed, float64(st.Size())/elapsed.Seconds()/1e6,
		float64(peak)/(1<<20), float64(base.HeapInuse)/(1<<20), peakRSS())
	if peak > 128<<20 {
		t.Fatalf("peak heap %d MiB: memory grows with the file", peak>>20)
	}
}

// peakRSS reads the process's peak resident set size from /proc.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
