package bedrock

import (
	"context"
	"errors"
	"io"
)

// ObjectStore is the object storage the engine reads inputs from and writes
// outputs to: S3's data plane, reduced to what batch jobs need.
type ObjectStore interface {
	// Get opens an object for reading. A missing bucket is ErrNoSuchBucket,
	// a missing object ErrNoSuchKey.
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// Put stores body as the object, replacing any object with that key.
	// Readers see either the old object or the whole new one. The body is
	// seekable, so that a request can be signed and retried without a copy.
	Put(ctx context.Context, bucket, key string, body io.ReadSeeker) error
	// CreateUpload starts a multipart upload of an object and returns its
	// id; UploadPart stores part n (from 1) of it and returns the part's
	// ETag; CompleteUpload makes the parts, in order, the object; and
	// AbortUpload discards the upload. Every part but the last holds at
	// least 5 MiB. A job's output goes to S3 this way while the job runs.
	CreateUpload(ctx context.Context, bucket, key string) (string, error)
	UploadPart(ctx context.Context, bucket, key, uploadID string, n int, body io.ReadSeeker) (string, error)
	CompleteUpload(ctx context.Context, bucket, key, uploadID string, parts []Part) error
	AbortUpload(ctx context.Context, bucket, key, uploadID string) error
	// List returns the objects whose keys start with prefix, in key order.
	List(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error)
	// Head describes one object; a missing object is ErrNoSuchKey.
	Head(ctx context.Context, bucket, key string) (ObjectInfo, error)
}

// Part is an uploaded part of a multipart upload.
type Part struct {
	Number int
	ETag   string
}

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key  string
	Size int64
}

// Errors an ObjectStore reports (possibly wrapped) for missing data.
var (
	ErrNoSuchBucket = errors.New("the bucket does not exist")
	ErrNoSuchKey    = errors.New("the object does not exist")
	ErrNoSuchUpload = errors.New("the multipart upload does not exist")
)
