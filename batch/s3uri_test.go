package batch

import (
	"strings"
	"testing"
)

func TestParseS3URI(t *testing.T) {
	tests := []struct {
		uri            string
		bucket, key    string
		prefix, errHas string
	}{
		{uri: "s3://my-bucket/manifests/a.jsonl", bucket: "my-bucket", key: "manifests/a.jsonl", prefix: "manifests/a.jsonl/"},
		{uri: "s3://my-bucket/output/", bucket: "my-bucket", key: "output/", prefix: "output/"},
		{uri: "s3://my-bucket", bucket: "my-bucket", key: "", prefix: ""},
		{uri: "s3://my-bucket/", bucket: "my-bucket", key: "", prefix: ""},
		{uri: "s3://a.b-c/x!_*'().y", bucket: "a.b-c", key: "x!_*'().y", prefix: "x!_*'().y/"},
		{uri: "s3://abc/UPPER/Case", bucket: "abc", key: "UPPER/Case", prefix: "UPPER/Case/"},
		{uri: "https://my-bucket/a", errHas: "must start with s3://"},
		{uri: "S3://my-bucket/a", errHas: "must start with s3://"},
		{uri: "", errHas: "must start with s3://"},
		{uri: "s3://", errHas: "bucket"},
		{uri: "s3://ab/x", errHas: "bucket \"ab\""},
		{uri: "s3://" + strings.Repeat("b", 64) + "/x", errHas: "3–63"},
		{uri: "s3://My-Bucket/x", errHas: "bucket"},
		{uri: "s3://-bucket/x", errHas: "bucket"},
		{uri: "s3://bucket-/x", errHas: "bucket"},
		{uri: "s3://my_bucket/x", errHas: "bucket"},
		{uri: "s3://my-bucket/a b.jsonl", errHas: "key segment \"a b.jsonl\""},
		{uri: "s3://my-bucket/dir/a&b", errHas: "key segment"},
		{uri: "s3://my-bucket/é", errHas: "key segment"},
	}
	for _, tt := range tests {
		u, err := ParseS3URI(tt.uri)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ParseS3URI(%q) error = %v, want one mentioning %q", tt.uri, err, tt.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseS3URI(%q): %v", tt.uri, err)
			continue
		}
		if u.Bucket != tt.bucket || u.Key != tt.key || u.Prefix() != tt.prefix {
			t.Errorf("ParseS3URI(%q) = %+v (prefix %q), want bucket %q key %q prefix %q", tt.uri, u, u.Prefix(), tt.bucket, tt.key, tt.prefix)
		}
		if again, err := ParseS3URI(u.String()); err != nil || again != u {
			t.Errorf("%q does not survive String(): %q, %v", tt.uri, u.String(), err)
		}
	}
}

func TestJobOutputPrefix(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"s3://out/output/run/", "output/run/abcdef012345/"},
		{"s3://out/output/run", "output/run/abcdef012345/"},
		{"s3://out", "abcdef012345/"},
	}
	for _, tt := range tests {
		u, err := ParseS3URI(tt.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := JobOutputPrefix(u, "abcdef012345"); got != tt.want {
			t.Errorf("JobOutputPrefix(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

// SplitS3URI takes any S3 object key, as S3 itself does
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html):
// only the scheme and a bucket are required. What String writes, it reads
// back.
func TestSplitS3URI(t *testing.T) {
	for uri, want := range map[string]S3URI{
		"s3://data/my manifests/a+b.jsonl": {Bucket: "data", Key: "my manifests/a+b.jsonl"},
		"s3://data":                        {Bucket: "data"},
		"s3://data/":                       {Bucket: "data"},
	} {
		got, err := SplitS3URI(uri)
		if err != nil || got != want {
			t.Errorf("SplitS3URI(%q) = %+v, %v; want %+v", uri, got, err, want)
		}
		if back, err := SplitS3URI(got.String()); err != nil || back != got {
			t.Errorf("SplitS3URI(%q) = %+v, %v; want %+v", got.String(), back, err, got)
		}
	}
	for uri, errHas := range map[string]string{"https://data/a": "must start with s3://", "s3:///a": "names no bucket"} {
		if _, err := SplitS3URI(uri); err == nil || !strings.Contains(err.Error(), errHas) {
			t.Errorf("SplitS3URI(%q) = %v, want an error with %q", uri, err, errHas)
		}
	}
}
