// Command footprint measures what `local run --input` costs for a large
// job: it writes manifests of Amazon Nova records (the bundled sample's
// prompts under new record ids) to a temporary directory, copies them once
// as the baseline, runs the local run workflow on them in a child process
// with the sim backend and prints, beside the copy, the run's peak memory,
// the bytes the engine keeps besides the S3 objects, and the time.
//
//	go run ./bench/footprint -records 1000000 -files 20
//
// The child runs once on a tiny input first, so the measured run reuses the
// synthesized assembly and its peak memory is the run's own, not Node's.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// childEnv, set to "<data dir>\n<input dir>", makes the program the child
// that runs the workflow.
const childEnv = "BEDROCKBATCH_FOOTPRINT_CHILD"

// Profiles the measured run writes, when asked for.
var cpuProfile, memProfile string

// Targets of the footprint.
const (
	targetRSS       = 256 << 20 // bytes at one million records
	targetOwnRatio  = 0.25      // engine's own files / input
	targetTimeRatio = 3.0       // run / copy
)

func main() {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := child(spec); err != nil {
			fmt.Fprintln(os.Stderr, "footprint child:", err)
			os.Exit(1)
		}
		return
	}
	records := flag.Int("records", 1_000_000, "records in all manifests")
	files := flag.Int("files", 20, "manifests the records are spread over")
	dir := flag.String("dir", "", "working directory (default: a new temporary one, removed afterwards)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write the measured run's CPU profile to this file")
	flag.StringVar(&memProfile, "memprofile", "", "write the measured run's heap profile, taken at its end, to this file")
	flag.Parse()
	if err := run(*records, *files, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

func run(records, files int, dir string) error {
	if records < files || files < 1 {
		return fmt.Errorf("-records %d -files %d: give at least one record per file", records, files)
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "footprint-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	input, warmInput := filepath.Join(dir, "input"), filepath.Join(dir, "warm-input")
	data, warmData := filepath.Join(dir, "data"), filepath.Join(dir, "warm-data")
	for _, d := range []string{input, warmInput, data, warmData, filepath.Join(dir, "copy")} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	inputBytes, err := writeManifests(input, records, files)
	if err != nil {
		return err
	}
	if _, err := writeManifests(warmInput, files, files); err != nil {
		return err
	}
	fmt.Printf("input: %d records in %d manifests, %d MB (%s)\n", records, files, inputBytes>>20, input)

	copyTime, err := copyTree(input, filepath.Join(dir, "copy"), copyBuffered)
	if err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(dir, "copy"))
	kernelCopyTime, err := copyTree(input, filepath.Join(dir, "copy"), io.Copy)
	if err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(dir, "copy"))

	// The warm-up synthesizes the app for the same manifest names; the
	// measured run finds that assembly in its data directory and reuses it.
	if _, err := runChild(warmData, warmInput); err != nil {
		return fmt.Errorf("warm-up run: %w", err)
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	if err := os.Rename(localrun.AssemblyDir(warmData), localrun.AssemblyDir(data)); err != nil {
		return err
	}
	os.RemoveAll(warmData)

	peakOwn := &peak{}
	stop := sample(data, peakOwn)
	m, err := runChild(data, input, "CPUPROFILE="+cpuProfile, "MEMPROFILE="+memProfile)
	stop()
	if err != nil {
		return err
	}
	sizes, err := measure(data)
	if err != nil {
		return err
	}
	peakOwn.observe(sizes.own)
	if m.Result.Totals.SuccessRecordCount != int64(records) {
		return fmt.Errorf("the run succeeded on %d of %d records (status %s)", m.Result.Totals.SuccessRecordCount, records, m.Result.Status)
	}

	runTime := m.Result.Times.Upload + m.Result.Times.Execution
	fmt.Printf("run: status %s, reused assembly %v, %d records succeeded; child wall %s, CPU %s (deploy %s, upload %s, execution %s)\n",
		m.Result.Status, m.Result.Reused, m.Result.Totals.SuccessRecordCount, m.Wall.Round(time.Millisecond), m.CPU.Round(time.Millisecond),
		m.Result.Times.Deploy.Round(time.Millisecond), m.Result.Times.Upload.Round(time.Millisecond),
		m.Result.Times.Execution.Round(time.Millisecond))
	fmt.Printf("data directory: S3 %d MB (objects, uploads in progress), engine's own files %d MB at the end (peak %d MB; %s), assembly %d MB\n",
		sizes.s3>>20, sizes.own>>20, peakOwn.get()>>20, sizes.ownParts(), sizes.assembly>>20)
	fmt.Printf("copies of the input: read and write through a buffer %s, in the kernel (copy_file_range, as cp) %s\n\n",
		copyTime.Round(time.Millisecond), kernelCopyTime.Round(time.Millisecond))

	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "%-36s %14s %14s %8s  %s\n", "figure", "measured", "target", "ratio", "")
	row := func(name, measured, target string, ratio, limit float64) {
		verdict := "ok"
		if ratio > limit {
			verdict = "OVER"
		}
		fmt.Fprintf(w, "%-36s %14s %14s %8.2f  %s\n", name, measured, target, ratio, verdict)
	}
	fmt.Fprintf(w, "%-36s %14s\n", "input (bytes)", mb(inputBytes))
	fmt.Fprintf(w, "%-36s %14s\n", "plain copy of the input (time)", copyTime.Round(time.Millisecond).String())
	row("peak RSS of the run", mb(m.PeakRSS), mb(targetRSS), float64(m.PeakRSS)/targetRSS, 1)
	own := max(sizes.own, peakOwn.get())
	row("engine's own files / input (peak)", mb(own), fmt.Sprintf("%.2f× input", targetOwnRatio),
		float64(own)/float64(inputBytes), targetOwnRatio)
	row("upload + execution / copy (time)", runTime.Round(time.Millisecond).String(), fmt.Sprintf("%.1f× copy", targetTimeRatio),
		runTime.Seconds()/copyTime.Seconds(), targetTimeRatio)
	return nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// writeManifests writes n records over files manifests named as a run
// uploads them, and returns their bytes.
func writeManifests(dir string, n, files int) (int64, error) {
	samples, err := sampleRecords()
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	id := 0
	for f := range files {
		count := n / files
		if f < n%files {
			count++
		}
		file, err := os.Create(filepath.Join(dir, fmt.Sprintf("manifest-%02d.jsonl", f+1)))
		if err != nil {
			return 0, err
		}
		w := bufio.NewWriterSize(file, 1<<20)
		for range count {
			id++
			line := fmt.Sprintf(`{"recordId":"REVIEW%07d","modelInput":%s}`+"\n", id, samples[id%len(samples)])
			total += int64(len(line))
			w.WriteString(line)
		}
		if err := errors.Join(w.Flush(), file.Close()); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// sampleRecords returns the modelInput of every bundled sample record.
func sampleRecords() ([]json.RawMessage, error) {
	names, err := fs.Glob(sampleapp.Data, sampleapp.DataDir+"/*.jsonl")
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, n := range names {
		data, err := fs.ReadFile(sampleapp.Data, n)
		if err != nil {
			return nil, err
		}
		for line := range bytes.Lines(data) {
			var rec struct {
				ModelInput json.RawMessage `json:"modelInput"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				return nil, fmt.Errorf("%s: %w", n, err)
			}
			out = append(out, rec.ModelInput)
		}
	}
	return out, nil
}

// copyTree copies the files of src into dst with copy, as the baseline the
// run's time is compared with.
func copyTree(src, dst string, copy copier) (time.Duration, error) {
	start := time.Now()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), copy); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// copier copies a file's bytes.
type copier func(dst io.Writer, src io.Reader) (int64, error)

// copyBuffered reads and writes every byte through a buffer, as a program
// that handles the data does; io.Copy between files leaves it to the
// kernel.
func copyBuffered(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, 256<<10))
}

func copyFile(src, dst string, copy copier) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = copy(out, in)
	return errors.Join(err, out.Close())
}

// measurement is what the child reported and what it cost.
type measurement struct {
	Result  localrun.Result
	Wall    time.Duration
	CPU     time.Duration // user and system time, which other load on the machine barely changes
	PeakRSS int64
}

// runChild runs the workflow in a child process of this program and
// returns its result with the child's wall time and peak RSS.
func runChild(data, input string, env ...string) (measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), childEnv+"="+data+"\n"+input), prefixed(env)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, err
	}
	m := measurement{Wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.PeakRSS = ru.Maxrss << 10 // kilobytes on Linux
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err := json.Unmarshal(out.Bytes(), &m.Result); err != nil {
		return m, fmt.Errorf("child result: %w", err)
	}
	return m, nil
}

// child runs the workflow on the input with the sim backend and prints the
// result as JSON.
func child(spec string) error {
	data, input, ok := strings.Cut(spec, "\n")
	if !ok {
		return fmt.Errorf("%s=%q: want the data and input directories on two lines", childEnv, spec)
	}
	if path := os.Getenv(profileEnv + "CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := localrun.Run(context.Background(), localrun.Options{
		Cloud: localcloud.Options{DataDir: data, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Input: input,
	})
	if err != nil {
		return err
	}
	if path := os.Getenv(profileEnv + "MEMPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// profileEnv prefixes the variables that ask the child for profiles.
const profileEnv = "BEDROCKBATCH_FOOTPRINT_"

// prefixed names profile settings for the child's environment.
func prefixed(env []string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		out[i] = profileEnv + kv
	}
	return out
}

// sizes are the bytes of a data directory by owner.
type sizes struct {
	s3, own, assembly int64
	parts             map[string]int64 // own bytes by top-level directory
}

func (s sizes) ownParts() string {
	var b strings.Builder
	for _, name := range []string{"bedrock", "tmp", "states", "lambda", "events", "logs"} {
		if n, ok := s.parts[name]; ok {
			fmt.Fprintf(&b, "%s/ %d MB, ", name, n>>20)
		}
	}
	var rest int64
	for name, n := range s.parts {
		switch name {
		case "bedrock", "tmp", "states", "lambda", "events", "logs":
		default:
			rest += n
		}
	}
	fmt.Fprintf(&b, "other %d KB", rest>>10)
	return b.String()
}

// measure sums a data directory's file sizes: S3's (objects in s3/,
// multipart uploads in progress and metadata in s3meta/), the synthesized
// assembly (cdk.out/) and everything else, the engine's own.
func measure(data string) (sizes, error) {
	s := sizes{parts: map[string]int64{}}
	err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking: a temporary file
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(data, p)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		switch top {
		case "s3", "s3meta":
			s.s3 += info.Size()
		case filepath.Base(localrun.AssemblyDir(data)):
			s.assembly += info.Size()
		default:
			s.own += info.Size()
			s.parts[top] += info.Size()
		}
		return nil
	})
	return s, err
}

// peak keeps the largest value observed.
type peak struct {
	mu sync.Mutex
	n  int64
}

func (p *peak) observe(n int64) {
	p.mu.Lock()
	p.n = max(p.n, n)
	p.mu.Unlock()
}

func (p *peak) get() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// sample measures the engine's own files every 200 ms until stopped, so a
// temporary file that is gone by the end still counts.
func sample(data string, p *peak) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if s, err := measure(data); err == nil {
					p.observe(s.own)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
