package s3

import (
	"context"
	"errors"
	"io"
	"time"
)

// Storage is S3's data model, without HTTP: buckets, objects and multipart
// uploads. Errors wrap the sentinel errors below so callers can branch with
// errors.Is. Implementations are safe for concurrent use.
type Storage interface {
	CreateBucket(ctx context.Context, bucket string) error
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket removes an empty bucket.
	DeleteBucket(ctx context.Context, bucket string) error
	// BucketCORS returns a bucket's CORS rules, nil when it has none.
	BucketCORS(ctx context.Context, bucket string) ([]CORSRule, error)
	// SetBucketCORS replaces a bucket's CORS rules; nil removes them.
	SetBucketCORS(ctx context.Context, bucket string, rules []CORSRule) error

	// PutObject stores body under key, replacing any object with that key,
	// if the object it replaces meets cond. Readers see the old object or
	// the whole new one, never a part. If reading body fails, nothing is
	// stored.
	PutObject(ctx context.Context, bucket, key string, body io.Reader, meta Metadata, cond Precondition) (ObjectInfo, error)
	// GetObject opens an object. The caller must close Body.
	GetObject(ctx context.Context, bucket, key string) (*Object, error)
	HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// DeleteObject removes an object; a missing key is not an error.
	DeleteObject(ctx context.Context, bucket, key string) error
	// ListObjects lists keys in key order, one page at a time.
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (*ListPage, error)

	CreateMultipartUpload(ctx context.Context, bucket, key string, meta Metadata) (uploadID string, err error)
	// UploadPart stores a part; of two uploads of one part number, the one
	// that finishes last is kept.
	UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader) (PartInfo, error)
	ListParts(ctx context.Context, bucket, key, uploadID string) ([]PartInfo, error)
	// ListMultipartUploads lists the uploads in progress in a bucket, by
	// key and then by initiation time.
	ListMultipartUploads(ctx context.Context, bucket string) ([]UploadInfo, error)
	// CompleteMultipartUpload joins the listed parts, in order, into the
	// object if the object it replaces meets cond. Completing an upload
	// that was already completed returns the object it made, so a client
	// that lost the first answer can retry.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, cond Precondition) (ObjectInfo, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
}

// Precondition makes a write depend on the object it would replace, as
// S3's conditional writes do.
type Precondition struct {
	// IfMatch, when set, requires an object whose ETag (quoted or not)
	// matches; with no object the write fails with ErrNoSuchKey.
	IfMatch string
	// IfNoneMatch "*" requires that no object has the key.
	IfNoneMatch string
}

// UploadInfo describes a multipart upload in progress.
type UploadInfo struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name         string
	CreationDate time.Time
}

// CORSRule is one rule of a bucket's CORS configuration: which origins may
// send which methods with which headers, and what the answer tells the
// browser.
type CORSRule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"allowedOrigins"`
	AllowedMethods []string `json:"allowedMethods"`
	AllowedHeaders []string `json:"allowedHeaders,omitempty"`
	ExposeHeaders  []string `json:"exposeHeaders,omitempty"`
	// MaxAgeSeconds is how long a browser may cache a preflight's
	// answer; nil leaves it to the browser.
	MaxAgeSeconds *int `json:"maxAgeSeconds,omitempty"`
}

// Metadata is what S3 keeps with an object besides its bytes.
type Metadata struct {
	ContentType        string            `json:"contentType,omitempty"`
	ContentEncoding    string            `json:"contentEncoding,omitempty"`
	ContentDisposition string            `json:"contentDisposition,omitempty"`
	ContentLanguage    string            `json:"contentLanguage,omitempty"`
	CacheControl       string            `json:"cacheControl,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	User               map[string]string `json:"user,omitempty"`      // x-amz-meta-* (lower-case names, without the prefix)
	Checksums          map[string]string `json:"checksums,omitempty"` // algorithm (lower-case: crc32, sha256, …) → base64 value
	// PartSizes are the sizes of the parts a multipart upload joined, in
	// order, so GetObject can serve ?partNumber=.
	PartSizes []int64 `json:"partSizes,omitempty"`
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string // quoted, as in HTTP
	LastModified time.Time
	Metadata     Metadata
}

// Object is an open object. Body reads the object as it was when opened,
// even if it is replaced meanwhile.
type Object struct {
	ObjectInfo
	Body io.ReadSeekCloser
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// After lists only keys greater than After (S3's start-after / marker).
	After string
	// AfterPrefix, when set, also skips every key starting with After: a
	// page ended on the common prefix After.
	AfterPrefix bool
	// MaxKeys bounds keys plus common prefixes in the page; 0 means 1000.
	MaxKeys int
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// Next is the last key or common prefix in the page; NextIsPrefix says
	// which. Pass them as After/AfterPrefix to get the next page.
	Next         string
	NextIsPrefix bool
}

// PartInfo describes an uploaded part.
type PartInfo struct {
	PartNumber   int
	Size         int64
	ETag         string // quoted
	LastModified time.Time
}

// CompletedPart names a part to join in CompleteMultipartUpload.
type CompletedPart struct {
	PartNumber int
	ETag       string
}

// Errors a Storage reports, wrapped with context.
var (
	ErrNoSuchBucket       = errors.New("the specified bucket does not exist")
	ErrNoSuchKey          = errors.New("the specified key does not exist")
	ErrBucketAlreadyOwned = errors.New("the bucket already exists and is owned by you")
	ErrBucketNotEmpty     = errors.New("the bucket is not empty")
	ErrInvalidBucketName  = errors.New("invalid bucket name")
	ErrInvalidKey         = errors.New("invalid object key")
	ErrKeyTooLong         = errors.New("the key is too long")
	ErrPreconditionFailed = errors.New("at least one of the preconditions you specified did not hold")
	ErrNoSuchUpload       = errors.New("the specified multipart upload does not exist")
	ErrInvalidPart        = errors.New("a listed part was not uploaded or its ETag does not match")
	ErrInvalidPartOrder   = errors.New("the parts are not listed in ascending order")
	ErrEntityTooSmall     = errors.New("a part other than the last is smaller than the 5 MiB minimum")
	ErrInvalidPartNumber  = errors.New("part numbers must be between 1 and 10000")
	ErrMalformedPartList  = errors.New("the list of parts is empty")
)
