package localcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// sdkObjects gives the batch engine its object store through the S3 API,
// as the service reads inputs and writes outputs through S3 rather than
// reaching into another service's storage.
type sdkObjects struct {
	client *s3.Client
	tmpDir string // where unseekable bodies are spooled before upload
}

func (o sdkObjects) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, objectError(bucket, key, err)
	}
	return out.Body, nil
}

func (o sdkObjects) Put(ctx context.Context, bucket, key string, body io.Reader) error {
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

func (o sdkObjects) List(ctx context.Context, bucket, prefix string) ([]bedrock.ObjectInfo, error) {
	var out []bedrock.ObjectInfo
	p := s3.NewListObjectsV2Paginator(o.client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, objectError(bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			out = append(out, bedrock.ObjectInfo{Key: aws.ToString(obj.Key), Size: aws.ToInt64(obj.Size)})
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
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, bedrock.ErrNoSuchBucket)
	case errors.As(err, &noKey), errors.As(err, &notFound):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, bedrock.ErrNoSuchKey)
	}
	return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
}
