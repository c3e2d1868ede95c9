package s3_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestUserMetadataNamesComeBackLowerCase(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "meta")
	if _, err := f.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String("meta"), Key: aws.String("k"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"Meta1": "v1", "camelName": "v2"},
	}); err != nil {
		t.Fatal(err)
	}
	// Go's HTTP client canonicalises header names, so read the response
	// as it is on the wire.
	resp := f.raw(t, "HEAD /meta/k HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	for _, line := range []string{"\r\nx-amz-meta-meta1: v1\r\n", "\r\nx-amz-meta-camelname: v2\r\n"} {
		if !strings.Contains(resp, line) {
			t.Errorf("response has no header line %q:\n%s", strings.TrimSpace(line), resp)
		}
	}
}

func TestConditionalGetAndHead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "cond")
	f.put(t, "cond", "k", "hello")
	etag := f.etag(t, "cond", "k")
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	get := func(in awss3.GetObjectInput) (string, error) {
		in.Bucket, in.Key = aws.String("cond"), aws.String("k")
		out, err := f.client.GetObject(ctx, &in)
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}
	for _, tc := range []struct {
		name   string
		in     awss3.GetObjectInput
		status int // 0: the object is returned
		code   string
	}{
		{"If-Match matches", awss3.GetObjectInput{IfMatch: aws.String(etag)}, 0, ""},
		{"If-Match unquoted and in a list", awss3.GetObjectInput{IfMatch: aws.String(`"nope", ` + strings.Trim(etag, `"`))}, 0, ""},
		{"If-Match fails", awss3.GetObjectInput{IfMatch: aws.String(`"0123"`)}, 412, "PreconditionFailed"},
		{"If-None-Match matches", awss3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304, ""},
		{"If-None-Match *", awss3.GetObjectInput{IfNoneMatch: aws.String("*")}, 304, ""},
		{"If-None-Match other", awss3.GetObjectInput{IfNoneMatch: aws.String(`"0123"`)}, 0, ""},
		{"If-Modified-Since later", awss3.GetObjectInput{IfModifiedSince: aws.Time(future)}, 304, ""},
		{"If-Modified-Since earlier", awss3.GetObjectInput{IfModifiedSince: aws.Time(past)}, 0, ""},
		{"If-Unmodified-Since earlier", awss3.GetObjectInput{IfUnmodifiedSince: aws.Time(past)}, 412, "PreconditionFailed"},
		{"If-Unmodified-Since later", awss3.GetObjectInput{IfUnmodifiedSince: aws.Time(future)}, 0, ""},
		// S3: If-Match true and If-Unmodified-Since false → 200.
		{"If-Match wins over If-Unmodified-Since", awss3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(past)}, 0, ""},
		// S3: If-None-Match false and If-Modified-Since true → 304.
		{"If-None-Match wins over If-Modified-Since", awss3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: aws.Time(past)}, 304, ""},
		{"If-None-Match true ignores If-Modified-Since", awss3.GetObjectInput{IfNoneMatch: aws.String(`"0123"`), IfModifiedSince: aws.Time(future)}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.ChecksumMode = types.ChecksumModeEnabled
			body, err := get(in)
			if tc.status == 0 {
				if err != nil || body != "hello" {
					t.Fatalf("got %q, %v; want the object", body, err)
				}
				return
			}
			wantError(t, "GetObject", err, tc.status, tc.code)
			_, err = f.client.HeadObject(ctx, &awss3.HeadObjectInput{
				Bucket: aws.String("cond"), Key: aws.String("k"),
				IfMatch: tc.in.IfMatch, IfNoneMatch: tc.in.IfNoneMatch, IfModifiedSince: tc.in.IfModifiedSince, IfUnmodifiedSince: tc.in.IfUnmodifiedSince,
			})
			wantError(t, "HeadObject", err, tc.status, "")
		})
	}

	// On the wire: a 412 carries S3's XML error, a 304 neither a body nor
	// checksum headers (which made botocore fail to read it).
	resp, body := f.do(t, http.MethodGet, "/cond/k", http.Header{"If-Match": {`"0123"`}}, "")
	wantXMLError(t, "GET with a failing If-Match", resp, body, 412, "PreconditionFailed")
	resp, body = f.do(t, http.MethodGet, "/cond/k", http.Header{"If-None-Match": {etag}, "X-Amz-Checksum-Mode": {"ENABLED"}}, "")
	if resp.StatusCode != 304 || body != "" {
		t.Fatalf("304: status %d body %q", resp.StatusCode, body)
	}
	for name := range resp.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum") || name == "Content-Type" {
			t.Errorf("304 carries %s", name)
		}
	}
	if resp.Header.Get("ETag") != etag {
		t.Errorf("304 ETag %q, want %q", resp.Header.Get("ETag"), etag)
	}
}

