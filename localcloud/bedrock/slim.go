package bedrock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// An ended job keeps in memory only what listings and descriptions show:
// its tags (which hold a task token of up to 2 KB) and its input files
// are dropped once its final state is saved, and read back from job.json
// when asked for. A hundred thousand ended jobs then hold a few tens of
// megabytes, not hundreds.

// slimLocked drops an ended job's tags and input files from memory. e.mu
// must be held, and the job's final state saved.
func (s *jobState) slimLocked() {
	if s.rec.Job.Status.Terminal() {
		s.rec.Tags, s.rec.Files, s.slim = nil, nil, true
	}
}

// fullLocked is the job's whole record: from memory, or read back from its
// state file for a slim one. e.mu must be held.
func (e *Engine) fullLocked(s *jobState) (jobRecord, error) {
	if !s.slim {
		return s.rec, nil
	}
	b, err := os.ReadFile(filepath.Join(e.store.jobDir(s.rec.ID), "job.json"))
	if err != nil {
		return jobRecord{}, internalError("cannot read the job's state: %v", err)
	}
	var r jobRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return jobRecord{}, internalError("job %s: state file is corrupt: %v", s.rec.ID, err)
	}
	// The status and times in memory are the latest.
	r.Job = s.rec.Job
	return r, nil
}

// tagsLocked is a job's tags. e.mu must be held.
func (e *Engine) tagsLocked(s *jobState) ([]Tag, error) {
	r, err := e.fullLocked(s)
	if err != nil {
		return nil, fmt.Errorf("tags of %s: %w", s.rec.Job.JobArn, err)
	}
	return r.Tags, nil
}
