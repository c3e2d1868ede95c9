package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// Store opens, creates and lists files by path: a local path, or an
// s3://bucket/key URI.
type Store struct {
	// S3 serves s3:// paths. Nil means a client from the default AWS
	// configuration (credentials, AWS_REGION, AWS_ENDPOINT_URL), created
	// on first use; with an endpoint set it addresses buckets by path, as
	// local S3 servers expect.
	S3 *s3.Client
	// Encoding is the character encoding of CSV and JSON Lines tables read
	// through the Store, by its WHATWG name or label (windows-1252,
	// latin1, shift_jis, utf-16le, …); empty means UTF-8, and then bytes
	// that are not UTF-8 are an error naming the row, never replaced.
	Encoding string

	once  sync.Once
	s3err error
}

// IsS3 reports whether p is an s3:// URI.
func IsS3(p string) bool { return strings.HasPrefix(p, "s3://") }

// splitS3 returns the bucket and key of an s3:// URI.
func splitS3(uri string) (bucket, key string, err error) {
	u, err := batch.SplitS3URI(uri)
	return u.Bucket, u.Key, err
}

// Join appends name to a directory path or an s3:// prefix.
func Join(dir, name string) string {
	if IsS3(dir) {
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
	return filepath.Join(dir, name)
}

func (s *Store) client(ctx context.Context) (*s3.Client, error) {
	s.once.Do(func() {
		if s.S3 != nil {
			return
		}
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			s.s3err = fmt.Errorf("AWS configuration for s3:// paths: %w", err)
			return
		}
		s.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
			if cfg.BaseEndpoint != nil {
				o.UsePathStyle = true
			}
		})
	})
	return s.S3, s.s3err
}

// Open opens a file for reading and returns its size.
func (s *Store) Open(ctx context.Context, p string) (io.ReadCloser, int64, error) {
	if !IsS3(p) {
		f, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		if st.IsDir() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is a directory: give a file", p)
		}
		return f, st.Size(), nil
	}
	bucket, key, err := splitS3(p)
	if err != nil {
		return nil, 0, err
	}
	c, err := s.client(ctx)
	if err != nil {
		return nil, 0, err
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", p, err)
	}
	return out.Body, aws.ToInt64(out.ContentLength), nil
}

// Create opens a file for writing. A local file appears under its name
// only when Close succeeds; an S3 object is uploaded as it is written
// (in parts, so its size is not bounded by memory) and exists once Close
// returns without error. Abort discards what was written.
func (s *Store) Create(ctx context.Context, p string) (File, error) {
	if !IsS3(p) {
		if dir := filepath.Dir(p); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
		f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
		if err != nil {
			return nil, err
		}
		return &localFile{File: f, final: p}, nil
	}
	bucket, key, err := splitS3(p)
	if err != nil {
		return nil, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, fmt.Errorf("%s names a prefix, not an object: add a file name", p)
	}
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	u := &s3File{pw: pw, done: make(chan error, 1), cancel: cancel, uri: p}
	tm := transfermanager.New(c)
	go func() {
		_, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: pr})
		pr.CloseWithError(err)
		u.done <- err
	}()
	return u, nil
}

// File is a file being written by Create.
type File interface {
	io.WriteCloser
	// Abort discards the file.
	Abort()
}

type localFile struct {
	*os.File
	final string
}

// Close makes the file appear under its name with mode 0644, as a plain
// create leaves a file (the temporary file it was written to is private).
func (f *localFile) Close() error {
	err := f.File.Chmod(0o644)
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), f.final)
}

func (f *localFile) Abort() {
	f.File.Close()
	os.Remove(f.Name())
}

type s3File struct {
	pw     *io.PipeWriter
	done   chan error
	cancel context.CancelFunc
	uri    string
}

func (f *s3File) Write(b []byte) (int, error) {
	n, err := f.pw.Write(b)
	if err != nil {
		return n, fmt.Errorf("upload %s: %w", f.uri, err)
	}
	return n, nil
}

func (f *s3File) Close() error {
	f.pw.Close()
	err := <-f.done
	f.cancel()
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.uri, err)
	}
	return nil
}

func (f *s3File) Abort() {
	f.cancel()
	f.pw.CloseWithError(context.Canceled)
	<-f.done
}

// Object is a file found by List.
type Object struct {
	Path string
	Size int64
}

// List returns the files under a directory (recursively) or an s3:// prefix
// whose names end in one of suffixes, sorted by path; a path naming one
// file returns that file.
func (s *Store) List(ctx context.Context, p string, suffixes ...string) ([]Object, error) {
	match := func(name string) bool {
		for _, suf := range suffixes {
			if strings.HasSuffix(name, suf) {
				return true
			}
		}
		return len(suffixes) == 0
	}
	var out []Object
	if !IsS3(p) {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			return []Object{{Path: p, Size: st.Size()}}, nil
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !match(d.Name()) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, Object{Path: path, Size: info.Size()})
			return nil
		})
		return out, err
	}
	bucket, key, err := splitS3(p)
	if err != nil {
		return nil, err
	}
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", p, err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			// A prefix matches whole path segments, as a directory does.
			if k != key && !strings.HasSuffix(key, "/") && key != "" && !strings.HasPrefix(k, key+"/") {
				continue
			}
			if match(k) {
				out = append(out, Object{Path: batch.S3URI{Bucket: bucket, Key: k}.String(), Size: aws.ToInt64(o.Size)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// LocalCopy returns a local path holding the file's content: the file
// itself when it is local, else a temporary copy in dir ("" for the
// system's) that cleanup removes.
func (s *Store) LocalCopy(ctx context.Context, p, dir string) (string, func(), error) {
	if !IsS3(p) {
		return p, func() {}, nil
	}
	r, _, err := s.Open(ctx, p)
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	f, err := os.CreateTemp(dir, "table-*"+filepath.Ext(p))
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("download %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

// ErrNotFound reports whether err says a file or object does not exist.
func ErrNotFound(err error) bool {
	var nsk interface{ ErrorCode() string }
	if errors.As(err, &nsk) && (nsk.ErrorCode() == "NoSuchKey" || nsk.ErrorCode() == "NotFound") {
		return true
	}
	return errors.Is(err, fs.ErrNotExist)
}
