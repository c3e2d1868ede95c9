// Package spool is a durable work queue kept as one JSON file per item in a
// directory: an item is written (atomically) before the work it stands for
// is acknowledged, and removed once the work is done, so a process killed in
// between finds it again on restart. The local EventBridge spools accepted
// events and the local Lambda spools asynchronous invocations this way.
//
// The local cloud's other stores replace their files whole the same way
// (ReplaceFile, WriteFileAtomic).
package spool

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Spool is a directory of pending items.
type Spool struct {
	dir string
	seq atomic.Uint64
}

// Open makes (if needed) and opens the spool in dir.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	return &Spool{dir: dir}, nil
}

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// NewID returns an id that sorts after every id this spool issued before,
// also across restarts (it starts with the time).
func (s *Spool) NewID() string {
	return fmt.Sprintf("%020d-%06d", time.Now().UnixNano(), s.seq.Add(1)%1000000)
}

// Put stores v under id, replacing any item with that id. When Put returns
// without error the item survives a crash.
func (s *Spool) Put(id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("spool %s: %w", id, err)
	}
	return WriteFileAtomic(filepath.Join(s.dir, id+".json"), b)
}

// Remove deletes the item id; removing a missing item is not an error.
func (s *Spool) Remove(id string) error {
	err := os.Remove(filepath.Join(s.dir, id+".json"))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("unspool %s: %w", id, err)
	}
	return nil
}

// IDs lists the pending items in id order.
func (s *Spool) IDs() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list spool %s: %w", s.dir, err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Get reads item id into v.
func (s *Spool) Get(id string, v any) error {
	b, err := os.ReadFile(filepath.Join(s.dir, id+".json"))
	if err != nil {
		return fmt.Errorf("read spooled %s: %w", id, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read spooled %s: %w", id, err)
	}
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old content or the new, never
// a part; the data is synced before the rename.
func WriteFileAtomic(path string, data []byte) error {
	err := ReplaceFile(path, filepath.Dir(path), ".tmp-*", true, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
