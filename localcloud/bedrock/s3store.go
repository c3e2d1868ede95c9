package bedrock

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/inprocess"
)

// S3Store is the engine's ObjectStore through the S3 API: the batch service
// reads inputs and writes outputs through S3, as on AWS, rather than
// reaching into another service's storage.
type S3Store struct {
	client *s3.Client
}

// NewS3Store returns a store that reaches S3 through client.
func NewS3Store(client *s3.Client) *S3Store {
	return &S3Store{client: client}
}

// Get implements ObjectStore.
func (o *S3Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, objectError(bucket, key, err)
	}
	if out.ContentLength == nil {
		return out.Body, nil
	}
	return &sizedBody{ReadCloser: out.Body, left: *out.ContentLength}, nil
}

// sizedBody is an object's body that tells how many of its bytes are left
// to read, as bytes.Reader does: a manifest reader sizes its buffer by it
// rather than taking its largest for a small object.
type sizedBody struct {
	io.ReadCloser
	left int64
}

func (b *sizedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// Len is the number of bytes not read yet.
func (b *sizedBody) Len() int { return int(max(b.left, 0)) }

// Put implements ObjectStore.
func (o *S3Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker) error {
	_, err := o.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: body}, inprocess.UnhashedUploads)
	if err != nil {
		return objectError(bucket, key, err)
	}
	return nil
}

// CreateUpload implements ObjectStore.
func (o *S3Store) CreateUpload(ctx context.Context, bucket, key string) (string, error) {
	out, err := o.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return "", objectError(bucket, key, err)
	}
	return aws.ToString(out.UploadId), nil
}

// UploadPart implements ObjectStore.
func (o *S3Store) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, body io.ReadSeeker) (string, error) {
	out, err := o.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: &bucket, Key: &key, UploadId: &uploadID, PartNumber: aws.Int32(int32(n)), Body: body,
	}, inprocess.UnhashedUploads)
	if err != nil {
		return "", objectError(bucket, key, err)
	}
	return aws.ToString(out.ETag), nil
}

// CompleteUpload implements ObjectStore.
func (o *S3Store) CompleteUpload(ctx context.Context, bucket, key, uploadID string, parts []Part) error {
	done := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
	}
	_, err := o.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &bucket, Key: &key, UploadId: &uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	})
	if err != nil {
		return objectError(bucket, key, err)
	}
	return nil
}

// AbortUpload implements ObjectStore.
func (o *S3Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	_, err := o.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: &uploadID})
	if err != nil {
		return objectError(bucket, key, err)
	}
	return nil
}

// Head implements ObjectStore.
func (o *S3Store) Head(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	out, err := o.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return ObjectInfo{}, objectError(bucket, key, err)
	}
	return ObjectInfo{Key: key, Size: aws.ToInt64(out.ContentLength)}, nil
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
	var noUpload *types.NoSuchUpload
	switch {
	case errors.As(err, &noUpload):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchUpload)
	case errors.As(err, &noBucket):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchBucket)
	case errors.As(err, &noKey), errors.As(err, &notFound):
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchKey)
	}
	return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
}
