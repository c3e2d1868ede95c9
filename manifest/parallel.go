package manifest

import (
	"errors"
	"fmt"
	"io"
)

// Bounds of the chunks of lines that ForEach hands to its parsers.
const (
	chunkMaxLines = 256
	chunkMaxBytes = 1 << 20
)

// lineEntry is one line of a chunk: its bytes in the chunk's data, or the
// error that reading it produced.
type lineEntry struct {
	line       int
	end        int64
	start, pos int
	err        error
}

type lineChunk struct {
	seq     int
	data    []byte
	entries []lineEntry
	recs    []Record
	errs    []error
	readErr error
}

// ForEach calls fn with every record of the input in file order, or with the
// record's *Error (and a Record holding only its Line) for a line that is
// not a valid record. Lines are parsed on up to parallel goroutines while fn
// runs on the caller's goroutine; at most a few chunks of lines are in memory
// at once. ForEach stops and returns fn's error as soon as fn returns one,
// and returns nil at the end of the input. The Reader must not be used
// otherwise during the call.
func (r *Reader) ForEach(parallel int, fn func(Record, error) error) error {
	if parallel <= 1 {
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			var me *Error
			if err != nil && !errors.As(err, &me) {
				return err
			}
			if ferr := fn(rec, err); ferr != nil {
				return ferr
			}
		}
	}
	todo := make(chan *lineChunk, parallel)
	parsed := make(chan *lineChunk, parallel)
	tokens := make(chan struct{}, 2*parallel) // chunks in flight
	quit := make(chan struct{})

	go func() {
		defer close(todo)
		for seq := 0; ; seq++ {
			select {
			case tokens <- struct{}{}:
			case <-quit:
				return
			}
			c, last := r.readChunk(seq)
			select {
			case todo <- c:
			case <-quit:
				return
			}
			if last {
				return
			}
		}
	}()
	workers := make(chan struct{})
	for range parallel {
		go func() {
			defer func() { workers <- struct{}{} }()
			for c := range todo {
				c.recs = make([]Record, len(c.entries))
				c.errs = make([]error, len(c.entries))
				for i, e := range c.entries {
					if e.err != nil {
						c.recs[i].Line, c.errs[i] = e.line, e.err
						continue
					}
					c.recs[i], c.errs[i] = parseRecord(c.data[e.start:e.pos], r.file, e.line, true)
					c.recs[i].Line = e.line
					if c.errs[i] == nil {
						c.recs[i].End = e.end
					}
				}
				parsed <- c
			}
		}()
	}
	go func() {
		for range parallel {
			<-workers
		}
		close(parsed)
	}()

	var result error
	pending := map[int]*lineChunk{}
	next := 0
	for c := range parsed {
		if result != nil {
			continue // drain
		}
		pending[c.seq] = c
		for result == nil {
			pc, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			for i := range pc.recs {
				if rec := &pc.recs[i]; rec.GeneratedID && r.taken != nil {
					rec.RecordID = r.generatedID(rec.Line)
				}
				if result = fn(pc.recs[i], pc.errs[i]); result != nil {
					break
				}
			}
			if result == nil {
				result = pc.readErr
			}
			if r.recycle != nil {
				select {
				case r.recycle <- pc.data[:0]:
				default:
				}
			}
			<-tokens
		}
		if result != nil {
			close(quit)
		}
	}
	return result
}

// readChunk reads the next chunk of non-blank lines; last reports the end
// of the input or a read error (kept in the chunk).
func (r *Reader) readChunk(seq int) (c *lineChunk, last bool) {
	// Size the chunk like the one before, so that it is not regrown line
	// by line.
	c = &lineChunk{seq: seq, entries: make([]lineEntry, 0, chunkMaxLines)}
	select {
	case c.data = <-r.recycle: // nil channel: never
	default:
		c.data = make([]byte, 0, r.chunkHint)
	}
	defer func() { r.chunkHint = min(len(c.data)+len(c.data)/8, chunkMaxBytes) }()
	for len(c.entries) < chunkMaxLines && len(c.data) < chunkMaxBytes {
		line, err := r.lines.next()
		switch {
		case errors.Is(err, io.EOF):
			return c, true
		case errors.Is(err, errLineTooLong):
			c.entries = append(c.entries, lineEntry{line: r.lines.line, err: r.tooLong()})
			continue
		case err != nil:
			c.readErr = fmt.Errorf("read %s: %w", r.file, err)
			return c, true
		}
		if blank(line) {
			continue
		}
		start := len(c.data)
		c.data = append(c.data, line...)
		c.entries = append(c.entries, lineEntry{line: r.lines.line, end: r.lines.bytes, start: start, pos: len(c.data)})
	}
	return c, false
}
