package cloudtest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
)

// Code that loads the SDK's default configuration, as the data tools do,
// reads what the returned client wrote: AWS_ENDPOINT_URL points every
// client at the test server
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
func TestS3EnvReachesDefaultConfig(t *testing.T) {
	ctx := context.Background()
	client := cloudtest.S3Env(t, "tables")
	if _, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("tables"), Key: aws.String("a.csv"), Body: strings.NewReader("id\n1\n")}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := awss3.NewFromConfig(cfg).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("tables"), Key: aws.String("a.csv")})
	if err != nil {
		t.Fatalf("a default-config client: %v", err)
	}
	defer obj.Body.Close()
	if b, _ := io.ReadAll(obj.Body); string(b) != "id\n1\n" {
		t.Errorf("read %q", b)
	}
}

// DirBytes counts the bytes of the files below a directory, nested ones
// too, and not the directories themselves.
func TestDirBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, size := range map[string]int{"x": 3, "a/y": 5, "a/b/z": 7} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := cloudtest.DirBytes(t, dir); got != 15 {
		t.Errorf("DirBytes = %d, want 15", got)
	}
}
