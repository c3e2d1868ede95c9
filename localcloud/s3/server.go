package s3

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Options configures a Server.
type Options struct {
	// Region is reported as every bucket's region. Default us-east-1.
	Region string
	// HostSuffixes are the host names under which virtual-host-style
	// requests name the bucket in the host: with "localhost",
	// bucket.localhost, bucket.s3.localhost and
	// bucket.s3.us-east-1.localhost all address "bucket". Default
	// ["localhost"].
	HostSuffixes []string
}

// Server speaks S3's REST-XML protocol over a Storage.
type Server struct {
	store  Storage
	region string
	hosts  []string
}

// NewServer returns the S3 protocol front end for store.
func NewServer(store Storage, opts Options) *Server {
	if opts.Region == "" {
		opts.Region = awsproto.DefaultRegion
	}
	if len(opts.HostSuffixes) == 0 {
		opts.HostSuffixes = []string{"localhost"}
	}
	return &Server{store: store, region: opts.Region, hosts: opts.HostSuffixes}
}

// Storage is the store behind the server, for in-process components.
func (s *Server) Storage() Storage { return s.store }

// Address returns the bucket and key a request names, from the host
// (virtual-host style) or the path (path style).
func (s *Server) Address(r *http.Request) (bucket, key string) {
	if b := s.hostBucket(r.Host); b != "" {
		return b, strings.TrimPrefix(r.URL.Path, "/")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

func (s *Server) hostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, suffix := range s.hosts {
		rest, ok := strings.CutSuffix(host, "."+suffix)
		if !ok {
			continue
		}
		// Drop an "s3" or "s3.<region>" label between bucket and suffix.
		if b, ok := strings.CutSuffix(rest, ".s3"); ok {
			rest = b
		} else if i := strings.LastIndex(rest, ".s3."); i >= 0 && !strings.Contains(rest[i+4:], ".") {
			rest = rest[:i]
		}
		if rest == "s3" || strings.HasPrefix(rest, "s3.") {
			return ""
		}
		return rest
	}
	return ""
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.StampRequestID(w, r)
	bucket, key := s.Address(r)
	var err error
	switch {
	case bucket == "":
		err = s.serveService(w, r)
	case key == "":
		err = s.serveBucket(w, r, bucket)
	default:
		err = s.serveObject(w, r, bucket, key)
	}
	if err != nil {
		awsproto.WriteXMLError(w, r, s3Error(err, bucket, key))
	}
}

func (s *Server) serveService(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	buckets, err := s.store.ListBuckets(r.Context())
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{Xmlns: s3NS, Owner: localOwner}
	for _, b := range buckets {
		res.Buckets = append(res.Buckets, bucketElem{Name: b.Name, CreationDate: xmlTime(b.CreationDate), BucketRegion: s.region})
	}
	writeXML(w, res)
	return nil
}

// unsupportedSubresources are bucket and object sub-resources this server
// does not implement; requests for them get NotImplemented naming them.
var unsupportedSubresources = []string{
	"accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering", "inventory",
	"lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore", "retention",
	"legal-hold", "select", "tagging", "torrent", "versions", "website", "attributes",
}

func unsupported(r *http.Request) error {
	q := r.URL.Query()
	for _, sub := range unsupportedSubresources {
		if q.Has(sub) {
			return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented",
				"%s ?%s is not implemented by the local cloud's S3 (it serves buckets, objects, listings, copies and multipart uploads)", r.Method, sub)
		}
	}
	return nil
}

func methodNotAllowed(r *http.Request) error {
	return awsproto.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "the method %s is not allowed against this resource", r.Method)
}

