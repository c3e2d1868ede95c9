package localrun

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// InputPrefix is the key prefix under which a run uploads its manifests.
const InputPrefix = "input/"

// Input is one manifest to upload.
type Input struct {
	// Key is the object key in the bucket: InputPrefix + the file name.
	Key     string
	Records int
	// fsys and name locate the file, which is read again to upload it
	// rather than held in memory.
	fsys fs.FS
	name string
}

// Open opens the manifest for reading. Its files (os and embedded ones)
// are seekable, so an upload needs no copy of them.
func (in Input) Open() (fs.File, error) { return in.fsys.Open(in.name) }

// LoadInputs reads and validates the manifests to upload: the .jsonl files
// of a directory, one .jsonl file, or, for an empty path, the bundled
// sample. A bad file is reported with its line before anything is deployed.
func LoadInputs(path string) ([]Input, error) {
	fsys, names, err := inputFiles(path)
	if err != nil {
		return nil, err
	}
	var files []Input
	for _, n := range names {
		f, err := fsys.Open(n)
		if err != nil {
			return nil, fmt.Errorf("read input %s: %w", n, err)
		}
		stats, err := manifest.ValidateFile(f, displayName(path, n), manifest.Limits{})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("input manifest is not valid: %w", err)
		}
		files = append(files, Input{Key: InputPrefix + filepath.Base(n), Records: stats.Records, fsys: fsys, name: n})
	}
	return files, nil
}

// inputFiles names the manifests of path, sorted, in the file system that
// holds them.
func inputFiles(path string) (fs.FS, []string, error) {
	if path == "" {
		names, _ := fs.Glob(sampleapp.Data, sampleapp.DataDir+"/*.jsonl")
		return sampleapp.Data, names, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--input: %w", err)
	}
	if !st.IsDir() {
		return os.DirFS(filepath.Dir(path)), []string{filepath.Base(path)}, nil
	}
	fsys := os.DirFS(path)
	names, _ := fs.Glob(fsys, "*.jsonl")
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("--input %s: no .jsonl files in the directory", path)
	}
	sort.Strings(names)
	return fsys, names, nil
}

// displayName is how an error names input file n of path.
func displayName(path, n string) string {
	switch st, _ := os.Stat(path); {
	case path == "":
		return filepath.Base(n)
	case st != nil && !st.IsDir():
		return path
	default:
		return filepath.Join(path, n)
	}
}

// TotalRecords is the number of records of all inputs.
func TotalRecords(in []Input) int {
	n := 0
	for _, f := range in {
		n += f.Records
	}
	return n
}
