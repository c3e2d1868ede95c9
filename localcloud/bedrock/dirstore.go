package bedrock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// DirStore is an ObjectStore over a directory: bucket b's object k is the
// file <root>/b/k, so a person can look at the data with ls. Objects are
// written to a temporary file and renamed into place, so a reader never sees
// half an object.
type DirStore struct {
	root string
}

// tmpDirName holds objects being written; a bucket name cannot start with
// '.', so it never clashes with one.
const tmpDirName = ".tmp"

// NewDirStore uses root (created if missing) as the store's directory.
func NewDirStore(root string) (*DirStore, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDirName), 0o755); err != nil {
		return nil, fmt.Errorf("object store: %w", err)
	}
	return &DirStore{root: root}, nil
}

// CreateBucket makes a bucket; making one that exists is not an error.
func (d *DirStore) CreateBucket(bucket string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(d.root, bucket), 0o755)
}

// Get opens the object's file.
func (d *DirStore) Get(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	p, err := d.objectPath(bucket, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && st.IsDir() {
			f.Close()
			return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchKey)
		}
		return f, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchKey)
	}
	return nil, err
}

// Put writes the object through a temporary file renamed into place.
func (d *DirStore) Put(_ context.Context, bucket, key string, body io.Reader) error {
	p, err := d.objectPath(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	err = spool.ReplaceFile(p, filepath.Join(d.root, tmpDirName), "put-*", false, func(f *os.File) error {
		_, err := io.Copy(f, body)
		return err
	})
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// List walks the bucket's directory below the prefix.
func (d *DirStore) List(_ context.Context, bucket, prefix string) ([]ObjectInfo, error) {
	if err := d.bucketExists(bucket); err != nil {
		return nil, err
	}
	base := filepath.Join(d.root, bucket)
	start := base
	if dir := path.Dir(prefix); strings.Contains(prefix, "/") && dir != "." {
		start = filepath.Join(base, filepath.FromSlash(dir))
	}
	var out []ObjectInfo
	err := filepath.WalkDir(start, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if de.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (d *DirStore) bucketExists(bucket string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	st, err := os.Stat(filepath.Join(d.root, bucket))
	if err != nil || !st.IsDir() {
		return fmt.Errorf("bucket %q: %w", bucket, ErrNoSuchBucket)
	}
	return nil
}

// objectPath maps bucket and key to a file, refusing keys that cannot be
// files (empty segments, "." and "..", a trailing slash).
func (d *DirStore) objectPath(bucket, key string) (string, error) {
	if err := d.bucketExists(bucket); err != nil {
		return "", err
	}
	if key == "" {
		return "", fmt.Errorf("object key is empty")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("object key %q cannot be stored as a file: it has an empty, \".\" or \"..\" segment", key)
		}
	}
	return filepath.Join(d.root, bucket, filepath.FromSlash(key)), nil
}

func checkBucket(bucket string) error {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || strings.HasPrefix(bucket, ".") {
		return fmt.Errorf("bucket name %q is not valid", bucket)
	}
	return nil
}