func (s *Server) serveBucket(w http.ResponseWriter, r *http.Request, bucket string) error {
	if err := unsupported(r); err != nil {
		return err
	}
	q := r.URL.Query()
	ctx := r.Context()
	switch r.Method {
	case http.MethodPut:
		if err := s.store.CreateBucket(ctx, bucket); err != nil {
			return err
		}
		w.Header().Set("Location", "/"+bucket)
		w.WriteHeader(http.StatusOK)
	case http.MethodHead:
		if _, err := s.store.HeadBucket(ctx, bucket); err != nil {
			return err
		}
		w.Header().Set("X-Amz-Bucket-Region", s.region)
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		if err := s.store.DeleteBucket(ctx, bucket); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		if q.Has("delete") {
			return s.deleteObjects(w, r, bucket)
		}
		return methodNotAllowed(r)
	case http.MethodGet:
		switch {
		case q.Has("location"):
			if _, err := s.store.HeadBucket(ctx, bucket); err != nil {
				return err
			}
			lc := s.region
			if lc == "us-east-1" {
				lc = ""
			}
			writeXML(w, locationConstraint{Xmlns: s3NS, Value: lc})
		case q.Has("versioning"):
			if _, err := s.store.HeadBucket(ctx, bucket); err != nil {
				return err
			}
			writeXML(w, versioningConfiguration{Xmlns: s3NS})
		case q.Has("uploads"):
			return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "ListMultipartUploads is not implemented by the local cloud's S3")
		case q.Get("list-type") == "2":
			return s.listV2(w, r, bucket)
		default:
			return s.listV1(w, r, bucket)
		}
	default:
		return methodNotAllowed(r)
	}
	return nil
}

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
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "the continuation token %q is not one this server issued", token)
		}
		opts.After, opts.AfterPrefix = after, isPrefix
	} else {
		opts.After = q.Get("start-after")
	}
	page, err := s.list(r, bucket, opts, maxKeys)
	if err != nil {
		return err
	}
	res := s.listResult(bucket, q, page, maxKeys)
	n := len(res.Contents) + len(res.CommonPrefixes)
	res.KeyCount = &n
	res.ContinuationToken = token
	res.StartAfter = maybeEncode(q, q.Get("start-after"))
	if page.IsTruncated {
		res.NextContinuationToken = encodeToken(page.Next, page.NextIsPrefix)
	}
	writeXML(w, res)
	return nil
}

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
	res := s.listResult(bucket, q, page, maxKeys)
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
		n, err := parseInt(v)
		if err != nil || n < 0 {
			return opts, 0, awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "max-keys %q must be a non-negative integer", v)
		}
		if n < maxKeys {
			maxKeys = n
		}
	}
	if et := q.Get("encoding-type"); et != "" && et != "url" {
		return opts, 0, awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "encoding-type %q is not valid; the only valid value is url", et)
	}
	opts.MaxKeys = maxKeys
	return opts, maxKeys, nil
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

func (s *Server) listResult(bucket string, q url.Values, page *ListPage, maxKeys int) listBucketResult {
	res := listBucketResult{
		Xmlns:        s3NS,
		Name:         bucket,
		Prefix:       maybeEncode(q, q.Get("prefix")),
		Delimiter:    maybeEncode(q, q.Get("delimiter")),
		EncodingType: q.Get("encoding-type"),
		MaxKeys:      maxKeys,
		IsTruncated:  page.IsTruncated,
	}
	for _, o := range page.Objects {
		res.Contents = append(res.Contents, contentElem{
			Key: maybeEncode(q, o.Key), LastModified: xmlTime(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD",
		})
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

// Continuation tokens carry where the last page ended: "K" + key or
// "P" + common prefix, base64-encoded.
func encodeToken(after string, isPrefix bool) string {
	kind := "K"
	if isPrefix {
		kind = "P"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(kind + after))
}

func decodeToken(t string) (after string, isPrefix, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) < 2 || (b[0] != 'K' && b[0] != 'P') {
		return "", false, false
	}
	return string(b[1:]), b[0] == 'P', true
}

// s3Error maps a Storage error to S3's error codes.
func s3Error(err error, bucket, key string) error {
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return ae
	}
	type mapping struct {
		target error
		status int
		code   string
	}
	for _, m := range []mapping{
		{ErrNoSuchBucket, http.StatusNotFound, "NoSuchBucket"},
		{ErrNoSuchKey, http.StatusNotFound, "NoSuchKey"},
		{ErrBucketAlreadyOwned, http.StatusConflict, "BucketAlreadyOwnedByYou"},
		{ErrBucketNotEmpty, http.StatusConflict, "BucketNotEmpty"},
		{ErrInvalidBucketName, http.StatusBadRequest, "InvalidBucketName"},
		{ErrKeyConflict, http.StatusConflict, "KeyConflict"},
		{ErrNoSuchUpload, http.StatusNotFound, "NoSuchUpload"},
		{ErrInvalidPart, http.StatusBadRequest, "InvalidPart"},
		{ErrInvalidPartOrder, http.StatusBadRequest, "InvalidPartOrder"},
		{ErrEntityTooSmall, http.StatusBadRequest, "EntityTooSmall"},
		{ErrInvalidPartNumber, http.StatusBadRequest, "InvalidArgument"},
		{ErrMalformedPartList, http.StatusBadRequest, "MalformedXML"},
	} {
		if errors.Is(err, m.target) {
			e := &awsproto.Error{Status: m.status, Code: m.code, Message: err.Error()}
			switch m.code {
			case "NoSuchBucket", "BucketAlreadyOwnedByYou", "BucketNotEmpty", "InvalidBucketName":
				e = e.With("BucketName", bucket)
			case "NoSuchKey":
				e = e.With("Key", key)
			}
			return e
		}
	}
	if errors.Is(err, ErrInvalidKey) {
		code := "InvalidArgument"
		if len(key) > 1024 {
			code = "KeyTooLongError"
		}
		return &awsproto.Error{Status: http.StatusBadRequest, Code: code, Message: err.Error()}
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
}
