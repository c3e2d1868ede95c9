// Command footprint measures what `local run --input` costs for a large
// job: it writes manifests of Amazon Nova records (the bundled sample's
// prompts under new record ids) to a temporary directory, copies them once
// as the baseline, runs the local run workflow on them in a child process
// with the sim backend and prints, beside the copy, the run's peak memory,
// the bytes the engine keeps besides the S3 objects, and the time. For
// scale it also prints the time of a copy of the input into a local S3
// through the SDK, and of the MD5 of the bytes the run stores, which the
// S3 computes for their ETags whatever the engine does.
//
//	go run ./bench/footprint -records 1000000 -files 20
//
// The child runs once on a tiny input first, so the measured run reuses the
// synthesized assembly and its peak memory is the run's own, not Node's.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/manifest"
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
	// Each warm-up manifest holds the fewest records a job may have: a
	// run refuses smaller ones.
	if _, err := writeManifests(warmInput, files*manifest.DefaultMinRecordsPerJob, files); err != nil {
		return err
	}
	fmt.Printf("input: %d records in %d manifests, %d MB (%s)\n", records, files, inputBytes>>20, input)

	copyTime, err := medianCopy(input, filepath.Join(dir, "copy"), copyBuffered)
	if err != nil {
		return err
	}
	kernelCopyTime, err := medianCopy(input, filepath.Join(dir, "copy"), io.Copy)
	if err != nil {
		return err
	}

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
	// The copy into S3 runs after the measured run: a child's peak RSS
	// counts this process's memory at the time it was started.
	s3CopyTime, err := s3Copy(input, filepath.Join(dir, "s3copy"))
	if err != nil {
		return fmt.Errorf("copy into S3: %w", err)
	}
	os.RemoveAll(filepath.Join(dir, "s3copy"))
	floor := md5Time(sizes.s3)
	fmt.Printf("copies of the input (median of %d): read and write through a buffer %s, in the kernel (copy_file_range, as cp) %s; into the local S3 over HTTP with the SDK's transfer manager, as `bedrockbatch start` uploads, %s\n",
		copyRuns, copyTime.Round(time.Millisecond), kernelCopyTime.Round(time.Millisecond), s3CopyTime.Round(time.Millisecond))
	fmt.Printf("MD5 of the %d MB the run stores in S3 (input and outputs, hashed for their ETags): %s on one CPU\n\n", sizes.s3>>20, floor.Round(time.Millisecond))

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
	fmt.Fprintf(w, "%-36s %14s %14s %8.2f\n", "  the same / copy into the local S3", runTime.Round(time.Millisecond).String(), "", runTime.Seconds()/s3CopyTime.Seconds())
	fmt.Fprintf(w, "%-36s %14s %14s %8.2f\n", "  floor: MD5 of what it stores / copy", floor.Round(time.Millisecond).String(), "", floor.Seconds()/copyTime.Seconds())
	return nil
}

// copyRuns is how many times each copy runs; the median counts.
const copyRuns = 3

// medianCopy copies src to dst copyRuns times with copy and returns the
// median time, leaving no copy behind.
func medianCopy(src, dst string, copy copier) (time.Duration, error) {
	var times []time.Duration
	for range copyRuns {
		d, err := copyTree(src, dst, copy)
		os.RemoveAll(dst)
		if err != nil {
			return 0, err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
