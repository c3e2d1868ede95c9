package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// ExecutionStore persists executions. Save is called with the execution's
// whole record (JSON) when it starts, when a task starts or stops waiting
// for a task token, when a Wait state starts waiting, and when the
// execution ends. Implementations must be safe for concurrent use.
type ExecutionStore interface {
	Save(executionArn, status string, record []byte) error
	// Load returns every stored record.
	Load() ([][]byte, error)
}

// MemoryStore keeps records in memory: for tests, and to carry executions
// from one Engine to another in the same process.
type MemoryStore struct {
	mu      sync.Mutex
	records map[string][]byte
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{records: map[string][]byte{}} }

// Save keeps a copy of record.
func (s *MemoryStore) Save(arn, _ string, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[arn] = append([]byte(nil), record...)
	return nil
}

// Load returns copies of every record, ordered by ARN.
func (s *MemoryStore) Load() ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arns := make([]string, 0, len(s.records))
	for a := range s.records {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	out := make([][]byte, len(arns))
	for i, a := range arns {
		out[i] = append([]byte(nil), s.records[a]...)
	}
	return out, nil
}

// FileStore keeps one JSON file per execution in a directory, written
// atomically (temporary file, then rename), so a killed process leaves
// either the previous or the new snapshot.
type FileStore struct {
	Dir string
	mu  sync.Mutex
}

// NewFileStore returns a store writing to dir, creating it if needed.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("execution store: %w", err)
	}
	return &FileStore{Dir: dir}, nil
}

func (s *FileStore) file(arn string) string {
	r := strings.NewReplacer(":", "_", "/", "_", "\\", "_")
	return filepath.Join(s.Dir, r.Replace(arn)+".json")
}

// Save writes the record atomically.
func (s *FileStore) Save(arn, _ string, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmp, err := os.CreateTemp(s.Dir, ".exec-*")
	if err != nil {
		return fmt.Errorf("execution store: %w", err)
	}
	if _, err := tmp.Write(record); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("execution store: write %s: %w", arn, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("execution store: write %s: %w", arn, err)
	}
	if err := os.Rename(tmp.Name(), s.file(arn)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("execution store: %w", err)
	}
	return nil
}

// Load reads every record in the directory.
func (s *FileStore) Load() ([][]byte, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("execution store: %w", err)
	}
	var out [][]byte
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
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
// to Describe and History, running ones continue from their snapshot.
// Tasks that were waiting for a task token wait again for the same token;
// Wait states keep their deadline; a state that was in progress otherwise
// is entered again. It returns how many executions were resumed.
func (e *Engine) Resume() (int, error) {
	if e.opts.Store == nil {
		return 0, fmt.Errorf("resume: the engine has no store")
	}
	records, err := e.opts.Store.Load()
	if err != nil {
		return 0, err
	}
	resumed := 0
	for _, data := range records {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var rec ExecutionRecord
		if err := dec.Decode(&rec); err != nil {
			return resumed, fmt.Errorf("resume: a stored execution is not readable: %w", err)
		}
		def, err := Parse(rec.Definition)
		if err != nil {
			return resumed, fmt.Errorf("resume %s: %w", rec.ExecutionArn, err)
		}
		sm := &StateMachine{Name: rec.StateMachine, Arn: rec.StateMachineArn, RoleArn: rec.RoleArn, Source: rec.Definition, Definition: def}
		x := &execution{engine: e, sm: sm, rec: &rec}
		e.mu.Lock()
		if _, dup := e.execs[rec.ExecutionArn]; dup {
			e.mu.Unlock()
			continue
		}
		e.execs[rec.ExecutionArn] = x
		e.mu.Unlock()
		if rec.Status != StatusRunning {
			x.ctx, x.cancel = context.WithCancel(context.Background())
			x.cancel()
			x.done = make(chan struct{})
			x.closeDone()
			continue
		}
		x.start()
		resumed++
	}
	return resumed, nil
}
