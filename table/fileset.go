package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// FileSet writes files that appear together or not at all: a file's Close
// only ends its writing; Commit makes every file appear, and Abort — or a
// Commit that fails — leaves none of them. A command that writes several
// manifests uses one, so that a failure half-way leaves nothing half-written.
type FileSet struct {
	ctx   context.Context
	store *Store
	files []File
	paths []string
}

// NewFileSet starts a set of files written through s.
func (s *Store) NewFileSet(ctx context.Context) *FileSet {
	return &FileSet{ctx: ctx, store: s}
}

// Create opens a file of the set for writing.
func (fs *FileSet) Create(p string) (io.WriteCloser, error) {
	f, err := fs.store.Create(fs.ctx, p)
	if err != nil {
		return nil, err
	}
	fs.files = append(fs.files, f)
	fs.paths = append(fs.paths, p)
	return pending{f}, nil
}

// Paths are the files of the set, in the order they were created.
func (fs *FileSet) Paths() []string { return fs.paths }

// Commit makes every file of the set appear. If one cannot be written, the
// ones already written are removed and the rest discarded.
func (fs *FileSet) Commit() error {
	for i, f := range fs.files {
		if err := f.Close(); err != nil {
			for _, rest := range fs.files[i+1:] {
				rest.Abort()
			}
			var errs []error
			for _, p := range fs.paths[:i] {
				if rerr := fs.store.Remove(fs.ctx, p); rerr != nil {
					errs = append(errs, rerr)
				}
			}
			fs.files = nil
			if len(errs) > 0 {
				return fmt.Errorf("write %s: %w; and the files written before it could not all be removed: %w", fs.paths[i], err, errors.Join(errs...))
			}
			return fmt.Errorf("write %s: %w (nothing of this set was left)", fs.paths[i], err)
		}
	}
	fs.files = nil
	return nil
}

// Abort discards every file of the set. It may be called after Commit, to
// no effect.
func (fs *FileSet) Abort() {
	for _, f := range fs.files {
		f.Abort()
	}
	fs.files = nil
}

// pending is a file of a set: closing it leaves it to the set's Commit.
type pending struct{ File }

func (pending) Close() error { return nil }

// Remove deletes a file or an object; one already gone is not an error.
func (s *Store) Remove(ctx context.Context, p string) error {
	if !IsS3(p) {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	bucket, key, err := splitS3(p)
	if err != nil {
		return err
	}
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}
