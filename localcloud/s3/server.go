package s3

import (
	"errors"
	"net"
	"net/http"
	"strconv"
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
	if r.Body != nil {
		r.Body = requestBody{r.Body}
	}
	s.corsResponseHeaders(w, r, bucket)
	if err := s.serve(w, r, bucket, key); err != nil {
		awsproto.WriteXMLError(w, r, s3Error(err, bucket, key))
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := checkHeaderSize(r); err != nil {
		return err
	}
	switch {
	case r.Method == http.MethodOptions && bucket != "":
		return s.preflight(w, r, bucket, key)
	case bucket == "":
		return s.serveService(w, r)
	case key == "":
		return s.serveBucket(w, r, bucket)
	}
	return s.serveObject(w, r, bucket, key)
}

func (s *Server) serveService(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	return s.listBuckets(w, r)
}

// unsupportedSubresources are bucket and object sub-resources this server
// does not implement; requests for them get NotImplemented naming them.
var unsupportedSubresources = []string{
	"accelerate", "acl", "analytics", "encryption", "intelligent-tiering", "inventory",
	"lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore", "retention",
	"legal-hold", "select", "tagging", "torrent", "versions", "website", "attributes",
}

func unsupported(r *http.Request) error {
	q := r.URL.Query()
	for _, sub := range unsupportedSubresources {
		if q.Has(sub) {
			return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented",
				"%s ?%s is not implemented by the local cloud's S3 (it serves buckets, objects, listings, copies, multipart uploads and CORS configurations)", r.Method, sub)
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
	if q.Has("cors") {
		return s.serveCORSConfig(w, r, bucket)
	}
	switch r.Method {
	case http.MethodPut:
		return s.createBucket(w, r, bucket)
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
			return s.listMultipartUploads(w, r, bucket)
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
		{ErrKeyTooLong, http.StatusBadRequest, "KeyTooLongError"},
		{ErrPreconditionFailed, http.StatusPreconditionFailed, "PreconditionFailed"},
		{errChunkTruncated, http.StatusBadRequest, "IncompleteBody"},
		{errMalformedChunk, http.StatusBadRequest, "InvalidChunkSizeError"},
		{errBadTrailer, http.StatusBadRequest, "MalformedTrailerError"},
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
			case "KeyTooLongError":
				e = e.With("Size", strconv.Itoa(len(key))).With("MaxSizeAllowed", strconv.Itoa(MaxKeyLength))
			}
			return e
		}
	}
	if errors.Is(err, ErrInvalidKey) {
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: err.Error()}
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
}
