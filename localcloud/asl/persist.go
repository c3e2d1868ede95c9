package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// An execution is saved as a journal: one JSON line per save, holding what
// changed since the previous save — the execution-level record when it
// changed, the branches that changed, and the new history events. A save
// costs what it adds, not the size of the execution, so a Map of a
// thousand iterations does not rewrite its other iterations at every step.
// When the journal has grown to twice the size of its last compaction, it
// is replaced by a single line holding the whole execution.
//
// A line is complete once its newline is written; an incomplete last line
// (the process was killed while writing it) is ignored when loading, and
// the journal is compacted before the resumed execution adds to it.

// journalEntry is one line of the journal.
type journalEntry struct {
	Execution *executionRecord `json:"x,omitempty"`
	Branches  []*branchState   `json:"b,omitempty"`
	Events    []HistoryEvent   `json:"e,omitempty"`
}

// compactFloor is the journal size below which it is never compacted (a
// variable so that tests can compact small journals).
var compactFloor int64 = 64 << 10

// journalState is what of an execution is saved. Guarded by execution.mu.
type journalState struct {
	// nextID numbers new branches.
	nextID int64
	// dirty holds the branches changed since the last save.
	dirty map[*branchState]struct{}
	// header is set when the execution-level record changed.
	header bool
	// events counts the history events saved.
	events int
	// size is the journal's size; base its size after the last compaction.
	size, base int64
	// replace asks for a compaction at the next save: the journal is new,
	// was loaded (it may end with an incomplete line), or a save failed.
	replace bool
}

// errNoExecution is what loadJournal reports for a journal without a
// complete first save.
var errNoExecution = errors.New("the journal holds no complete save")

// errDetached fails saves of an execution whose engine was closed.
var errDetached = errors.New("the engine was closed")

// markLocked records that b changed. Callers hold x.mu.
func (x *execution) markLocked(b *branchState) {
	if x.journal.dirty == nil {
		x.journal.dirty = map[*branchState]struct{}{}
	}
	x.journal.dirty[b] = struct{}{}
}

// adoptLocked makes fan the branches of b, numbering them. Callers hold
// x.mu.
func (x *execution) adoptLocked(b *branchState, fan []*branchState) {
	for _, c := range fan {
		x.journal.nextID++
		c.ID = x.journal.nextID
		x.markLocked(c)
	}
	b.Fan = fan
	x.markLocked(b)
}

// checkpoint saves what changed since the last save, if the engine has a
// store. Saves of one execution are written in the order they collect
// their changes, so a later save never lands before an earlier one.
func (x *execution) checkpoint() error {
	store := x.engine.opts.Store
	if store == nil {
		return nil
	}
	x.saveMu.Lock()
	defer x.saveMu.Unlock()
	x.mu.Lock()
	if x.detached {
		x.mu.Unlock()
		return errDetached
	}
	if x.evicted {
		// Ended and saved: nothing changes any more.
		x.mu.Unlock()
		return nil
	}
	full := x.journal.replace || x.journal.size > max(2*x.journal.base, compactFloor)
	line, err := x.collectLocked(full)
	x.mu.Unlock()
	if err != nil || line == nil {
		return err
	}
	arn := x.rec.ExecutionArn
	if full {
		err = store.Replace(arn, line)
	} else {
		err = store.Append(arn, line)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err != nil {
		// What was collected is lost to the journal: write it whole next
		// time.
		x.journal.replace = true
		return fmt.Errorf("save execution %s: %w", arn, err)
	}
	if full {
		x.journal.replace = false
		x.journal.size, x.journal.base = int64(len(line)), int64(len(line))
	} else {
		x.journal.size += int64(len(line))
	}
	return nil
}

// collectLocked encodes the changes since the last save as one journal
// line (nil when nothing changed), or the whole execution when full, and
// marks them saved. Callers hold x.mu.
func (x *execution) collectLocked(full bool) ([]byte, error) {
	j := &x.journal
	var e journalEntry
	if full {
		e.Execution = x.rec
		walkBranches(x.rec.Root, func(b *branchState) { e.Branches = append(e.Branches, b) })
		e.Events = x.rec.History
	} else {
		if j.header {
			e.Execution = x.rec
		}
		for b := range j.dirty {
			e.Branches = append(e.Branches, b)
		}
		e.Events = x.rec.History[j.events:]
		if e.Execution == nil && len(e.Branches) == 0 && len(e.Events) == 0 {
			return nil, nil
		}
	}
	for _, b := range e.Branches {
		b.FanFirst, b.FanLen = 0, len(b.Fan)
		if len(b.Fan) > 0 {
			b.FanFirst = b.Fan[0].ID
		}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("save execution %s: %w", x.rec.ExecutionArn, err)
	}
	j.dirty, j.header, j.events = nil, false, len(x.rec.History)
	return append(line, '\n'), nil
}

// walkBranches calls f for b and every branch below it.
func walkBranches(b *branchState, f func(*branchState)) {
	if b == nil {
		return
	}
	f(b)
	for _, c := range b.Fan {
		walkBranches(c, f)
	}
}

// loadJournal rebuilds an execution from its journal.
func loadJournal(data []byte) (*executionRecord, journalState, error) {
	var (
		rec      *executionRecord
		branches = map[int64]*branchState{}
		history  []HistoryEvent
	)
	rest := data
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break // an incomplete last line: the save never finished
		}
		line := rest[:i]
		rest = rest[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var e journalEntry
		if err := dec.Decode(&e); err != nil {
			return nil, journalState{}, fmt.Errorf("a stored execution is not readable: %w", err)
		}
		if e.Execution != nil {
			rec = e.Execution
		}
		for _, b := range e.Branches {
			branches[b.ID] = b
		}
		for _, ev := range e.Events {
			if ev.ID == int64(len(history))+1 {
				history = append(history, ev)
			}
		}
	}
	if rec == nil {
		// Not even the first save finished: Start never returned.
		return nil, journalState{}, errNoExecution
	}
	root := branches[1]
	if root == nil {
		return nil, journalState{}, fmt.Errorf("the stored execution %s has no root branch; remove its file", rec.ExecutionArn)
	}
	var nextID int64
	var link func(b *branchState) error
	link = func(b *branchState) error {
		nextID = max(nextID, b.ID)
		if b.FanLen == 0 {
			b.Fan = nil
			return nil
		}
		b.Fan = make([]*branchState, b.FanLen)
		for i := range b.Fan {
			c := branches[b.FanFirst+int64(i)]
			if c == nil {
				return fmt.Errorf("the stored execution %s lacks branch %d; remove its file", rec.ExecutionArn, b.FanFirst+int64(i))
			}
			b.Fan[i] = c
			if err := link(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := link(root); err != nil {
		return nil, journalState{}, err
	}
	for id := range branches {
		nextID = max(nextID, id)
	}
	rec.Root, rec.History = root, history
	return rec, journalState{nextID: nextID, events: len(history), size: int64(len(data)), base: int64(len(data)), replace: true}, nil
}
