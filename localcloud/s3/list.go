package s3

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// listV2 serves ListObjectsV2. With encoding-type=url, Key, Prefix,
// Delimiter, StartAfter and common prefixes are URL-encoded (botocore
// decodes exactly these).
func (s *Server) listV2(w http.ResponseWriter, r *http.Request, bucket string) error {
	q := r.URL.Query()
	opts, maxKeys, err := listOptions(q)
	if err != nil {
		return err
	}
	token := q.Get("continuation-token")
	if token != "" {
		after, isPrefix, ok := decodeToken(token)
		if !ok {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "the continuation token provided is incorrect: %q was not issued by a listing of this server; pass the NextContinuationToken of the previous page", token).
				With("ArgumentName", "continuation-token").With("ArgumentValue", token)
		}
		opts.After, opts.AfterPrefix = after, isPrefix
	} else {
		opts.After = q.Get("start-after")
	}
	page, err := s.list(r, bucket, opts, maxKeys)
	if err != nil {
		return err
	}
	res := s.listResult(bucket, q, page, maxKeys, q.Get("fetch-owner") == "true")
	res.Prefix = maybeEncode(q, opts.Prefix)
	res.Delimiter = maybeEncode(q, opts.Delimiter)
	n := len(res.Contents) + len(res.CommonPrefixes)
	res.KeyCount = &n
	if q.Has("continuation-token") {
		res.ContinuationToken = &token
	}
	res.StartAfter = maybeEncode(q, q.Get("start-after"))
	if page.IsTruncated {
		res.NextContinuationToken = encodeToken(page.Next, page.NextIsPrefix)
	}
	writeXML(w, res)
	return nil
}

// listV1 serves ListObjects. Prefix and Delimiter are echoed as sent: with
// encoding-type=url S3 encodes Key, Marker, NextMarker and common
// prefixes, and botocore decodes Delimiter but never Prefix.
func (s *Server) listV1(w http.ResponseWriter, r *http.Request, bucket string) error {
	q := r.URL.Query()
	opts, maxKeys, err := listOptions(q)
	if err != nil {
		return err
	}
	marker := q.Get("marker")
	opts.After = marker
	// A marker ending in the delimiter continues after a common prefix.
	opts.AfterPrefix = opts.Delimiter != "" && strings.HasSuffix(marker, opts.Delimiter)
	page, err := s.list(r, bucket, opts, maxKeys)
	if err != nil {
		return err
	}
	res := s.listResult(bucket, q, page, maxKeys, true)
	res.Prefix = opts.Prefix
	res.Delimiter = opts.Delimiter
	m := maybeEncode(q, marker)
	res.Marker = &m
	if page.IsTruncated && opts.Delimiter != "" {
		res.NextMarker = maybeEncode(q, page.Next)
	}
	writeXML(w, res)
	return nil
}

func listOptions(q url.Values) (ListOptions, int, error) {
	opts := ListOptions{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter")}
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return opts, 0, awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "max-keys %q must be a non-negative integer", v)
		}
		if n < maxKeys {
			maxKeys = n
		}
	}
	if err := checkEncodingType(q); err != nil {
		return opts, 0, err
	}
	opts.MaxKeys = maxKeys
	return opts, maxKeys, nil
}

func checkEncodingType(q url.Values) error {
	if et := q.Get("encoding-type"); et != "" && et != "url" {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "encoding-type %q is not valid; the only valid value is url", et).
			With("ArgumentName", "encoding-type").With("ArgumentValue", et)
	}
	return nil
}

func (s *Server) list(r *http.Request, bucket string, opts ListOptions, maxKeys int) (*ListPage, error) {
	if maxKeys == 0 {
		if _, err := s.store.HeadBucket(r.Context(), bucket); err != nil {
			return nil, err
		}
		return &ListPage{}, nil
	}
	return s.store.ListObjects(r.Context(), bucket, opts)
}

func (s *Server) listResult(bucket string, q url.Values, page *ListPage, maxKeys int, withOwner bool) listBucketResult {
	res := listBucketResult{
		Xmlns:        s3NS,
		Name:         bucket,
		EncodingType: q.Get("encoding-type"),
		MaxKeys:      maxKeys,
		IsTruncated:  page.IsTruncated,
	}
	for _, o := range page.Objects {
		c := contentElem{Key: maybeEncode(q, o.Key), LastModified: xmlTime(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"}
		if withOwner {
			c.Owner = &localOwner
		}
		res.Contents = append(res.Contents, c)
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, prefixElem{Prefix: maybeEncode(q, p)})
	}
	return res
}

func maybeEncode(q url.Values, s string) string {
	if q.Get("encoding-type") == "url" {
		return urlEncode(s)
	}
	return s
}

// Continuation tokens carry where the last page ended, "K" + key or
// "P" + common prefix, behind a CRC-32 of it so that a token this server
// did not issue is refused rather than read as a place in the listing.
func encodeToken(after string, isPrefix bool) string {
	kind := "K"
	if isPrefix {
		kind = "P"
	}
	payload := []byte(kind + after)
	b := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(payload))
	return base64.RawURLEncoding.EncodeToString(append(b, payload...))
}

func decodeToken(t string) (after string, isPrefix, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) < 6 {
		return "", false, false
	}
	payload := b[4:]
	if binary.BigEndian.Uint32(b) != crc32.ChecksumIEEE(payload) || (payload[0] != 'K' && payload[0] != 'P') {
		return "", false, false
	}
	return string(payload[1:]), payload[0] == 'P', true
}

// listBuckets serves ListBuckets, with max-buckets pages, a continuation
// token (the last bucket name of the previous page) and a name prefix.
func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	maxBuckets := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "max-buckets %q must be an integer between 1 and 10000", v).
				With("ArgumentName", "max-buckets").With("ArgumentValue", v)
		}
		maxBuckets = n
	}
	after := ""
	if t := q.Get("continuation-token"); t != "" {
		name, isPrefix, ok := decodeToken(t)
		if !ok || isPrefix {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "the continuation token provided is incorrect: %q was not issued by ListBuckets on this server", t).
				With("ArgumentName", "continuation-token").With("ArgumentValue", t)
		}
		after = name
	}
	prefix := q.Get("prefix")
	buckets, err := s.store.ListBuckets(r.Context())
	if err != nil {
		return err
	}
	if region := q.Get("bucket-region"); region != "" && region != s.region {
		buckets = nil // every bucket is in the server's region
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Name < buckets[j].Name })
	res := listAllMyBucketsResult{Xmlns: s3NS, Owner: localOwner}
	if q.Has("prefix") {
		res.Prefix = &prefix
	}
	for _, b := range buckets {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) {
			continue
		}
		if len(res.Buckets) == maxBuckets {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name, false)
			break
		}
		res.Buckets = append(res.Buckets, bucketElem{Name: b.Name, CreationDate: xmlTime(b.CreationDate), BucketRegion: s.region})
	}
	writeXML(w, res)
	return nil
}
