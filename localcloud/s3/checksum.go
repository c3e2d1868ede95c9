package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// checksumAlgorithms are the x-amz-checksum-* algorithms S3 knows, by their
// lower-case header suffix.
var checksumAlgorithms = map[string]func() hash.Hash{
	"crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"crc64nvme": func() hash.Hash { return crc64.New(crc64NVME) },
	"sha1":      sha1.New,
	"sha256":    sha256.New,
}

// crc64NVME is the CRC-64/NVME polynomial in the reversed form hash/crc64
// expects.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// verifier checks a request body against the digests its headers (or
// aws-chunked trailers) announce, failing the read at the end of the body
// when one does not match, so a corrupt upload is never stored.
type verifier struct {
	r          io.Reader
	chunked    *chunkedReader
	header     http.Header
	md5        hash.Hash
	wantMD5    string
	algo       string // checksum algorithm, "" for none
	sum        hash.Hash
	wantLength int64 // -1 when unknown
	n          int64
	checksum   string            // the verified checksum value, once at EOF
	into       map[string]string // receives algo → checksum once verified
}

// newVerifier wraps r's body, decoding aws-chunked if used.
func newVerifier(r *http.Request) (*verifier, error) {
	v := &verifier{r: r.Body, header: r.Header, wantLength: -1, wantMD5: r.Header.Get("Content-Md5")}
	if isAWSChunked(r) {
		v.chunked = newChunkedReader(r.Body)
		v.r = v.chunked
		if dl := r.Header.Get("X-Amz-Decoded-Content-Length"); dl != "" {
			if _, err := fmt.Sscan(dl, &v.wantLength); err != nil {
				return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "x-amz-decoded-content-length %q is not a number", dl)
			}
		}
	}
	if _, sent := r.Header["Content-Md5"]; sent {
		if raw, err := base64.StdEncoding.DecodeString(v.wantMD5); err != nil || len(raw) != md5.Size {
			return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidDigest",
				"the Content-MD5 you specified (%q) is not valid: it must be the base64 encoding of the body's 16-byte MD5 digest", v.wantMD5)
		}
		v.md5 = md5.New()
	}
	v.algo = requestedChecksum(r)
	if v.algo != "" {
		newHash, ok := checksumAlgorithms[v.algo]
		if !ok {
			return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "checksum algorithm %q is not supported; use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256", v.algo)
		}
		v.sum = newHash()
	}
	return v, nil
}

// requestedChecksum names the algorithm of the checksum sent with r, in a
// header or announced as a trailer.
func requestedChecksum(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Trailer"); strings.HasPrefix(strings.ToLower(t), "x-amz-checksum-") {
		return strings.ToLower(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-"))
	}
	for name := range r.Header {
		l := strings.ToLower(name)
		if a, ok := strings.CutPrefix(l, "x-amz-checksum-"); ok && a != "type" && a != "mode" && a != "algorithm" {
			return a
		}
	}
	return ""
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if n > 0 {
		v.n += int64(n)
		if v.md5 != nil {
			v.md5.Write(p[:n])
		}
		if v.sum != nil {
			v.sum.Write(p[:n])
		}
	}
	if err == io.EOF {
		if verr := v.verify(); verr != nil {
			return n, verr
		}
	}
	return n, err
}

func (v *verifier) verify() error {
	if v.wantLength >= 0 && v.n != v.wantLength {
		return awsproto.Errorf(http.StatusBadRequest, "IncompleteBody", "the body decoded to %d bytes but x-amz-decoded-content-length says %d", v.n, v.wantLength)
	}
	if v.md5 != nil {
		got := base64.StdEncoding.EncodeToString(v.md5.Sum(nil))
		if got != v.wantMD5 {
			return awsproto.Errorf(http.StatusBadRequest, "BadDigest", "the Content-MD5 you specified (%s) does not match the body's (%s)", v.wantMD5, got)
		}
	}
	if v.sum != nil {
		name := "X-Amz-Checksum-" + v.algo
		want := v.header.Get(name)
		if want == "" && v.chunked != nil {
			want = v.chunked.trailers.Get(name)
		}
		got := base64.StdEncoding.EncodeToString(v.sum.Sum(nil))
		if want == "" {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "the %s checksum was announced but not sent", strings.ToUpper(v.algo))
		}
		if !bytes.Equal([]byte(got), []byte(want)) {
			return awsproto.Errorf(http.StatusBadRequest, "BadDigest", "the %s you specified (%s) did not match the calculated checksum (%s)", strings.ToUpper(v.algo), want, got)
		}
		v.checksum = got
		if v.into != nil {
			v.into[v.algo] = got
		}
	}
	return nil
}
