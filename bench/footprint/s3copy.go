package main

import (
	"context"
	"crypto/md5"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/submit"
)

// s3Copy copies the files of src into a bucket of a fresh local cloud in
// dir, served over HTTP on a loopback port, as `bedrockbatch start` copies
// manifests into S3: the SDK's transfer manager with a default client
// (signed payloads, CRC32 checksums), four files at a time. It is the
// copy of the input into the cloud, as opposed to a copy between two
// directories.
func s3Copy(src, dir string) (time.Duration, error) {
	cloud, err := localcloud.New(localcloud.Options{DataDir: dir})
	if err != nil {
		return 0, err
	}
	defer cloud.Close()
	srv := httptest.NewServer(cloud.Router)
	defer srv.Close()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx := context.Background()
	const bucket = "copy"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return 0, err
	}
	var ms []submit.Manifest
	for _, e := range entries {
		ms = append(ms, submit.Manifest{Path: filepath.Join(src, e.Name()), Key: "input/" + e.Name()})
	}
	start := time.Now()
	if err := submit.Upload(ctx, client, bucket, ms, nil); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// md5Time is how long one CPU takes to compute the MD5 of n bytes, which
// the local S3 does for the ETag of every byte it stores: a floor under
// the time of any run that stores n bytes.
func md5Time(n int64) time.Duration {
	buf := make([]byte, 8<<20)
	h := md5.New()
	start := time.Now()
	for left := n; left > 0; left -= int64(len(buf)) {
		h.Write(buf[:min(left, int64(len(buf)))])
	}
	return time.Since(start)
}
