package s3_test

import (
	"context"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awss3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3's user-defined metadata documentation
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html,
// "User-defined object metadata"): values outside US-ASCII "are character
// decoded as per RFC 2047 before storing and encoded as per RFC 2047 to
// make them mail-safe before returning"; a US-ASCII value "is presented as
// is". Its example: a PUT of x-amz-meta-nonascii: ÄMÄZÕÑ S3 (the UTF-8
// bytes, read as ISO-8859-1) comes back from HEAD as
// =?UTF-8?B?w4PChE3Dg8KEWsODwpXDg8KRIFMz?=.
const (
	docNonASCII = "ÄMÄZÕÑ S3"
	docReturned = "=?UTF-8?B?w4PChE3Dg8KEWsODwpXDg8KRIFMz?="
)

func TestRawUTF8MetadataComesBackAsTheDocumentedEncodedWord(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "meta")
	h := http.Header{}
	h["x-amz-meta-nonascii"] = []string{docNonASCII}
	h["x-amz-meta-ascii"] = []string{"AMAZONS3"}
	if resp, body := f.do(t, http.MethodPut, "/meta/doc", h, "x"); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		resp, _ := f.do(t, method, "/meta/doc", nil, "")
		if got := resp.Header.Get("X-Amz-Meta-Nonascii"); got != docReturned {
			t.Errorf("%s: x-amz-meta-nonascii %q, want %q", method, got, docReturned)
		}
		if got := resp.Header.Get("X-Amz-Meta-Ascii"); got != "AMAZONS3" {
			t.Errorf("%s: x-amz-meta-ascii %q, want AMAZONS3", method, got)
		}
	}
}

func TestEncodedWordMetadataIsDecodedBeforeStoring(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "meta")
	// Each value is stored as "café", so each comes back as the same
	// UTF-8 B-encoded word, whatever form it was sent in.
	want := "=?UTF-8?B?" + "Y2Fmw6k=" + "?="
	for name, sent := range map[string]string{
		"b-utf8":   "=?UTF-8?B?Y2Fmw6k=?=",
		"q-utf8":   "=?utf-8?q?caf=C3=A9?=",
		"q-latin1": "=?ISO-8859-1?Q?caf=E9?=",
		"split":    "=?UTF-8?B?Y2Fm?= =?UTF-8?B?w6k=?=",
		"latin1":   "caf\xe9", // one ISO-8859-1 byte
	} {
		h := http.Header{}
		h["x-amz-meta-v"] = []string{sent}
		if resp, body := f.do(t, http.MethodPut, "/meta/"+name, h, "x"); resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %d %s", name, resp.StatusCode, body)
		}
		resp, _ := f.do(t, http.MethodHead, "/meta/"+name, nil, "")
		if got := resp.Header.Get("X-Amz-Meta-V"); got != want {
			t.Errorf("%s (%q): returned %q, want %q", name, sent, got, want)
		}
	}
	// Text that only looks like an encoded-word stays as it is.
	h := http.Header{}
	h["x-amz-meta-v"] = []string{"=?not an encoded word?="}
	f.do(t, http.MethodPut, "/meta/plain", h, "x")
	if resp, _ := f.do(t, http.MethodHead, "/meta/plain", nil, ""); resp.Header.Get("X-Amz-Meta-V") != "=?not an encoded word?=" {
		t.Errorf("plain value returned as %q", resp.Header.Get("X-Amz-Meta-V"))
	}
}

func TestSDKMetadataOutsideASCII(t *testing.T) {
	f := newFixture(t, true, false)
	f.bucket(t, "meta")
	ctx := context.Background()
	// The Go SDK sends a value's UTF-8 bytes as they are, which is the
	// documented example; it returns the encoded-word as S3 sends it.
	// Text outside US-ASCII round-trips when sent as an encoded-word.
	word := mime.BEncoding.Encode("UTF-8", "漢字 café")
	_, err := f.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String("meta"), Key: aws.String("k"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"raw": docNonASCII, "word": word, "ascii": "AMAZONS3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	head, err := f.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	get, err := f.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	for what, md := range map[string]map[string]string{"HeadObject": head.Metadata, "GetObject": get.Metadata} {
		if md["raw"] != docReturned || md["ascii"] != "AMAZONS3" {
			t.Errorf("%s: %v, want raw %q and ascii AMAZONS3", what, md, docReturned)
		}
		if text, err := new(mime.WordDecoder).DecodeHeader(md["word"]); err != nil || text != "漢字 café" {
			t.Errorf("%s: word %q decodes to %q (%v), want 漢字 café", what, md["word"], text, err)
		}
	}

	// A copy that replaces the metadata and a multipart upload read their
	// values the same way.
	_, err = f.client.CopyObject(ctx, &awss3.CopyObjectInput{
		Bucket: aws.String("meta"), Key: aws.String("copy"), CopySource: aws.String("meta/k"),
		MetadataDirective: "REPLACE", Metadata: map[string]string{"raw": docNonASCII},
	})
	if err != nil {
		t.Fatal(err)
	}
	up, err := f.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{
		Bucket: aws.String("meta"), Key: aws.String("mpu"), Metadata: map[string]string{"raw": docNonASCII},
	})
	if err != nil {
		t.Fatal(err)
	}
	part, err := f.client.UploadPart(ctx, &awss3.UploadPartInput{
		Bucket: aws.String("meta"), Key: aws.String("mpu"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p"),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String("meta"), Key: aws.String("mpu"), UploadId: up.UploadId,
		MultipartUpload: &awss3types.CompletedMultipartUpload{Parts: []awss3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"copy", "mpu"} {
		out, err := f.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Metadata, map[string]string{"raw": docReturned}) {
			t.Errorf("%s: %v, want raw %q", key, out.Metadata, docReturned)
		}
	}
}
