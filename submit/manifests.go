package submit

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// Source is where the manifests to upload are: files on this machine, or a
// file system such as the bundled sample's.
type Source struct {
	// Path is one .jsonl manifest or a directory of them (not its
	// subdirectories).
	Path string
	// FS, when Path is empty, holds the manifests: the .jsonl files at its
	// root.
	FS fs.FS
}

func (s Source) empty() bool { return s.Path == "" && s.FS == nil }

// Manifest is one manifest to upload, validated.
type Manifest struct {
	// Path is the file on this machine, or its name in Source.FS; Key its
	// object key in the bucket (the prefix and the file's base name).
	Path    string `json:"path"`
	Key     string `json:"key"`
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
	// fsys holds Path when the manifest comes from Source.FS.
	fsys fs.FS
}

// Open opens the manifest for reading. Its files (os and embedded ones) are
// seekable, so an upload needs no copy of them.
func (m Manifest) Open() (fs.File, error) {
	if m.fsys != nil {
		return m.fsys.Open(m.Path)
	}
	return os.Open(m.Path)
}

// LoadManifests names and validates the manifests of src, sorted by name.
// Each file is streamed through manifest.ValidateFile and must hold enough
// records for a job of its own (each manifest runs as one job), so a
// mistake is reported with its file and line before anything is uploaded.
// lim's zero fields mean the service's defaults.
func LoadManifests(src Source, prefix string, lim manifest.Limits) ([]Manifest, error) {
	ms, err := locate(src, prefix)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		stats, err := validateFile(m, lim)
		if err != nil {
			return nil, fmt.Errorf("input manifest is not valid: %w", err)
		}
		ms[i].Records, ms[i].Bytes = stats.Records, stats.Bytes
	}
	return ms, nil
}

func validateFile(m Manifest, lim manifest.Limits) (manifest.FileStats, error) {
	f, err := m.Open()
	if err != nil {
		return manifest.FileStats{}, err
	}
	defer f.Close()
	stats, err := manifest.ValidateFile(f, m.Path, lim)
	if err != nil {
		return stats, err
	}
	return stats, manifest.ValidateJob([]manifest.FileStats{stats}, lim)
}

// locate lists the manifests of src, in key order.
func locate(src Source, prefix string) ([]Manifest, error) {
	if src.Path == "" && src.FS != nil {
		names, err := fs.Glob(src.FS, "*.jsonl")
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("input: no .jsonl files in the given file system")
		}
		ms := make([]Manifest, len(names))
		for i, n := range names {
			ms[i] = Manifest{Path: n, Key: prefix + n, fsys: src.FS}
		}
		return ms, nil
	}
	if src.Path == "" {
		return nil, fmt.Errorf("no input: give a .jsonl manifest or a directory of them")
	}
	paths, err := manifest.Files(src.Path)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	ms := make([]Manifest, len(paths))
	for i, p := range paths {
		ms[i] = Manifest{Path: p, Key: prefix + filepath.Base(p)}
	}
	return ms, nil
}

// TotalRecords is the number of records of all manifests.
func TotalRecords(ms []Manifest) int {
	n := 0
	for _, m := range ms {
		n += m.Records
	}
	return n
}

// keys are the manifests' object keys, in order.
func keys(ms []Manifest) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key
	}
	return out
}
