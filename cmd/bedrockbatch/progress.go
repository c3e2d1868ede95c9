package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// bars shows the progress of long data work on stderr, only when stderr is
// a terminal and the output is not --json, so logs and pipes stay clean.
type bars struct {
	p   *mpb.Progress
	bar map[string]*mpb.Bar
}

func newBars(jsonOut bool) *bars {
	if jsonOut || !term.IsTerminal(int(os.Stderr.Fd())) {
		return &bars{}
	}
	return &bars{p: mpb.New(mpb.WithOutput(os.Stderr), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond)), bar: map[string]*mpb.Bar{}}
}

// set shows done of total for the phase named; bytes says the units are
// bytes, else items (a total of 0 is unknown and grows with done).
func (b *bars) set(name string, done, total int64, bytes bool) {
	if b.p == nil {
		return
	}
	bar, ok := b.bar[name]
	if !ok {
		counter := decor.CountersNoUnit("%d / %d", decor.WCSyncSpace)
		if bytes {
			counter = decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace)
		}
		bar = b.p.AddBar(max(total, 1), mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR)), mpb.AppendDecorators(counter))
		b.bar[name] = bar
	}
	if total <= 0 {
		total = done + 1
	}
	bar.SetTotal(total, false)
	bar.SetCurrent(done)
}

// wait completes the bars and lets them draw their last state.
func (b *bars) wait() {
	if b.p == nil {
		return
	}
	for _, bar := range b.bar {
		bar.SetTotal(-1, true)
	}
	b.p.Wait()
}

// printJSON writes v as indented JSON, the --json output of the data
// commands.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanBytes formats a size for people.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