func TestConditionalWrites(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "lock")
	put := func(key, body string, ifMatch, ifNoneMatch *string) error {
		_, err := f.client.PutObject(ctx, &awss3.PutObjectInput{
			Bucket: aws.String("lock"), Key: aws.String(key), Body: strings.NewReader(body), IfMatch: ifMatch, IfNoneMatch: ifNoneMatch,
		})
		return err
	}
	if err := put("k", "first", nil, aws.String("*")); err != nil {
		t.Fatalf("If-None-Match * on a new key: %v", err)
	}
	wantError(t, "If-None-Match * on an existing key", put("k", "second", nil, aws.String("*")), 412, "PreconditionFailed")
	wantError(t, "If-Match with another ETag", put("k", "second", aws.String(`"0123"`), nil), 412, "PreconditionFailed")
	wantError(t, "If-Match on a missing key", put("missing", "x", aws.String(`"0123"`), nil), 404, "NoSuchKey")
	if got := f.get(t, "lock", "k"); got != "first" {
		t.Fatalf("a refused write changed the object: %q", got)
	}
	if err := put("k", "second", aws.String(f.etag(t, "lock", "k")), nil); err != nil {
		t.Fatalf("If-Match with the object's ETag: %v", err)
	}
	if got := f.get(t, "lock", "k"); got != "second" {
		t.Fatalf("after a conditional write: %q", got)
	}

	// Used as a lock: of many writers with If-None-Match *, one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if put("lockfile", fmt.Sprint(i), nil, aws.String("*")) == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d writers with If-None-Match * succeeded, want 1", wins)
	}

	// CopyObject: the source's x-amz-copy-source-if-* and the
	// destination's If-Match / If-None-Match.
	etag := f.etag(t, "lock", "k")
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name string
		in   awss3.CopyObjectInput
		ok   bool
	}{
		{"source If-Match fails", awss3.CopyObjectInput{CopySourceIfMatch: aws.String(`"0123"`)}, false},
		{"source If-Match holds", awss3.CopyObjectInput{CopySourceIfMatch: aws.String(etag)}, true},
		{"source If-None-Match matches", awss3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(etag)}, false},
		{"source If-Modified-Since later", awss3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(future)}, false},
		{"source If-Unmodified-Since earlier", awss3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(past)}, false},
		{"source If-Match true beats If-Unmodified-Since false", awss3.CopyObjectInput{CopySourceIfMatch: aws.String(etag), CopySourceIfUnmodifiedSince: aws.Time(past)}, true},
		{"destination If-None-Match * on an existing key", awss3.CopyObjectInput{IfNoneMatch: aws.String("*")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.CopySource = aws.String("lock"), aws.String("copy"), aws.String("lock/k")
			if tc.name == "destination If-None-Match * on an existing key" {
				f.put(t, "lock", "copy", "old")
			} else {
				_, _ = f.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("lock"), Key: aws.String("copy")})
			}
			_, err := f.client.CopyObject(ctx, &in)
			if tc.ok {
				if err != nil || f.get(t, "lock", "copy") != "second" {
					t.Fatalf("copy: %v", err)
				}
				return
			}
			wantError(t, "CopyObject", err, 412, "PreconditionFailed")
		})
	}

	// CompleteMultipartUpload honours If-None-Match and If-Match too, and
	// the refused upload can still be completed.
	up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("lock"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := f.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("lock"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("third")})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(ifMatch, ifNoneMatch *string) error {
		_, err := f.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
			Bucket: aws.String("lock"), Key: aws.String("k"), UploadId: up.UploadId, IfMatch: ifMatch, IfNoneMatch: ifNoneMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}},
		})
		return err
	}
	wantError(t, "complete with If-None-Match * over an object", complete(nil, aws.String("*")), 412, "PreconditionFailed")
	wantError(t, "complete with a wrong If-Match", complete(aws.String(`"0123"`), nil), 412, "PreconditionFailed")
	if err := complete(aws.String(etag), nil); err != nil {
		t.Fatalf("complete with the object's ETag: %v", err)
	}
	if got := f.get(t, "lock", "k"); got != "third" {
		t.Fatalf("after complete: %q", got)
	}
}

