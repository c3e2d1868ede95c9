package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/spf13/pflag"
)

// profileFlags write a run's CPU and heap profiles, for the benchmarks that
// measure where a large local run spends its time (bench/prefixrun); hidden
// from the help, which is for people running their app.
type profileFlags struct {
	cpu, heap string
}

func (f *profileFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.cpu, "cpuprofile", "", "write the run's CPU profile to this file (go tool pprof)")
	fs.StringVar(&f.heap, "memprofile", "", "write the heap profile to this file every few seconds while the run lasts (go tool pprof)")
	_ = fs.MarkHidden("cpuprofile")
	_ = fs.MarkHidden("memprofile")
}

// heapEvery is how often the heap profile is rewritten: the last one shows
// the run's live data shortly before its end, which a profile taken after
// the local cloud closed would not.
const heapEvery = 5 * time.Second

// start starts the CPU profile and the heap profile's rewrites; the
// function it returns stops them.
func (f *profileFlags) start() (stop func() error, err error) {
	var cpu *os.File
	if f.cpu != "" {
		if cpu, err = os.Create(f.cpu); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	done := make(chan struct{})
	if f.heap != "" {
		if err := writeHeap(f.heap); err != nil {
			return nil, err
		}
		go func() {
			tick := time.NewTicker(heapEvery)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					_ = writeHeap(f.heap) // the next tick tries again
				}
			}
		}()
	}
	return func() error {
		close(done)
		if cpu != nil {
			pprof.StopCPUProfile()
			return cpu.Close()
		}
		return nil
	}, nil
}

// writeHeap replaces path with the current heap profile.
func writeHeap(path string) error {
	tmp := path + ".tmp"
	heap, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	runtime.GC()
	werr := pprof.Lookup("heap").WriteTo(heap, 0)
	if cerr := heap.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("--memprofile: %w", werr)
	}
	return os.Rename(tmp, path)
}
