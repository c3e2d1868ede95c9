package localrun

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
	// rather than held in memory; display names it in errors.
	fsys          fs.FS
	name, display string
}

// Open opens the manifest for reading. Its files (os and embedded ones)
// are seekable, so an upload needs no copy of them.
func (in Input) Open() (fs.File, error) { return in.fsys.Open(in.name) }

// LoadInputs reads and validates the manifests to upload: the .jsonl files
// of a directory, one .jsonl file, or, for an empty path, the bundled
// sample. A bad file is reported with its line before anything is deployed.
func LoadInputs(path string) ([]Input, error) {
	files, err := inputFiles(path)
	if err != nil {
		return nil, err
	}
	for i, in := range files {
		f, err := in.Open()
		if err != nil {
			return nil, fmt.Errorf("read input %s: %w", in.display, err)
		}
		stats, err := manifest.ValidateFile(f, in.display, manifest.Limits{})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("input manifest is not valid: %w", err)
		}
		files[i].Records = stats.Records
	}
	return files, nil
}

// inputFiles locates the manifests of path (manifest.Files), or the bundled
// sample for an empty path, in key order.
func inputFiles(path string) ([]Input, error) {
	if path == "" {
		names, _ := fs.Glob(sampleapp.Data, sampleapp.DataDir+"/*.jsonl")
		files := make([]Input, len(names))
		for i, n := range names {
			base := filepath.Base(n)
			files[i] = Input{Key: InputPrefix + base, fsys: sampleapp.Data, name: n, display: base}
		}
		return files, nil
	}
	paths, err := manifest.Files(path)
	if err != nil {
		return nil, fmt.Errorf("--input: %w", err)
	}
	files := make([]Input, len(paths))
	for i, p := range paths {
		base := filepath.Base(p)
		files[i] = Input{Key: InputPrefix + base, fsys: os.DirFS(filepath.Dir(p)), name: base, display: p}
	}
	return files, nil
}

// TotalRecords is the number of records of all inputs.
func TotalRecords(in []Input) int {
	n := 0
	for _, f := range in {
		n += f.Records
	}
	return n
}
