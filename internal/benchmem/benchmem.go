// Package benchmem measures the peak resident memory of a benchmark's
// work, apart from the memory its setup took.
package benchmem

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// Reset starts a new peak: it returns freed memory to the system and
// clears the kernel's high-water mark of the process's resident memory.
// It reports whether the mark could be cleared (Linux only).
func Reset() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// PeakMB is the process's peak resident memory since Reset, in MiB, or 0
// when the system does not report it.
func PeakMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// CPUSeconds is the processor time (user and system) the process has used
// so far: a rate per CPU second does not depend on what else the machine
// runs.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
