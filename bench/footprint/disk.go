package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localrun"
)

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