func TestLongKeys(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "long")
	cjk := strings.Repeat("漢", 84)     // 252 bytes: the file fits, "%meta" beside it does not
	longer := strings.Repeat("字", 200) // 600 bytes: longer than any file name
	keys := []string{
		"in/" + cjk,
		"in/" + longer + "/records.jsonl",
		"in/" + longer,
		"in/" + strings.Repeat("a", 250) + "%" + strings.Repeat("b", 250) + "/x",
		strings.Repeat("k/", 511) + "zz", // 1024 bytes, the most S3 allows
	}
	for _, k := range keys {
		if _, err := f.client.PutObject(ctx, &awss3.PutObjectInput{
			Bucket: aws.String("long"), Key: aws.String(k), Body: strings.NewReader("v:" + k),
			ContentType: aws.String("text/x-long"), Metadata: map[string]string{"len": fmt.Sprint(len(k))},
		}); err != nil {
			t.Fatalf("put a %d-byte key: %v", len(k), err)
		}
	}
	for _, k := range keys {
		out, err := f.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("long"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("get a %d-byte key: %v", len(k), err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "v:"+k || aws.ToString(out.ContentType) != "text/x-long" || out.Metadata["len"] != fmt.Sprint(len(k)) {
			t.Errorf("%d-byte key: body ok %v, type %q, metadata %v", len(k), string(b) == "v:"+k, aws.ToString(out.ContentType), out.Metadata)
		}
	}
	listed := listKeys(t, f, "long", "")
	want := append([]string(nil), keys...)
	sortStrings(want)
	if fmt.Sprint(listed) != fmt.Sprint(want) {
		t.Fatalf("listed %d keys %q\nwant %q", len(listed), listed, want)
	}
	// An ordinary key with a long name is still a plain file.
	if _, err := os.Stat(filepath.Join(f.dir, "s3", "long", "in", cjk)); err != nil {
		t.Errorf("the 252-byte segment is not a plain file: %v", err)
	}

	tooLong := strings.Repeat("x", 1025)
	_, err := f.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("long"), Key: aws.String(tooLong), Body: strings.NewReader("x")})
	wantError(t, "put a 1025-byte key", err, 400, "KeyTooLongError")
	if entries, _ := os.ReadDir(filepath.Join(f.dir, "s3meta", ".tmp")); len(entries) != 0 {
		t.Errorf("a refused put left %d temporary files", len(entries))
	}

	for _, k := range keys {
		if _, err := f.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("long"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dir, "s3", "long")); len(entries) != 0 {
		t.Errorf("files left after deleting every key: %v", entries)
	}
}

