package bedrock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// A journal holds the finished records of one input file of a running job,
// one line each, in the order they finished:
//
//	s <input tokens> <output tokens>\t<output line>
//	e 0 0\t<output line>
//
// where s marks a success, e a record error, and <output line> is the
// record's line of the .jsonl.out file. The journal is only appended to, in
// buffered writes flushed at checkpoints, so after a crash it ends with at
// most one torn line, which is cut off when the journal is reopened.
type journal struct {
	f       *os.File
	w       *bufio.Writer
	records int
}

// tally counts the records of one or more journals.
type tally struct {
	success, errors, inTokens, outTokens int64
}

func (t *tally) add(o tally) {
	t.success += o.success
	t.errors += o.errors
	t.inTokens += o.inTokens
	t.outTokens += o.outTokens
}

func (t tally) processed() int64 { return t.success + t.errors }

// appendJournalLine appends a finished record to dst.
func appendJournalLine(dst []byte, line manifest.OutputLine, inTokens, outTokens int) ([]byte, error) {
	if line.Error != nil {
		dst = append(dst, "e 0 0\t"...)
	} else {
		dst = append(dst, 's', ' ')
		dst = strconv.AppendInt(dst, int64(inTokens), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(outTokens), 10)
		dst = append(dst, '\t')
	}
	return manifest.AppendOutputLine(dst, line)
}

// errTornLine marks a journal line that is incomplete or unreadable.
var errTornLine = errors.New("torn journal line")

// readJournal calls fn for every complete line of a journal, with the
// record's tally and its output line (newline included). It returns the
// length of the journal's intact beginning.
func readJournal(r io.Reader, fn func(t tally, output []byte) error) (int64, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var good int64
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		if len(long) > 0 {
			chunk = append(long, chunk...)
			long = long[:0]
		}
		if errors.Is(err, io.EOF) {
			return good, nil // a last line without its newline is torn
		}
		if err != nil {
			return good, err
		}
		t, output, perr := parseJournalLine(chunk)
		if perr != nil {
			return good, nil // everything from here on runs again
		}
		if err := fn(t, output); err != nil {
			return good, err
		}
		good += int64(len(chunk))
	}
}

func parseJournalLine(line []byte) (tally, []byte, error) {
	head, output, ok := bytes.Cut(line, []byte{'\t'})
	if !ok || len(head) < 5 || len(output) < 2 || output[0] != '{' {
		return tally{}, nil, errTornLine
	}
	fields := bytes.Fields(head)
	if len(fields) != 3 {
		return tally{}, nil, errTornLine
	}
	in, err1 := strconv.ParseInt(string(fields[1]), 10, 64)
	out, err2 := strconv.ParseInt(string(fields[2]), 10, 64)
	if err1 != nil || err2 != nil {
		return tally{}, nil, errTornLine
	}
	switch string(fields[0]) {
	case "s":
		return tally{success: 1, inTokens: in, outTokens: out}, output, nil
	case "e":
		return tally{errors: 1}, output, nil
	}
	return tally{}, nil, errTornLine
}

// scanJournal tallies a journal's finished records; with ids it also
// returns their record ids. A missing journal is empty.
func scanJournal(path string, ids bool) (tally, map[string]struct{}, int64, error) {
	var t tally
	var done map[string]struct{}
	if ids {
		done = make(map[string]struct{})
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, done, 0, nil
	}
	if err != nil {
		return t, done, 0, err
	}
	defer f.Close()
	good, err := readJournal(f, func(rt tally, output []byte) error {
		t.add(rt)
		if ids {
			var head struct {
				RecordID string `json:"recordId"`
			}
			if err := json.Unmarshal(output, &head); err != nil {
				return fmt.Errorf("journal %s: %w", path, err)
			}
			done[head.RecordID] = struct{}{}
		}
		return nil
	})
	return t, done, good, err
}

// openJournal opens a journal for appending, cutting off a torn end, and
// returns the ids of the records it already holds.
func openJournal(path string) (*journal, map[string]struct{}, error) {
	t, done, good, err := scanJournal(path, true)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &journal{f: f, w: bufio.NewWriterSize(f, 256<<10), records: int(t.processed())}, done, nil
}

// flush hands buffered lines to the file system (no fsync: a killed process
// loses nothing that was flushed).
func (j *journal) flush() error { return j.w.Flush() }

func (j *journal) close() error {
	err := j.w.Flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}
