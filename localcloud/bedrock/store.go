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
	// Readers see either the old object or the whole new one.
	Put(ctx context.Context, bucket, key string, body io.Reader) error
	// List returns the objects whose keys start with prefix, in key order.
	List(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error)
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
)
