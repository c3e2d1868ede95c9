package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// clockFile, in the data directory, holds a time the local cloud's clock
// has not reached yet, rewritten as the clock runs: the next process on the
// directory starts its clock there. Without it each process's clock would
// start at the wall-clock time, which after a fast (--time-scale) run lies
// hours before the times that run stamped: a resumed execution's jobs
// would seem submitted before it started, and listings by time would
// interleave the runs.
const clockFile = "clock.json"

// clockLead is how far ahead of the clock, in wall-clock time, the saved
// time is: more than the clock can run between two saves, even on a busy
// machine, so that a process killed between them stamped nothing later.
const (
	clockLead         = 2 * time.Second
	clockSaveInterval = 200 * time.Millisecond
)

type savedClock struct {
	NotBefore time.Time `json:"notBefore"`
}

// cloudClock is the clock of the local cloud in dataDir, running factor
// times faster than real time: it starts at the later of the wall-clock
// time and the time the directory's last process saved, and saves its own
// until the process ends.
func cloudClock(dataDir string, factor float64) (clock.Clock, error) {
	path := filepath.Join(dataDir, clockFile)
	var saved savedClock
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	default:
		if err := json.Unmarshal(b, &saved); err != nil {
			return nil, fmt.Errorf("%s is not a clock file this tool wrote (%v): delete it to start the clock at the current time", path, err)
		}
	}
	if factor <= 1 && !saved.NotBefore.After(time.Now()) {
		return clock.Real{}, nil
	}
	clk := clock.NewScaledFrom(factor, later(time.Now(), saved.NotBefore))
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	lead := time.Duration(float64(clockLead) * max(factor, 1))
	save := func() error {
		b, _ := json.Marshal(savedClock{NotBefore: clk.Now().Add(lead)})
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	if err := save(); err != nil {
		return nil, fmt.Errorf("data directory %s: save the clock: %w", dataDir, err)
	}
	go func() {
		for range time.Tick(clockSaveInterval) {
			_ = save() // the next tick tries again
		}
	}()
	return clk, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
