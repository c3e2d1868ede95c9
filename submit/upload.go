package submit

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// uploadConcurrency is how many manifests upload at once; each large one
// also uploads its parts concurrently.
const uploadConcurrency = 4

// Upload puts the manifests into bucket under their keys with the S3
// transfer manager (multipart for large files, retried by the SDK),
// reading each file as it goes. uploaded, when set, is called after each
// file (from one goroutine at a time) with the number done so far.
func Upload(ctx context.Context, s3c *s3.Client, bucket string, ms []Manifest, uploaded func(m Manifest, done int)) error {
	tm := transfermanager.New(s3c)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(uploadConcurrency)
	var mu sync.Mutex
	done := 0
	for _, m := range ms {
		g.Go(func() error {
			f, err := os.Open(m.Path)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(m.Key), Body: f,
				ContentType: aws.String("application/jsonl"),
			}); err != nil {
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
