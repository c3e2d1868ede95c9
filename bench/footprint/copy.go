package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// copyTree copies the files of src into dst with copy, as the baseline the
// run's time is compared with.
func copyTree(src, dst string, copy copier) (time.Duration, error) {
	start := time.Now()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), copy); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// copier copies a file's bytes.
type copier func(dst io.Writer, src io.Reader) (int64, error)

// copyBuffered reads and writes every byte through a buffer, as a program
// that handles the data does; io.Copy between files leaves it to the
// kernel.
func copyBuffered(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, 256<<10))
}

func copyFile(src, dst string, copy copier) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = copy(out, in)
	return errors.Join(err, out.Close())
}
