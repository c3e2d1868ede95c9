package batch

import (
	"fmt"
	"regexp"
	"strings"
)

// S3URI is a parsed s3://bucket/key URI.
type S3URI struct {
	Bucket string
	Key    string // may be empty or end in "/" for a prefix
}

var (
	bucketPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$`)
	keySegmentPattern = regexp.MustCompile(`^[-!_*'().a-zA-Z0-9]*$`)
)

// SplitS3URI parses an s3://bucket/key URI of any S3 object or prefix: it
// needs the scheme and a bucket, and takes the key as it is. ParseS3URI
// also holds the URI to the batch API's rules.
func SplitS3URI(uri string) (S3URI, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return S3URI{}, fmt.Errorf("S3 URI %q must start with s3://", uri)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return S3URI{}, fmt.Errorf("S3 URI %q names no bucket: write s3://bucket/key", uri)
	}
	return S3URI{Bucket: bucket, Key: key}, nil
}

// ParseS3URI parses and validates an S3 URI the way Bedrock's batch API
// does: a bucket of 3–63 lowercase characters and a key whose segments use
// only -!_*'().a-zA-Z0-9.
func ParseS3URI(uri string) (S3URI, error) {
	u, err := SplitS3URI(uri)
	if err != nil {
		return u, err
	}
	bucket, key := u.Bucket, u.Key
	if !bucketPattern.MatchString(bucket) {
		return S3URI{}, fmt.Errorf("S3 URI %q: bucket %q must be 3–63 lowercase letters, digits, '.' or '-'", uri, bucket)
	}
	for _, seg := range strings.Split(key, "/") {
		if !keySegmentPattern.MatchString(seg) {
			return S3URI{}, fmt.Errorf("S3 URI %q: key segment %q has a character other than letters, digits and -!_*'().: remove or replace it", uri, seg)
		}
	}
	return u, nil
}

// String formats u as s3://bucket/key: the one place an S3 URI is written.
func (u S3URI) String() string { return "s3://" + u.Bucket + "/" + u.Key }

// Prefix returns the key as a prefix ending in "/" (or "" for the bucket root).
func (u S3URI) Prefix() string {
	if u.Key == "" || strings.HasSuffix(u.Key, "/") {
		return u.Key
	}
	return u.Key + "/"
}

// JobOutputPrefix is where Bedrock writes a job's outputs: the output URI's
// prefix followed by the job id and a slash.
func JobOutputPrefix(output S3URI, jobID string) string {
	return output.Prefix() + jobID + "/"
}
