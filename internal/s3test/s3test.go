// Package s3test serves the local cloud's S3 on a loopback port for tests
// of code that reads and writes s3:// paths, and points the AWS SDK's
// default configuration at it through the environment, as a user does
// with AWS_ENDPOINT_URL.
package s3test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// Start runs a local cloud in a temporary data directory, serves it on
// 127.0.0.1, sets AWS_ENDPOINT_URL, the region and static credentials for
// the rest of the test, creates the given buckets and returns a client.
func Start(t testing.TB, buckets ...string) *s3.Client {
	t.Helper()
	c, err := localcloud.New(localcloud.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	srv := httptest.NewServer(c.Router)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	client := s3.NewFromConfig(c.AWSConfig())
	for _, b := range buckets {
		if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
	return client
}
