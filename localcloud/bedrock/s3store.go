package bedrock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Store is the engine's ObjectStore through the S3 API: the batch service
// reads inputs and writes outputs through S3, as on AWS, rather than
// reaching into another service's storage.
type S3Store struct {
	client *s3.Client
	tmpDir string // where unseekable bodies are spooled before upload
}

// NewS3Store returns a store that reaches S3 through client and spools
// bodies it cannot read twice (which request signing needs) in tmpDir.
func NewS3Store(client *s3.Client, tmpDir string) *S3Store {
	return &S3Store{client: client, tmpDir: tmpDir}
}

// Get implements ObjectStore.
func (o *S3Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, objectError(bucket, key, err)
	}
	return out.Body, nil
}

// Put implements ObjectStore.
func (o *S3Store) Put(ctx context.Context, bucket, key string, body io.Reader) error {
	rs, ok := body.(io.ReadSeeker)
	if !ok {
		// The SDK signs a payload it can read twice; spool a stream to a
		// file first.
		if err := os.MkdirAll(o.tmpDir, 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(o.tmpDir, "put-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		if _, err := io.Copy(f, body); err != nil {
			return fmt.Errorf("spool s3://%s/%s: %w", bucket, key, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		rs = f
	}
	_, err := o.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: rs})
	if err != nil {
		return objectError(bucket, key, err)
	}
	return nil
}

// List implements ObjectStore.
func (o *S3Store) List(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	p := s3.NewListObjectsV2Paginator(o.client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, objectError(bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			out = append(out, ObjectInfo{Key: aws.ToString(obj.Key), Size: aws.ToInt64(obj.Size)})
		}
	}
	return out, nil
}

func objectError(bucket, key string, err error) error {
	var noKey *types.NoSuchKey
	var noBucket *types.NoSuchBucket
	var notFound *types.NotFound
	switch {
	case errors.As(err, &noBucket):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchBucket)
	case errors.As(err, &noKey), errors.As(err, &notFound):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchKey)
	}
	return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
}
