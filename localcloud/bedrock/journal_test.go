package bedrock

import (
	"os"
	"path/filepath"
	"testing"
)

// TestJournalReplaysAndCutsATornEnd writes the events of a file's output
// the way a run does, then a line cut short by a crash, and reopens it.
func TestJournalReplaysAndCutsATornEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "input-0.journal")
	j, err := openJournal(path, true)
	if err != nil {
		t.Fatal(err)
	}
	var d doneSet
	for i := range 10 {
		d.add(i)
	}
	d.add(12)
	steps := []func() error{
		func() error { return j.started("upload-1") },
		func() error {
			return j.checkpoint(6<<20, tally{success: 9, errors: 1, inTokens: 90, outTokens: 30}, &d)
		},
		func() error { return j.uploaded(`"etag-1"`) },
		func() error {
			d.add(10)
			d.add(11)
			return j.checkpoint(700, tally{success: 12, errors: 1, inTokens: 120, outTokens: 39}, &d)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	j.close()
	intact, _ := os.ReadFile(path)

	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("p 2 \"etag-2\"\nc 800 13 1 1") // an event, then half a checkpoint
	f.Close()
	j, err = openJournal(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if j.uploadID != "upload-1" || len(j.parts) != 2 || j.parts[1] != (Part{2, `"etag-2"`}) || j.spool != 0 {
		t.Fatalf("state %+v", j.state)
	}
	if j.t != (tally{success: 12, errors: 1, inTokens: 120, outTokens: 39}) || j.done.count() != 13 || j.done.low != 13 {
		t.Fatalf("counts %+v, done %+v", j.t, j.done)
	}
	got, _ := os.ReadFile(path)
	if want := string(intact) + "p 2 \"etag-2\"\n"; string(got) != want {
		t.Fatalf("journal after reopening:\n%s\nwant the torn checkpoint cut off:\n%s", got, want)
	}
	if err := j.finished(); err != nil {
		t.Fatal(err)
	}
	if st, err := scanJournal(path); err != nil || !st.complete {
		t.Fatalf("after f: %+v, %v", st, err)
	}
	// A part out of sequence is damage, not progress: replay stops there.
	f, _ = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("p 9 \"etag-9\"\nc 0 99 0 0 0 99\n")
	f.Close()
	if st, _ := scanJournal(path); len(st.parts) != 2 || st.done.count() != 13 {
		t.Fatalf("after a damaged line: parts %v, %d done", st.parts, st.done.count())
	}
	if _, err := openJournal(filepath.Join(t.TempDir(), "missing"), false); !os.IsNotExist(err) {
		t.Fatalf("opening a missing journal: %v", err)
	}
}
