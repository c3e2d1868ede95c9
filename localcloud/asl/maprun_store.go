package asl

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MapRunStore is implemented by an ExecutionStore that also keeps Map Run
// records, so that DescribeMapRun answers after a restart as it did
// before: a Map Run's status, dates and counts are saved when it starts
// and when it ends. MemoryStore and FileStore implement it.
type MapRunStore interface {
	// SaveMapRun replaces the record of a Map Run, atomically.
	SaveMapRun(mapRunArn string, data []byte) error
	// LoadMapRuns returns every saved Map Run record.
	LoadMapRuns() ([][]byte, error)
}

// saveMapRun saves r's record when the engine's store keeps Map Runs. A
// failed save is not the Map Run's failure: the record is saved again at
// its end, and counts are rebuilt from the children on resume.
func (e *Engine) saveMapRun(r *mapRun) {
	s, ok := e.opts.Store.(MapRunStore)
	if !ok {
		return
	}
	r.mu.Lock()
	data, err := json.Marshal(r.info)
	r.mu.Unlock()
	if err == nil {
		_ = s.SaveMapRun(r.info.MapRunArn, data)
	}
}

// loadMapRuns registers the Map Runs saved in the engine's store. One
// still running is opened again, with counts rebuilt, when its parent
// execution resumes.
func (e *Engine) loadMapRuns() error {
	s, ok := e.opts.Store.(MapRunStore)
	if !ok {
		return nil
	}
	records, err := s.LoadMapRuns()
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, data := range records {
		var info MapRunInfo
		if err := json.Unmarshal(data, &info); err != nil || info.MapRunArn == "" {
			return fmt.Errorf("map run record %.80s: not a record this engine saved (%v)", data, err)
		}
		if _, known := e.mapRuns[info.MapRunArn]; !known {
			e.mapRuns[info.MapRunArn] = &mapRun{info: info, listed: info.Status != StatusRunning}
		}
	}
	return nil
}

// SaveMapRun keeps a copy of data as the Map Run's record.
func (s *MemoryStore) SaveMapRun(arn string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mapRuns == nil {
		s.mapRuns = map[string][]byte{}
	}
	s.mapRuns[arn] = append([]byte(nil), data...)
	return nil
}

// LoadMapRuns returns copies of every Map Run record.
func (s *MemoryStore) LoadMapRuns() ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.mapRuns))
	for _, b := range s.mapRuns {
		out = append(out, append([]byte(nil), b...))
	}
	return out, nil
}

// mapRunDir is where a FileStore keeps Map Run records, one JSON file each.
const mapRunDir = "mapruns"

func (s *FileStore) mapRunFile(arn string) string {
	r := strings.NewReplacer(":", "_", "/", "_", "\\", "_")
	return filepath.Join(s.Dir, mapRunDir, r.Replace(arn)+".json")
}

// SaveMapRun writes the Map Run's record to a temporary file and renames
// it over the record.
func (s *FileStore) SaveMapRun(arn string, data []byte) error {
	dir := filepath.Join(s.Dir, mapRunDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("execution store: %w", err)
	}
	if err := writeAtomic(dir, ".maprun-*", s.mapRunFile(arn), data); err != nil {
		return fmt.Errorf("execution store: write the record of Map Run %s: %w", arn, err)
	}
	return nil
}

// LoadMapRuns reads every Map Run record in the store's directory.
func (s *FileStore) LoadMapRuns() ([][]byte, error) {
	dir := filepath.Join(s.Dir, mapRunDir)
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("execution store: %w", err)
	}
	var out [][]byte
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("execution store: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}
