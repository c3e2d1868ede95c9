package submit

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// uploadConcurrency is how many manifests upload at once; each large one
// also uploads its parts concurrently.
const uploadConcurrency = 4

// jsonlContentType is the media type manifests are stored with.
const jsonlContentType = "application/jsonl"

// Upload puts the manifests into bucket under their keys with the S3
// transfer manager (multipart for large files, retried by the SDK),
// reading each file as it goes. uploaded, when set, is called after each
// file (from one goroutine at a time) with the number done so far.
func Upload(ctx context.Context, s3c *s3.Client, bucket string, ms []Manifest, uploaded func(m Manifest, done int)) error {
	tm := transfermanager.New(s3c)
	return uploadEach(ctx, bucket, ms, uploadConcurrency, uploaded, func(ctx context.Context, m Manifest, body io.Reader) error {
		_, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(m.Key), Body: body, ContentType: aws.String(jsonlContentType),
		})
		return err
	})
}

// uploadInProcess puts each manifest into bucket with one PutObject
// carrying opt, one per CPU at a time: to a cloud in this process an
// upload is bound by the CPU, not a network, and a file is read once.
func uploadInProcess(ctx context.Context, s3c *s3.Client, opt func(*s3.Options), bucket string, ms []Manifest, uploaded func(m Manifest, done int)) error {
	return uploadEach(ctx, bucket, ms, runtime.GOMAXPROCS(0), uploaded, func(ctx context.Context, m Manifest, body io.Reader) error {
		seeker, ok := body.(io.ReadSeeker)
		if !ok {
			return fmt.Errorf("the file is not seekable")
		}
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(m.Key), Body: seeker, ContentType: aws.String(jsonlContentType),
		}, opt)
		return err
	})
}

// uploadEach runs put for every manifest, limit at a time, with the file
// open as its body.
func uploadEach(ctx context.Context, bucket string, ms []Manifest, limit int, uploaded func(m Manifest, done int),
	put func(ctx context.Context, m Manifest, body io.Reader) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	var mu sync.Mutex
	done := 0
	for _, m := range ms {
		g.Go(func() error {
			f, err := m.Open()
			if err != nil {
				return fmt.Errorf("upload %s: %w", m.Path, err)
			}
			defer f.Close()
			if err := put(ctx, m, f); err != nil {
				return fmt.Errorf("upload %s to s3://%s/%s: %w", m.Path, bucket, m.Key, err)
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if uploaded != nil {
				uploaded(m, done)
			}
			return nil
		})
	}
	return g.Wait()
}
