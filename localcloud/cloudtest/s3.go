package cloudtest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/s3"
)

// S3 serves a local S3 over files in dir on a test server, creates the
// buckets, and returns a client of it.
func S3(t testing.TB, dir string, buckets ...string) *awss3.Client {
	t.Helper()
	srv := serveS3(t, dir)
	cfg, endpoint := srv.Config()
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.BaseEndpoint = aws.String(endpoint) })
	createBuckets(t, client, buckets)
	return client
}

// S3Env serves a local S3 over files in a temporary directory and, for the
// rest of the test, points the SDK's default configuration at it through
// the environment, as a user does with AWS_ENDPOINT_URL: the endpoint, the
// region and static credentials are set and shared config files are hidden.
// It creates the buckets and returns a client of it. It is for tests of
// code that loads its own configuration to read and write s3:// paths;
// like t.Setenv, it cannot be used in parallel tests.
func S3Env(t testing.TB, buckets ...string) *awss3.Client {
	t.Helper()
	srv := serveS3(t, t.TempDir())
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, _ := srv.Config()
	// The test server's address is an IP address, so requests name the
	// bucket in the path, as the SDK does for such an endpoint.
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	createBuckets(t, client, buckets)
	return client
}

// serveS3 is the one way the package starts S3: a router with only S3,
// over files in dir, on a test server.
func serveS3(t testing.TB, dir string) *Server {
	t.Helper()
	store, err := s3.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := Start(t, false)
	srv.Router.Register(edge.S3, s3.NewServer(store, s3.Options{}))
	return srv
}

func createBuckets(t testing.TB, client *awss3.Client, buckets []string) {
	t.Helper()
	for _, b := range buckets {
		if _, err := client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
}
