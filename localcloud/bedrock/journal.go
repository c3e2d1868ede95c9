package bedrock

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// The output of one input file goes to S3 while the job runs, as the parts
// of a multipart upload, so the engine keeps no copy of it: finished
// records' output lines are appended to a spool file until it holds a part,
// which is then uploaded and the spool emptied. The file's journal records
// where that stands, in a few bytes per checkpoint, one event a line:
//
//	u <upload id>
//	c <spool bytes> <success> <errors> <input tokens> <output tokens> <done>
//	p <part number> <etag>
//	f
//
// u names the output's multipart upload. c is a checkpoint: the spool's
// first <spool bytes> bytes are flushed output lines, the counts are those
// of all the file's finished records, and <done> says which records those
// are (see doneSet). p says the spool, as of the last checkpoint, is
// uploaded as that part and is empty now. f says the output object is
// complete. A record is finished once a checkpoint names it: its output
// line is then in an uploaded part or in the spool, and it never runs
// again. The journal is only appended to, so after a crash it ends with at
// most one torn line, which is cut off when it is reopened; the spool is cut
// back to the last checkpoint.
type journal struct {
	path string
	f    *os.File // open for appending
	state
}

// state is what a journal's lines say.
type state struct {
	uploadID string
	parts    []Part
	spool    int64 // bytes of the spool that hold output lines
	t        tally
	done     doneSet
	complete bool
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

// errTornLine marks a journal line that is incomplete or unreadable.
var errTornLine = errors.New("torn journal line")

// readJournal replays a journal. It returns the state its intact lines
// describe and the length of its intact beginning.
func readJournal(r io.Reader) (state, int64, error) {
	var st state
	br := bufio.NewReader(r)
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return st, good, nil // a last line without its newline is torn
		}
		if err != nil {
			return st, good, err
		}
		if st.apply(line[:len(line)-1]) != nil {
			return st, good, nil // everything from here on is redone
		}
		good += int64(len(line))
	}
}

// apply changes the state by one journal line (without its newline).
func (st *state) apply(line []byte) error {
	fields := bytes.Fields(line)
	if len(fields) == 0 || len(fields[0]) != 1 {
		return errTornLine
	}
	args := fields[1:]
	switch fields[0][0] {
	case 'u':
		if len(args) != 1 || st.uploadID != "" {
			return errTornLine
		}
		st.uploadID = string(args[0])
	case 'c':
		if len(args) < 6 || st.uploadID == "" {
			return errTornLine
		}
		var n [5]int64
		for i := range n {
			v, err := strconv.ParseInt(string(args[i]), 10, 64)
			if err != nil || v < 0 {
				return errTornLine
			}
			n[i] = v
		}
		done, err := parseDoneSet(args[5:])
		if err != nil {
			return errTornLine
		}
		st.spool = n[0]
		st.t = tally{success: n[1], errors: n[2], inTokens: n[3], outTokens: n[4]}
		st.done = done
	case 'p':
		if len(args) != 2 || st.uploadID == "" {
			return errTornLine
		}
		num, err := strconv.Atoi(string(args[0]))
		if err != nil || num != len(st.parts)+1 {
			return errTornLine
		}
		st.parts = append(st.parts, Part{Number: num, ETag: string(args[1])})
		st.spool = 0
	case 'f':
		if len(args) != 0 {
			return errTornLine
		}
		st.complete = true
	default:
		return errTornLine
	}
	return nil
}

// openJournal opens a journal for appending, cutting off a torn end, and
// replays it. A missing journal is created empty when create is set and is
// fs.ErrNotExist otherwise.
func openJournal(path string, create bool) (*journal, error) {
	flags := os.O_RDWR
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	st, good, err := readJournal(f)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &journal{path: path, f: f, state: st}, nil
}

// scanJournal returns the state of a journal without opening it for
// writing. A missing journal is the empty state.
func scanJournal(path string) (state, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, err
	}
	defer f.Close()
	st, _, err := readJournal(f)
	return st, err
}

// append writes one event and applies it to the journal's state. The line
// goes to the file system at once (without an fsync: a killed process loses
// nothing that was written).
func (j *journal) append(line []byte) error {
	if err := j.state.apply(line); err != nil {
		return fmt.Errorf("journal %s: %w: %q", j.path, err, line)
	}
	_, err := j.f.Write(append(line, '\n'))
	return err
}

// started records the output's multipart upload.
func (j *journal) started(uploadID string) error {
	return j.append([]byte("u " + uploadID))
}

// checkpoint records that the spool holds spool bytes and that the records
// in done, with counts t, are finished.
func (j *journal) checkpoint(spool int64, t tally, done *doneSet) error {
	b := make([]byte, 0, 96)
	b = append(b, "c "...)
	for _, n := range []int64{spool, t.success, t.errors, t.inTokens, t.outTokens} {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ' ')
	}
	return j.append(done.appendText(b))
}

// uploaded records that the spool is uploaded as the next part.
func (j *journal) uploaded(etag string) error {
	return j.append(fmt.Appendf(nil, "p %d %s", len(j.parts)+1, etag))
}

// finished records that the output object is complete.
func (j *journal) finished() error { return j.append([]byte("f")) }

func (j *journal) close() error { return j.f.Close() }

// spoolPath is the spool file of a journal.
func spoolPath(journalPath string) string { return journalPath + ".spool" }
