package asl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// ExecutionStore persists executions. The engine keeps each execution as
// a journal of newline-terminated entries: Append adds entries at the end,
// Replace swaps the whole journal for a compacted one. The engine saves an
// execution when it starts and ends, before a .waitForTaskToken task calls
// its resource, once the resource returned, before it acknowledges a
// SendTaskSuccess or SendTaskFailure, when a Wait state starts waiting and
// when a Map iteration or Parallel branch ends. Implementations must be
// safe for concurrent use; calls for one execution never overlap.
type ExecutionStore interface {
	// Append adds data at the end of the execution's journal.
	Append(executionArn string, data []byte) error
	// Replace replaces the execution's journal with data, atomically: a
	// crash leaves either the old or the new journal.
	Replace(executionArn string, data []byte) error
	// Load returns the journal of every stored execution.
	Load() ([][]byte, error)
}

// MemoryStore keeps journals in memory: for tests, and to carry executions
// from one Engine to another in the same process.
type MemoryStore struct {
	mu       sync.Mutex
	journals map[string][]byte
	mapRuns  map[string][]byte
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{journals: map[string][]byte{}} }

// Append adds a copy of data to the execution's journal.
func (s *MemoryStore) Append(arn string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journals[arn] = append(s.journals[arn], data...)
	return nil
}

// Replace keeps a copy of data as the execution's journal.
func (s *MemoryStore) Replace(arn string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journals[arn] = append([]byte(nil), data...)
	return nil
}

// Load returns copies of every journal, ordered by execution ARN.
func (s *MemoryStore) Load() ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arns := make([]string, 0, len(s.journals))
	for a := range s.journals {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	out := make([][]byte, len(arns))
	for i, a := range arns {
		out[i] = append([]byte(nil), s.journals[a]...)
	}
	return out, nil
}

// FileStore keeps one journal file per execution in a directory
// (<execution ARN with ':' and '/' replaced by '_'>.jsonl). Appends go to
// the end of the file; a compaction writes a temporary file and renames it
// over the journal. Writes are not synced to the disk: they survive the
// process being killed, not the machine losing power.
type FileStore struct {
	Dir string
}

// journalExt names journal files.
const journalExt = ".jsonl"

// NewFileStore returns a store writing to dir, creating it if needed.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("execution store: %w", err)
	}
	return &FileStore{Dir: dir}, nil
}

func (s *FileStore) file(arn string) string {
	r := strings.NewReplacer(":", "_", "/", "_", "\\", "_")
	return filepath.Join(s.Dir, r.Replace(arn)+journalExt)
}

// Append adds data at the end of the execution's journal file.
func (s *FileStore) Append(arn string, data []byte) error {
	f, err := os.OpenFile(s.file(arn), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("execution store: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("execution store: append to the journal of %s: %w", arn, werr)
	}
	return nil
}

// Replace writes data to a temporary file and renames it over the
// execution's journal file.
func (s *FileStore) Replace(arn string, data []byte) error {
	if err := writeAtomic(s.Dir, ".exec-*", s.file(arn), data); err != nil {
		return fmt.Errorf("execution store: write the journal of %s: %w", arn, err)
	}
	return nil
}

// writeAtomic writes data to a temporary file in dir (named by pattern)
// and renames it over path, so a reader sees the old content or the new,
// never part of it.
func writeAtomic(dir, pattern, path string, data []byte) error {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// Load reads every journal file in the directory.
func (s *FileStore) Load() ([][]byte, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("execution store: %w", err)
	}
	var out [][]byte
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), journalExt) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.Dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("execution store: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// Resume loads every execution in the store: finished ones become visible
// to Describe and History, running ones continue from where they were
// saved. Before it returns, the task token of every task that waits for
// one is valid again, so SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat may be called right away. A .waitForTaskToken task
// whose resource was called but had not returned when the process stopped
// is called again with the same token (see Invoker); a task already
// answered continues with its answer; Wait states keep their deadline; any
// other state that was in progress is entered again. It returns how many
// executions were resumed.
func (e *Engine) Resume() (int, error) {
	if e.opts.Store == nil {
		return 0, fmt.Errorf("resume: the engine has no store")
	}
	if err := e.loadMapRuns(); err != nil {
		return 0, fmt.Errorf("resume: %w", err)
	}
	journals, err := e.opts.Store.Load()
	if err != nil {
		return 0, err
	}
	// Every stored execution is known before any resumes, so that a
	// distributed Map finds the child executions it had started.
	var running []*execution
	for _, data := range journals {
		rec, js, err := loadJournal(data)
		if errors.Is(err, errNoExecution) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("resume: %w", err)
		}
		def, err := Parse(rec.Definition)
		if err != nil {
			return 0, fmt.Errorf("resume %s: %w", rec.ExecutionArn, err)
		}
		sm := &StateMachine{Name: rec.StateMachine, Arn: rec.StateMachineArn, RoleArn: rec.RoleArn, Source: rec.Definition, Definition: def, Version: rec.Version}
		x := &execution{engine: e, sm: sm, rec: rec, journal: js}
		e.mu.Lock()
		if _, dup := e.execs[rec.ExecutionArn]; dup {
			e.mu.Unlock()
			continue
		}
		e.execs[rec.ExecutionArn] = x
		e.mu.Unlock()
		if rec.Status != StatusRunning {
			x.evictLocked()
			x.ctx, x.cancel = context.WithCancel(context.Background())
			x.cancel()
			x.done = make(chan struct{})
			x.closeDone()
			continue
		}
		x.ctx, x.cancel = context.WithCancel(context.Background())
		x.done = make(chan struct{})
		walkBranches(rec.Root, func(b *branchState) {
			if tw := b.Token; tw != nil && !tw.Answered {
				tw.pending = e.registerToken(x, b, tw)
			}
		})
		running = append(running, x)
	}
	for _, x := range running {
		x.start()
	}
	return len(running), nil
}
