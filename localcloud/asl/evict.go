package asl

import (
	"errors"
	"fmt"
	"os"
)

// JournalReader is implemented by an ExecutionStore that can read one
// execution's journal back. With it, the engine keeps only the metadata of
// an ended child execution of a distributed Map in memory and reads its
// input, output and history from the store when asked, so that a Map Run
// of 100,000 children does not hold 100,000 histories. MemoryStore and
// FileStore implement it.
type JournalReader interface {
	Read(executionArn string) ([]byte, error)
}

// Read returns a copy of the execution's journal.
func (s *MemoryStore) Read(arn string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.journals[arn]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrExecutionDoesNotExist, arn)
	}
	return append([]byte(nil), j...), nil
}

// evictLocked drops what an ended, saved child execution holds beyond its
// metadata; full reads it back. Callers hold x.mu.
func (x *execution) evictLocked() {
	if _, ok := x.engine.opts.Store.(JournalReader); !ok || x.rec.MapRunArn == "" || x.rec.Status == StatusRunning {
		return
	}
	x.evicted = true
	x.rec.History, x.rec.Root, x.rec.Input, x.rec.Output, x.rec.Definition, x.rec.Context = nil, nil, nil, nil, nil, nil
	x.journal.dirty = nil
}

// fullLocked is the execution's whole record: x.rec, or for an evicted
// execution the record read back from the store. Callers hold x.mu.
func (x *execution) fullLocked() (*executionRecord, error) {
	if !x.evicted {
		return x.rec, nil
	}
	data, err := x.engine.opts.Store.(JournalReader).Read(x.rec.ExecutionArn)
	if err != nil {
		return nil, err
	}
	rec, _, err := loadJournal(data)
	if errors.Is(err, errNoExecution) {
		return nil, fmt.Errorf("%w: %s", ErrExecutionDoesNotExist, x.rec.ExecutionArn)
	}
	return rec, err
}

// Read returns the execution's journal file.
func (s *FileStore) Read(arn string) ([]byte, error) {
	data, err := os.ReadFile(s.file(arn))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrExecutionDoesNotExist, arn)
	}
	return data, err
}