func listKeys(t *testing.T, f *fixture, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := awss3.NewListObjectsV2Paginator(f.client, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func TestKeyBesideItsPrefix(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "both")
	// Both orders: the object first, and the longer keys first.
	for _, k := range []string{"a", "a/b", "a/c/d", "x/y", "x"} {
		f.put(t, "both", k, "v:"+k)
	}
	for _, k := range []string{"a", "a/b", "a/c/d", "x/y", "x"} {
		if got := f.get(t, "both", k); got != "v:"+k {
			t.Errorf("%s: %q", k, got)
		}
	}
	list := func(prefix string) string {
		out, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("both"), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		var objs, prefixes []string
		for _, o := range out.Contents {
			objs = append(objs, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		return fmt.Sprint(objs, prefixes)
	}
	if got, want := list(""), "[a x] [a/ x/]"; got != want {
		t.Errorf("listing with a delimiter: %s, want %s", got, want)
	}
	if got, want := list("a/"), "[a/b] [a/c/]"; got != want {
		t.Errorf("listing a/: %s, want %s", got, want)
	}
	// Once a/ holds no other key, "a" is a plain file again.
	for _, k := range []string{"a/b", "a/c/d"} {
		if _, err := f.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("both"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(f.dir, "s3", "both", "a")); err != nil || string(b) != "v:a" {
		t.Errorf("a after deleting a/*: %q, %v", b, err)
	}
	if got := f.get(t, "both", "a"); got != "v:a" {
		t.Errorf("a: %q", got)
	}
	if got, want := f.store.ObjectPath("both", "x"), filepath.Join(f.dir, "s3", "both", "x", "%obj"); got != want {
		t.Errorf("ObjectPath(x) = %s, want %s", got, want)
	}
}

func TestListingEncodingAndTokens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "enc")
	for _, k := range []string{"foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b"} {
		f.put(t, "enc", k, k)
	}
	v1, err := f.client.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String("enc"), Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	var keys, prefixes []string
	for _, o := range v1.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	for _, p := range v1.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if aws.ToString(v1.Delimiter) != "/" || fmt.Sprint(keys) != "[asdf%2Bb]" || fmt.Sprint(prefixes) != "[foo%2B1/ foo/ quux%20ab/]" {
		t.Errorf("encoded v1 listing: delimiter %q keys %v prefixes %v", aws.ToString(v1.Delimiter), keys, prefixes)
	}
	v1, err = f.client.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String("enc"), Prefix: aws.String("foo/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Prefix) != "foo/" || aws.ToString(v1.Delimiter) != "/" {
		t.Errorf("v1 without encoding echoes prefix %q delimiter %q", aws.ToString(v1.Prefix), aws.ToString(v1.Delimiter))
	}
	v1, err = f.client.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String("enc"), Prefix: aws.String("foo+"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Prefix) != "foo+" {
		t.Errorf("v1 with encoding echoes prefix %q, want it as sent", aws.ToString(v1.Prefix))
	}

	v2, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("enc"), ContinuationToken: aws.String("")})
	if err != nil {
		t.Fatal(err)
	}
	if v2.ContinuationToken == nil || *v2.ContinuationToken != "" || len(v2.Contents) != 4 {
		t.Errorf("empty continuation token: echoed %v, %d keys", v2.ContinuationToken, len(v2.Contents))
	}
	_, err = f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("enc"), ContinuationToken: aws.String("Zm9vYmFyYmF6")})
	wantError(t, "an invalid continuation token", err, 400, "InvalidArgument")
}

func TestMultipartRetriesAndRacingParts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.store.MinPartSize = 1
	f.bucket(t, "mpu")
	up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	// Eight clients upload part 1 at once: the last one to finish is the
	// part, whichever it is, and it is whole.
	bodies := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.Repeat(fmt.Sprint(i), 64<<10)
			out, err := f.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader(body)})
			if err != nil {
				t.Errorf("racing upload of part 1: %v", err)
				return
			}
			mu.Lock()
			bodies[aws.ToString(out.ETag)] = body
			mu.Unlock()
		}()
	}
	wg.Wait()
	parts, err := f.client.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 1 {
		t.Fatalf("ListParts: %v, %d parts", err, len(parts.Parts))
	}
	etag := aws.ToString(parts.Parts[0].ETag)
	in := &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(etag)}}},
	}
	first, err := f.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("complete after racing parts: %v", err)
	}
	if got := f.get(t, "mpu", "k"); got != bodies[etag] {
		t.Fatalf("the object is not the listed part's bytes (%d bytes)", len(got))
	}
	// A retry, as after a lost response, answers the same.
	again, err := f.client.CompleteMultipartUpload(ctx, in)
	if err != nil || aws.ToString(again.ETag) != aws.ToString(first.ETag) {
		t.Fatalf("retried complete: %v, ETag %s want %s", err, aws.ToString(again.ETag), aws.ToString(first.ETag))
	}
	_, err = f.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("late")})
	wantError(t, "a part for a completed upload", err, 404, "NoSuchUpload")
}

