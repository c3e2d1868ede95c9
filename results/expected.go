package results

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/table"
)

// expected holds the records a run was given, so that those without an
// output line can be named. The records and the ids of the output lines
// are spread by id over partition files; finding the missing ones holds one
// partition in memory at a time, so it scales with the partition size, not
// with the run.
type expected struct {
	recs    *partitions // {"i": id, "m": modelInput} per input record
	seen    *partitions // {"i": id} per output line
	records int
	// source says where the records come from, for messages.
	source string
}

type expectedRec struct {
	ID         string          `json:"i"`
	ModelInput json.RawMessage `json:"m,omitempty"`
}

// loadExpected reads the input manifests under loc (a directory, an s3://
// prefix or one .jsonl file) into partition files in tmp.
func loadExpected(ctx context.Context, store *table.Store, loc, tmp string) (*expected, error) {
	files, err := store.List(ctx, loc, ".jsonl")
	if err != nil {
		return nil, fmt.Errorf("manifests %s: %w", loc, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .jsonl manifests under %s: give the input manifests the jobs ran (the folder prepare wrote, or the s3:// prefix they were uploaded to)", loc)
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	e := &expected{source: loc}
	n := partitionCount(total)
	if e.recs, err = newPartitions(tmp, "expected", n); err != nil {
		return nil, err
	}
	if e.seen, err = newPartitions(tmp, "seen", n); err != nil {
		e.recs.close()
		return nil, err
	}
	for _, f := range files {
		if err := e.readManifest(ctx, store, f.Path); err != nil {
			e.close()
			return nil, err
		}
	}
	return e, nil
}

// readManifest spreads one input file's records over the partitions.
func (e *expected) readManifest(ctx context.Context, store *table.Store, path string) error {
	r, _, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer r.Close()
	rd := manifest.NewReader(r, path, 0)
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("input manifest: %w", err)
		}
		e.records++
		if err := e.recs.write(e.recs.of(rec.RecordID), expectedRec{ID: rec.RecordID, ModelInput: rec.ModelInput}); err != nil {
			return err
		}
	}
}

// saw records an output line's id.
func (e *expected) saw(id string) error {
	return e.seen.write(e.seen.of(id), expectedRec{ID: id})
}

// eachMissing calls fn for every input record no output line answered, in
// id order within each partition.
func (e *expected) eachMissing(fn func(expectedRec) error) error {
	if err := e.recs.close(); err != nil {
		return err
	}
	if err := e.seen.close(); err != nil {
		return err
	}
	for i := range e.recs.files {
		seen := map[string]struct{}{}
		err := eachLine(e.seen.path(i), func(r *expectedRec) error {
			seen[r.ID] = struct{}{}
			return nil
		})
		if err != nil {
			return err
		}
		err = eachLine(e.recs.path(i), func(r *expectedRec) error {
			if _, ok := seen[r.ID]; ok {
				return nil
			}
			return fn(*r)
		})
		if err != nil {
			return err
		}
		os.Remove(e.seen.path(i))
		os.Remove(e.recs.path(i))
	}
	return nil
}

func (e *expected) close() {
	e.recs.close()
	e.seen.close()
}

// partitionCount is how many partitions hold about total bytes.
func partitionCount(total int64) int {
	return int(min(max(total/partitionBytes+1, 1), maxPartitions))
}

// missingReason is the error message of a record without an output line.
const missingReason = "no output line for this record: its job ended before running it (PartiallyCompleted, Expired or Stopped), or the outputs given are not all of the run's"

// spool is a temporary file of manifest lines, written as records turn
// out to need another run and split into manifests at the end.
type spool struct {
	f       *os.File
	w       *bufio.Writer
	records int
	buf     []byte
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "results-failed-*.jsonl")
	if err != nil {
		return nil, err
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (s *spool) add(id string, modelInput json.RawMessage) error {
	s.buf = manifest.AppendInputLine(s.buf[:0], manifest.Record{RecordID: id, ModelInput: modelInput})
	s.records++
	_, err := s.w.Write(s.buf)
	return err
}

func (s *spool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}
