package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/s3"
)

type fixture struct {
	dir    string
	store  *s3.FileStore
	client *awss3.Client
	srv    *cloudtest.Server
	// endpoint is the base URL for path-style requests, reached through
	// httpc.
	endpoint string
	httpc    *http.Client
}

// newFixture serves a FileStore in a fresh directory through the edge
// router and returns an SDK client for it.
func newFixture(t *testing.T, pathStyle, tls bool) *fixture {
	t.Helper()
	dir := t.TempDir()
	return newFixtureIn(t, dir, pathStyle, tls)
}

func newFixtureIn(t *testing.T, dir string, pathStyle, tls bool) *fixture {
	t.Helper()
	return newRegionFixture(t, dir, "us-east-1", pathStyle, tls)
}

// newRegionFixture serves a FileStore in dir as S3 in region.
func newRegionFixture(t *testing.T, dir, region string, pathStyle, tls bool) *fixture {
	t.Helper()
	store, err := s3.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudtest.Start(t, tls)
	srv.Router.Register("s3", s3.NewServer(store, s3.Options{Region: region}))
	cfg, endpoint := srv.Config()
	cfg.Region = region
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = pathStyle
	})
	return &fixture{dir: dir, store: store, client: client, srv: srv, endpoint: endpoint, httpc: cfg.HTTPClient.(*http.Client)}
}

func (f *fixture) put(t *testing.T, bucket, key, body string) {
	t.Helper()
	_, err := f.client.PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (f *fixture) get(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := f.client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b)
}

func TestBucketAndObjectRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name           string
		pathStyle, tls bool
	}{
		{"path-style", true, false},
		{"virtual-host", false, false},
		{"virtual-host over TLS (aws-chunked trailing checksum)", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, tc.pathStyle, tc.tls)
			c := f.client
			if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
				t.Fatal(err)
			}
			// In us-east-1 creating a bucket one owns again succeeds.
			if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
				t.Fatalf("second CreateBucket in us-east-1: %v", err)
			}
			if _, err := c.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("data")}); err != nil {
				t.Fatal(err)
			}

			_, err := c.PutObject(ctx, &awss3.PutObjectInput{
				Bucket: aws.String("data"), Key: aws.String("in/records.jsonl"),
				Body:        strings.NewReader("{\"a\":1}\n"),
				ContentType: aws.String("application/jsonl"),
				Metadata:    map[string]string{"Origin": "test"},
			})
			if err != nil {
				t.Fatal(err)
			}
			onDisk, err := os.ReadFile(filepath.Join(f.dir, "s3", "data", "in", "records.jsonl"))
			if err != nil || string(onDisk) != "{\"a\":1}\n" {
				t.Fatalf("object file: %q, %v", onDisk, err)
			}

			got, err := c.GetObject(ctx, &awss3.GetObjectInput{
				Bucket: aws.String("data"), Key: aws.String("in/records.jsonl"), ChecksumMode: types.ChecksumModeEnabled,
			})
			if err != nil {
				t.Fatal(err)
			}
			// The SDK sent a CRC32 (in a header over HTTP, in an aws-chunked
			// trailer over TLS); it was verified, stored and comes back.
			if got.ChecksumCRC32 == nil {
				t.Error("GetObject returned no CRC32 checksum")
			}
			body, _ := io.ReadAll(got.Body)
			got.Body.Close()
			sum := md5.Sum([]byte("{\"a\":1}\n"))
			if string(body) != "{\"a\":1}\n" || aws.ToString(got.ContentType) != "application/jsonl" ||
				got.Metadata["origin"] != "test" || aws.ToString(got.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
				t.Fatalf("GetObject: body %q type %q meta %v etag %s", body, aws.ToString(got.ContentType), got.Metadata, aws.ToString(got.ETag))
			}

			head, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("in/records.jsonl")})
			if err != nil || aws.ToInt64(head.ContentLength) != 8 {
				t.Fatalf("HeadObject: %v, length %d", err, aws.ToInt64(head.ContentLength))
			}

			rng, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("in/records.jsonl"), Range: aws.String("bytes=1-3")})
			if err != nil {
				t.Fatal(err)
			}
			part, _ := io.ReadAll(rng.Body)
			rng.Body.Close()
			if string(part) != `"a"` {
				t.Fatalf("range: %q", part)
			}

			if _, err := c.CopyObject(ctx, &awss3.CopyObjectInput{
				Bucket: aws.String("data"), Key: aws.String("copy/of records.jsonl"), CopySource: aws.String("data/in/records.jsonl"),
			}); err != nil {
				t.Fatal(err)
			}
			if got := f.get(t, "data", "copy/of records.jsonl"); got != "{\"a\":1}\n" {
				t.Fatalf("copy: %q", got)
			}

			_, err = c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("data")})
			if code := cloudtest.APICode(err); code != "BucketNotEmpty" {
				t.Fatalf("DeleteBucket of a non-empty bucket: %v", err)
			}
			for _, k := range []string{"in/records.jsonl", "copy/of records.jsonl"} {
				if _, err := c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String(k)}); err != nil {
					t.Fatal(err)
				}
			}
			if entries, _ := os.ReadDir(filepath.Join(f.dir, "s3", "data")); len(entries) != 0 {
				t.Fatalf("directories left after deleting every object: %v", entries)
			}
			if _, err := c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("data")}); err != nil {
				t.Fatal(err)
			}
			list, err := c.ListBuckets(ctx, &awss3.ListBucketsInput{})
			if err != nil || len(list.Buckets) != 0 {
				t.Fatalf("ListBuckets after delete: %v, %d buckets", err, len(list.Buckets))
			}
		})
	}
}

func TestTypedErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	c := f.client
	_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	if cloudtest.APICode(err) != "NoSuchBucket" {
		t.Fatalf("GetObject on a missing bucket: %v, want NoSuchBucket", err)
	}
	_, err = c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("nope")})
	var noBucket *types.NoSuchBucket
	if !errors.As(err, &noBucket) {
		t.Fatalf("ListObjectsV2 on a missing bucket: %v, want *types.NoSuchBucket", err)
	}
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("bk1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("bk1"), Key: aws.String("missing")})
	var noKey *types.NoSuchKey
	if !errors.As(err, &noKey) {
		t.Fatalf("GetObject on a missing key: %v, want NoSuchKey", err)
	}
	_, err = c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("bk1"), Key: aws.String("missing")})
	var notFound *types.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("HeadObject on a missing key: %v, want NotFound", err)
	}
	_, err = c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	if cloudtest.APICode(err) != "InvalidBucketName" {
		t.Fatalf("CreateBucket with a bad name: %v", err)
	}
	_, err = c.PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String("bk1"), Key: aws.String("c"), Body: strings.NewReader("y"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
	})
	if cloudtest.APICode(err) != "BadDigest" {
		t.Fatalf("PutObject with a wrong checksum: %v, want BadDigest", err)
	}
	if _, err := f.store.HeadObject(ctx, "bk1", "c"); !errors.Is(err, s3.ErrNoSuchKey) {
		t.Fatalf("object with a bad checksum was stored: %v", err)
	}
}

func TestOddKeysMapToFiles(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	if err := f.store.CreateBucket(ctx, "odd"); err != nil {
		t.Fatal(err)
	}
	keys := []string{"dir/", "a//b", "./x", "../y", "100%/z", "sp ace/ü.txt", "q?&=+"}
	for _, k := range keys {
		f.put(t, "odd", k, "v:"+k)
	}
	for _, k := range keys {
		if got := f.get(t, "odd", k); got != "v:"+k {
			t.Errorf("key %q: got %q", k, got)
		}
	}
	out, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("odd")})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range out.Contents {
		listed = append(listed, aws.ToString(o.Key))
	}
	want := append([]string(nil), keys...)
	sortStrings(want)
	if fmt.Sprint(listed) != fmt.Sprint(want) {
		t.Fatalf("listed %q, want %q", listed, want)
	}
	// Nothing escaped the bucket's directory.
	if _, err := os.Stat(filepath.Join(f.dir, "s3", "y")); err == nil {
		t.Fatal("key ../y escaped the bucket directory")
	}
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestListObjectsV2PaginationWithDelimiter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false, false)
	if err := f.store.CreateBucket(ctx, "list"); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range []string{"a", "b", "c"} {
		for i := 0; i < 3; i++ {
			keys = append(keys, fmt.Sprintf("p/%s/%d.jsonl", d, i))
		}
	}
	keys = append(keys, "p/a-file", "p/z-file", "p/b.txt", "q/other")
	for _, k := range keys {
		f.put(t, "list", k, k)
	}

	// Page through p/ two entries at a time with "/" as delimiter.
	var objects, prefixes []string
	var token *string
	pages := 0
	for {
		out, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{
			Bucket: aws.String("list"), Prefix: aws.String("p/"), Delimiter: aws.String("/"),
			MaxKeys: aws.Int32(2), ContinuationToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(out.Contents) + len(out.CommonPrefixes); n > 2 || int(aws.ToInt32(out.KeyCount)) != n {
			t.Fatalf("page %d has %d entries, KeyCount %d", pages, n, aws.ToInt32(out.KeyCount))
		}
		for _, o := range out.Contents {
			objects = append(objects, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
	}
	if got, want := fmt.Sprint(objects), "[p/a-file p/b.txt p/z-file]"; got != want {
		t.Errorf("objects %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(prefixes), "[p/a/ p/b/ p/c/]"; got != want {
		t.Errorf("prefixes %s, want %s", got, want)
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}

	// The SDK paginator, start-after and a prefix that is not a whole
	// "directory" ("p/b.txt" sorts before "p/b/0.jsonl": '.' < '/').
	p := awss3.NewListObjectsV2Paginator(f.client, &awss3.ListObjectsV2Input{
		Bucket: aws.String("list"), Prefix: aws.String("p/b"), StartAfter: aws.String("p/b.txt"), MaxKeys: aws.Int32(1),
	})
	var all []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			all = append(all, aws.ToString(o.Key))
		}
	}
	if got, want := fmt.Sprint(all), "[p/b/0.jsonl p/b/1.jsonl p/b/2.jsonl]"; got != want {
		t.Errorf("paginated %s, want %s", got, want)
	}

	// DeleteObjects removes several keys at once.
	del, err := f.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{
		Bucket: aws.String("list"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("p/a-file")}, {Key: aws.String("q/other")}}},
	})
	if err != nil || len(del.Deleted) != 2 {
		t.Fatalf("DeleteObjects: %v, %d deleted", err, len(del.Deleted))
	}
	out, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("q/")})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("after DeleteObjects: %v, %d objects under q/", err, len(out.Contents))
	}
}

