package bedrock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// jobRecord is what the engine persists about a job.
type jobRecord struct {
	ID   string `json:"id"`
	Job  Job    `json:"job"`
	Tags []Tag  `json:"tags,omitempty"`
	// Files are the job's input files, known once it passed validation.
	Files []inputFile `json:"files,omitempty"`
	// Ran is set when the job reached InProgress: from then on its
	// outputs are written whatever status it ends in.
	Ran bool `json:"ran,omitempty"`
}

// inputFile is one validated input file of a job.
type inputFile struct {
	Key     string `json:"key"`     // object key in the input bucket
	Name    string `json:"name"`    // name of its output, less ".out"
	Size    int64  `json:"size"`    // bytes
	Records int    `json:"records"` // records in it
	// TakenIDs are its records' own ids shaped like generated ones, which
	// the ids generated for records without one avoid.
	TakenIDs []string `json:"takenIds,omitempty"`
}

// jobStore keeps one directory per job under <data>/jobs: job.json with the
// job's state and one journal per input file with its finished records.
type jobStore struct {
	dir string
}

func openJobStore(dataDir string) (*jobStore, error) {
	dir := filepath.Join(dataDir, "jobs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bedrock engine: data directory: %w", err)
	}
	return &jobStore{dir: dir}, nil
}

func (s *jobStore) jobDir(id string) string { return filepath.Join(s.dir, id) }

func (s *jobStore) journalPath(id string, file int) string {
	return filepath.Join(s.dir, id, "input-"+strconv.Itoa(file)+".journal")
}

// save writes the job's state atomically; durable asks for an fsync, used
// for status changes, while progress checkpoints skip it.
func (s *jobStore) save(r jobRecord, durable bool) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	dir := s.jobDir(r.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "job.json"), b, durable)
}

func (s *jobStore) loadAll() ([]jobRecord, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("bedrock engine: %w", err)
	}
	var out []jobRecord
	for _, de := range entries {
		if !de.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, de.Name(), "job.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a job whose creation did not complete
		}
		if err != nil {
			return nil, fmt.Errorf("bedrock engine: %w", err)
		}
		var r jobRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("bedrock engine: job %s: state file is corrupt: %w", de.Name(), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory.
func writeFileAtomic(path string, data []byte, durable bool) error {
	return spool.ReplaceFile(path, filepath.Dir(path), ".tmp-*", durable, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}
