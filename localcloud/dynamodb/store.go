package dynamodb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The store keeps each table in its own directory: table.json holds the
// table's definition and items.log its writes, one JSON line each
// ({"put": item} or {"delete": key}). A write appends one line, so its cost
// does not grow with the table. Opening a table replays the log and, when
// the log holds many more lines than the table has items, rewrites it
// with one line per item (into a new file renamed over the old one, so a
// crash leaves either log whole).
const (
	metaFile = "table.json"
	logFile  = "items.log"
)

type logRecord struct {
	Put    Item `json:"put,omitempty"`
	Delete Item `json:"delete,omitempty"`
}

// tableLog appends a table's writes.
type tableLog struct {
	f     *os.File
	w     *bufio.Writer
	lines int
}

func saveMeta(dir string, m *tableMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, metaFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, metaFile))
}

// loadTable reads a table directory: its definition and its items.
func loadTable(dir string) (*tableMeta, []logRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, nil, err
	}
	m := new(tableMeta)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, nil, fmt.Errorf("table definition %s: %w", dir, err)
	}
	f, err := os.Open(filepath.Join(dir, logFile))
	if os.IsNotExist(err) {
		return m, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var recs []logRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var r logRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			// A line cut short by a crash ends the log; the lines before it
			// are whole.
			break
		}
		recs = append(recs, r)
	}
	return m, recs, sc.Err()
}

// openLog opens a table's log for appending, first rewriting it from items
// when rewrite is set.
func openLog(dir string, items []Item, rewrite bool) (*tableLog, error) {
	path := filepath.Join(dir, logFile)
	if rewrite {
		tmp := path + ".tmp"
		f, err := os.Create(tmp)
		if err != nil {
			return nil, err
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		for _, it := range items {
			if err := enc.Encode(logRecord{Put: it}); err != nil {
				f.Close()
				return nil, err
			}
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &tableLog{f: f, w: bufio.NewWriter(f), lines: len(items)}, nil
}

// append writes records and hands them to the operating system before the
// request is answered, so a process that stops loses none of them.
func (l *tableLog) append(recs ...logRecord) error {
	enc := json.NewEncoder(l.w)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	l.lines += len(recs)
	return l.w.Flush()
}

func (l *tableLog) close() error { return l.f.Close() }