func TestMultipartUpload(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	c := f.client
	if err := f.store.CreateBucket(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 11<<20+123)
	rand.New(rand.NewSource(1)).Read(data)
	const partSize = 5 << 20

	up, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{
		Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), ContentType: aws.String("application/x-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	var partSums []byte
	for i, n := 0, int32(1); i < len(data); i, n = i+partSize, n+1 {
		chunk := data[i:min(i+partSize, len(data))]
		out, err := c.UploadPart(ctx, &awss3.UploadPartInput{
			Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(chunk),
		})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
		s := md5.Sum(chunk)
		partSums = append(partSums, s[:]...)
	}
	lp, err := c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 3 {
		t.Fatalf("ListParts: %v, %d parts", err, len(lp.Parts))
	}

	// Out-of-order parts are refused.
	_, err = c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{parts[1], parts[0]}},
	})
	if cloudtest.APICode(err) != "InvalidPartOrder" {
		t.Fatalf("complete with parts out of order: %v", err)
	}

	done, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		t.Fatal(err)
	}
	all := md5.Sum(partSums)
	if want := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(all[:])); aws.ToString(done.ETag) != want {
		t.Errorf("ETag %s, want %s", aws.ToString(done.ETag), want)
	}
	got, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("out/blob.bin")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, data) || aws.ToString(got.ContentType) != "application/x-test" {
		t.Fatalf("assembled object: %d bytes (want %d), type %q", len(body), len(data), aws.ToString(got.ContentType))
	}
	// Only the record of the completed upload remains, not its parts.
	if n := cloudtest.DirBytes(t, filepath.Join(f.dir, "s3meta", ".uploads")); n > 4096 {
		t.Errorf("%d bytes left in the uploads directory after completing", n)
	}

	// A completed upload is gone; aborting an unknown one is NoSuchUpload.
	_, err = c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("out/blob.bin"), UploadId: up.UploadId})
	var noUpload *types.NoSuchUpload
	if !errors.As(err, &noUpload) {
		t.Fatalf("abort of a completed upload: %v", err)
	}
}

func TestObjectsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := newFixtureIn(t, dir, true, false)
	if err := f.store.CreateBucket(ctx, "keep"); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String("keep"), Key: aws.String("k.json"), Body: strings.NewReader(`{}`),
		ContentType: aws.String("application/json"), Metadata: map[string]string{"m": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	again := newFixtureIn(t, dir, false, false)
	out, err := again.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("keep"), Key: aws.String("k.json")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ContentType) != "application/json" || out.Metadata["m"] != "v" {
		t.Fatalf("after restart: type %q, metadata %v", aws.ToString(out.ContentType), out.Metadata)
	}
}

