package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Files names the manifests at path: path itself when it is a file, else
// the .jsonl files of the directory (not of its subdirectories), sorted by
// name and joined to path. A directory without .jsonl files is an error, as
// is a path that does not exist.
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	paths, err := filepath.Glob(filepath.Join(path, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no .jsonl files in the directory", path)
	}
	sort.Strings(paths)
	return paths, nil
}