func TestRanges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.bucket(t, "rng")
	f.put(t, "rng", "ten", "0123456789")
	f.put(t, "rng", "empty", "")
	get := func(key, rng string) (string, string, error) {
		out, err := f.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String(key), Range: aws.String(rng)})
		if err != nil {
			return "", "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), aws.ToString(out.ContentRange), err
	}
	for _, tc := range []struct{ rng, body, contentRange string }{
		{"bytes=2-4", "234", "bytes 2-4/10"},
		{"bytes=7-", "789", "bytes 7-9/10"},
		{"bytes=-3", "789", "bytes 7-9/10"},
		{"bytes=8-100", "89", "bytes 8-9/10"},
		{"bytes=-100", "0123456789", "bytes 0-9/10"},
		// Not one well-formed range: ignored, the whole object.
		{"bytes=zz", "0123456789", ""},
		{"bytes=5-2", "0123456789", ""},
		{"bytes=0-1,3-4", "0123456789", ""},
		{"items=0-1", "0123456789", ""},
	} {
		body, cr, err := get("ten", tc.rng)
		if err != nil || body != tc.body || cr != tc.contentRange {
			t.Errorf("Range %s: %q %q %v; want %q %q", tc.rng, body, cr, err, tc.body, tc.contentRange)
		}
	}
	for _, tc := range []struct{ key, rng string }{{"ten", "bytes=10-"}, {"ten", "bytes=-0"}, {"empty", "bytes=0-"}, {"empty", "bytes=-5"}, {"empty", "bytes=0-0"}} {
		_, _, err := get(tc.key, tc.rng)
		wantError(t, tc.key+" "+tc.rng, err, 416, "InvalidRange")
	}
	resp, body := f.do(t, http.MethodGet, "/rng/ten", http.Header{"Range": {"bytes=20-"}}, "")
	wantXMLError(t, "unsatisfiable range", resp, body, 416, "InvalidRange")
	if cr := resp.Header.Get("Content-Range"); cr != "bytes */10" {
		t.Errorf("416 Content-Range %q", cr)
	}
}

func TestCreateBucketRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	for _, name := range []string{"192.168.5.123", "foo.-bar", "foo-.bar", "foo..bar", "Foo", "ab", strings.Repeat("a", 64), "-foo", "xn--foo", "foo-s3alias"} {
		_, err := f.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(name)})
		wantError(t, "CreateBucket "+name, err, 400, "InvalidBucketName")
	}
	_, err := f.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("east"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantError(t, "a constraint of another region", err, 400, "IllegalLocationConstraintException")
	resp, body := f.do(t, http.MethodPut, "/east", nil, "<CreateBucketConfiguration><LocationConstraint>us-west-2")
	wantXMLError(t, "malformed CreateBucketConfiguration", resp, body, 400, "MalformedXML")
	if _, err := f.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("east")}); err == nil {
		t.Fatal("a refused CreateBucket made the bucket")
	}

	eu := newRegionFixture(t, t.TempDir(), "eu-west-1", true, false)
	_, err = eu.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("west")})
	wantError(t, "no constraint outside us-east-1", err, 400, "IllegalLocationConstraintException")
	cfg := &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}
	if _, err := eu.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("west"), CreateBucketConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	_, err = eu.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("west"), CreateBucketConfiguration: cfg})
	wantError(t, "creating an owned bucket again outside us-east-1", err, 409, "BucketAlreadyOwnedByYou")
}

