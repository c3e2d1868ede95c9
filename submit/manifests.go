package submit

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// Manifest is one local manifest file to upload, validated.
type Manifest struct {
	// Path is the file on this machine, Key its object key in the bucket
	// (the prefix and the file's base name).
	Path    string `json:"path"`
	Key     string `json:"key"`
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// LoadManifests names and validates the manifests of path: one .jsonl file,
// or every .jsonl file of a directory (not its subdirectories), sorted by
// name. Each file is streamed through manifest.ValidateFile and must hold
// enough records for a job of its own (each manifest runs as one job), so a
// mistake is reported with its file and line before anything is uploaded.
// lim's zero fields mean the service's defaults.
func LoadManifests(path, prefix string, lim manifest.Limits) ([]Manifest, error) {
	paths, err := manifestPaths(path)
	if err != nil {
		return nil, err
	}
	out := make([]Manifest, 0, len(paths))
	for _, p := range paths {
		stats, err := validateFile(p, lim)
		if err != nil {
			return nil, fmt.Errorf("input manifest is not valid: %w", err)
		}
		out = append(out, Manifest{Path: p, Key: prefix + filepath.Base(p), Records: stats.Records, Bytes: stats.Bytes})
	}
	return out, nil
}

func validateFile(path string, lim manifest.Limits) (manifest.FileStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return manifest.FileStats{}, err
	}
	defer f.Close()
	stats, err := manifest.ValidateFile(f, path, lim)
	if err != nil {
		return stats, err
	}
	return stats, manifest.ValidateJob([]manifest.FileStats{stats}, lim)
}

func manifestPaths(path string) ([]string, error) {
	if path == "" {
		return nil, fmt.Errorf("no input: give a .jsonl manifest or a directory of them")
	}
	paths, err := manifest.Files(path)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	return paths, nil
}

// TotalRecords is the number of records of all manifests.
func TotalRecords(ms []Manifest) int {
	n := 0
	for _, m := range ms {
		n += m.Records
	}
	return n
}
