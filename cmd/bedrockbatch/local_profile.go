package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

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
	fs.StringVar(&f.heap, "memprofile", "", "write the heap profile at the run's end to this file (go tool pprof)")
	_ = fs.MarkHidden("cpuprofile")
	_ = fs.MarkHidden("memprofile")
}

// start starts the CPU profile; the function it returns stops it and
// writes the heap profile.
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
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
		}
		if f.heap == "" {
			return nil
		}
		heap, err := os.Create(f.heap)
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(heap, 0); err != nil {
			heap.Close()
			return fmt.Errorf("--memprofile: %w", err)
		}
		return heap.Close()
	}, nil
}