func TestPartsCopiesAndListings(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.store.MinPartSize = 4
	f.bucket(t, "parts")
	f.put(t, "parts", "src", "abcdefghij")

	// UploadPartCopy: a whole object and a range of it, then parts of
	// the result by number.
	up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for i, rng := range []*string{nil, aws.String("bytes=2-5")} {
		out, err := f.client.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{
			Bucket: aws.String("parts"), Key: aws.String("dst"), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			CopySource: aws.String("parts/src"), CopySourceRange: rng,
		})
		if err != nil {
			t.Fatalf("UploadPartCopy %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	_, err = f.client.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{
		Bucket: aws.String("parts"), Key: aws.String("dst"), UploadId: up.UploadId, PartNumber: aws.Int32(3),
		CopySource: aws.String("parts/src"), CopySourceRange: aws.String("bytes=5-10"),
	})
	wantError(t, "a copy range past the source", err, 400, "InvalidArgument")
	_, err = f.client.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{
		Bucket: aws.String("parts"), Key: aws.String("dst"), UploadId: up.UploadId, PartNumber: aws.Int32(3),
		CopySource: aws.String("parts/src"), CopySourceIfMatch: aws.String(`"0123"`),
	})
	wantError(t, "UploadPartCopy with a failing source If-Match", err, 412, "PreconditionFailed")

	// ListMultipartUploads sees the upload, with a prefix and in pages.
	other, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("dir/other")})
	if err != nil {
		t.Fatal(err)
	}
	lu, err := f.client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String("parts"), MaxUploads: aws.Int32(1)})
	if err != nil || len(lu.Uploads) != 1 || !aws.ToBool(lu.IsTruncated) || aws.ToString(lu.Uploads[0].Key) != "dir/other" {
		t.Fatalf("ListMultipartUploads page 1: %v %+v", err, lu)
	}
	lu, err = f.client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String("parts"), KeyMarker: lu.NextKeyMarker, UploadIdMarker: lu.NextUploadIdMarker})
	if err != nil || len(lu.Uploads) != 1 || aws.ToBool(lu.IsTruncated) || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(up.UploadId) {
		t.Fatalf("ListMultipartUploads page 2: %v %+v", err, lu)
	}
	lu, err = f.client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String("parts"), Delimiter: aws.String("/")})
	if err != nil || len(lu.Uploads) != 1 || len(lu.CommonPrefixes) != 1 || aws.ToString(lu.CommonPrefixes[0].Prefix) != "dir/" {
		t.Fatalf("ListMultipartUploads with a delimiter: %v %+v", err, lu)
	}
	if _, err := f.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("dir/other"), UploadId: other.UploadId}); err != nil {
		t.Fatal(err)
	}

	if _, err := f.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String("parts"), Key: aws.String("dst"), UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, "parts", "dst"); got != "abcdefghijcdef" {
		t.Fatalf("object from copied parts: %q", got)
	}
	for n, want := range map[int32]string{1: "abcdefghij", 2: "cdef"} {
		out, err := f.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("parts"), Key: aws.String("dst"), PartNumber: aws.Int32(n)})
		if err != nil {
			t.Fatalf("GetObject part %d: %v", n, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != want || aws.ToInt32(out.PartsCount) != 2 {
			t.Errorf("part %d: %q, PartsCount %d", n, b, aws.ToInt32(out.PartsCount))
		}
	}
	head, err := f.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("parts"), Key: aws.String("dst"), PartNumber: aws.Int32(2)})
	if err != nil || aws.ToInt64(head.ContentLength) != 4 || aws.ToInt32(head.PartsCount) != 2 {
		t.Fatalf("HeadObject part 2: %v, length %d, PartsCount %d", err, aws.ToInt64(head.ContentLength), aws.ToInt32(head.PartsCount))
	}
	_, err = f.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("parts"), Key: aws.String("dst"), PartNumber: aws.Int32(3)})
	wantError(t, "a part number past the last", err, 416, "InvalidPartNumber")

	// ListObjectsV2 names owners only when asked; ListObjects always.
	v2, err := f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("parts")})
	if err != nil || len(v2.Contents) == 0 || v2.Contents[0].Owner != nil {
		t.Fatalf("ListObjectsV2 without FetchOwner: %v", err)
	}
	v2, err = f.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("parts"), FetchOwner: aws.Bool(true)})
	if err != nil || len(v2.Contents) == 0 || v2.Contents[0].Owner == nil || aws.ToString(v2.Contents[0].Owner.ID) == "" {
		t.Fatalf("ListObjectsV2 with FetchOwner: %v", err)
	}

	// ListBuckets in pages, and by prefix.
	for _, b := range []string{"b1", "b2", "b3"} {
		f.bucket(t, "page-"+b)
	}
	var names []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := f.client.ListBuckets(ctx, &awss3.ListBucketsInput{MaxBuckets: aws.Int32(2), ContinuationToken: token, Prefix: aws.String("page-")})
		if err != nil || pages > 3 {
			t.Fatalf("ListBuckets: %v after %d pages", err, pages)
		}
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		if out.ContinuationToken == nil {
			break
		}
		token = out.ContinuationToken
	}
	if fmt.Sprint(names) != "[page-b1 page-b2 page-b3]" {
		t.Fatalf("ListBuckets pages: %v", names)
	}
	_, err = f.client.ListBuckets(ctx, &awss3.ListBucketsInput{ContinuationToken: aws.String("nonsense")})
	wantError(t, "ListBuckets with a bad token", err, 400, "InvalidArgument")
}
