package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// writeManifests writes n records over files manifests named as a run
// uploads them, and returns their bytes.
func writeManifests(dir string, n, files int) (int64, error) {
	samples, err := sampleRecords()
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	id := 0
	for f := range files {
		count := n / files
		if f < n%files {
			count++
		}
		file, err := os.Create(filepath.Join(dir, fmt.Sprintf("manifest-%02d.jsonl", f+1)))
		if err != nil {
			return 0, err
		}
		w := bufio.NewWriterSize(file, 1<<20)
		for range count {
			id++
			line := fmt.Sprintf(`{"recordId":"REVIEW%07d","modelInput":%s}`+"\n", id, samples[id%len(samples)])
			total += int64(len(line))
			w.WriteString(line)
		}
		if err := errors.Join(w.Flush(), file.Close()); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// sampleRecords returns the modelInput of every bundled sample record.
func sampleRecords() ([]json.RawMessage, error) {
	names, err := fs.Glob(sampleapp.Data, sampleapp.DataDir+"/*.jsonl")
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, n := range names {
		data, err := fs.ReadFile(sampleapp.Data, n)
		if err != nil {
			return nil, err
		}
		for line := range bytes.Lines(data) {
			var rec struct {
				ModelInput json.RawMessage `json:"modelInput"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				return nil, fmt.Errorf("%s: %w", n, err)
			}
			out = append(out, rec.ModelInput)
		}
	}
	return out, nil
}