// TestMultipartPartsInAnyOrder completes uploads whose parts were sent in
// order, out of order, again, side by side and left out, and checks each
// object holds exactly the listed parts' last bytes in part-number order,
// with the multipart ETag of those parts.
func TestMultipartPartsInAnyOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.store.MinPartSize = 1
	if err := f.store.CreateBucket(ctx, "mpu"); err != nil {
		t.Fatal(err)
	}
	type send struct {
		n    int32
		body string
	}
	cases := []struct {
		name     string
		sends    [][]send // rounds; the sends of a round go side by side
		complete []int32
	}{
		{"in order", [][]send{{{1, "aaaa"}}, {{2, "bbbb"}}, {{3, "cc"}}}, []int32{1, 2, 3}},
		{"out of order", [][]send{{{3, "cc"}}, {{1, "aaaa"}}, {{2, "bbbb"}}}, []int32{1, 2, 3}},
		{"a part sent again", [][]send{{{1, "aaaa"}}, {{2, "old!"}}, {{2, "new-bytes"}}, {{3, "cc"}}}, []int32{1, 2, 3}},
		{"the last part sent again", [][]send{{{1, "aaaa"}}, {{2, "old!"}}, {{2, "new"}}}, []int32{1, 2}},
		{"a part left out", [][]send{{{1, "aaaa"}}, {{2, "bbbb"}}, {{3, "cc"}}}, []int32{1, 3}},
		{"the last part left out", [][]send{{{1, "aaaa"}}, {{2, "bbbb"}}, {{3, "cc"}}}, []int32{1, 2}},
		{"side by side", [][]send{{{1, "aaaa"}, {2, "bbbb"}, {3, "cccc"}, {4, "dddd"}, {5, "eeee"}, {6, "ff"}}}, []int32{1, 2, 3, 4, 5, 6}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("k%d", i)
			up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			last := map[int32]string{}
			etags := map[int32]string{}
			var mu sync.Mutex
			for _, round := range tc.sends {
				var wg sync.WaitGroup
				for _, s := range round {
					wg.Add(1)
					go func() {
						defer wg.Done()
						out, err := f.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: up.UploadId,
							PartNumber: aws.Int32(s.n), Body: strings.NewReader(s.body)})
						if err != nil {
							t.Errorf("part %d: %v", s.n, err)
							return
						}
						mu.Lock()
						last[s.n], etags[s.n] = s.body, aws.ToString(out.ETag)
						mu.Unlock()
					}()
				}
				wg.Wait()
			}
			var want string
			var sums []byte
			var parts []types.CompletedPart
			for _, n := range tc.complete {
				want += last[n]
				sum := md5.Sum([]byte(last[n]))
				sums = append(sums, sum[:]...)
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etags[n])})
			}
			done, err := f.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: up.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			if err != nil {
				t.Fatal(err)
			}
			all := md5.Sum(sums)
			if wantETag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all[:]), len(parts)); aws.ToString(done.ETag) != wantETag {
				t.Errorf("ETag %s, want %s", aws.ToString(done.ETag), wantETag)
			}
			if got := f.get(t, "mpu", key); got != want {
				t.Errorf("object holds %q, want %q", got, want)
			}
			if got, err := os.ReadFile(f.store.ObjectPath("mpu", key)); err != nil || string(got) != want {
				t.Errorf("file of the object holds %q (%v), want %q", got, err, want)
			}
		})
	}
}

// TestPartsNeverWriteIntoAnotherFilesBytes stands for a crash between an
// upload's completion moving its parts into place and its clean-up: the
// parts' file has a second name, and a part sent to the upload afterwards
// must not change the bytes under that name.
func TestPartsNeverWriteIntoAnotherFilesBytes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.store.MinPartSize = 1
	if err := f.store.CreateBucket(ctx, "mpu"); err != nil {
		t.Fatal(err)
	}
	up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	send := func(n int32, body string) *string {
		out, err := f.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		return out.ETag
	}
	first := send(1, "first")
	dir := filepath.Join(f.dir, "s3meta", ".uploads", aws.ToString(up.UploadId))
	entries, _ := os.ReadDir(dir)
	other := filepath.Join(t.TempDir(), "other-name")
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(dir, e.Name())); string(b) == "first" {
			if err := os.Link(filepath.Join(dir, e.Name()), other); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("no file of the upload holds the first part's bytes: %v", err)
	}
	second := send(2, "second")
	if b, _ := os.ReadFile(other); string(b) != "first" {
		t.Fatalf("the other name's bytes became %q", b)
	}
	if _, err := f.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: first}, {PartNumber: aws.Int32(2), ETag: second}}}}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, "mpu", "k"); got != "firstsecond" {
		t.Fatalf("object holds %q", got)
	}
}
