package s3

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	srcBucket, srcKey, err := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	directive := strings.ToUpper(r.Header.Get("X-Amz-Metadata-Directive"))
	if directive == "" {
		directive = "COPY"
	}
	if directive != "COPY" && directive != "REPLACE" {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "x-amz-metadata-directive %q must be COPY or REPLACE", directive)
	}
	if srcBucket == bucket && srcKey == key && directive == "COPY" {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequest",
			"this copy request is illegal because it is trying to copy an object to itself without changing the object's metadata; set the metadata directive to REPLACE")
	}
	var meta Metadata
	if directive == "REPLACE" {
		if meta, err = requestMetadata(r); err != nil {
			return err
		}
	}
	cond, err := writePrecondition(r)
	if err != nil {
		return err
	}
	src, err := s.openCopySource(r, srcBucket, srcKey)
	if err != nil {
		return err
	}
	defer src.Body.Close()
	if directive == "COPY" {
		meta = src.Metadata
	}
	// The copy is one part, whatever the source was made of.
	meta.PartSizes = nil
	info, err := s.store.PutObject(r.Context(), bucket, key, src.Body, meta, cond)
	if err != nil {
		return err
	}
	writeXML(w, copyObjectResult{Xmlns: s3NS, LastModified: xmlTime(info.LastModified), ETag: info.ETag})
	return nil
}

// openCopySource opens the source of a copy if it meets the request's
// x-amz-copy-source-if-* conditions.
func (s *Server) openCopySource(r *http.Request, bucket, key string) (*Object, error) {
	src, err := s.store.GetObject(r.Context(), bucket, key)
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	conds := copySourceConditions(r.Header)
	if status, failed := conds.evaluate(src.ObjectInfo); status != 0 {
		src.Body.Close()
		return nil, conds.preconditionFailed(failed)
	}
	return src, nil
}

// uploadPartCopy serves UploadPartCopy: a part taken from an existing
// object, whole or the x-amz-copy-source-range of it.
func (s *Server) uploadPartCopy(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "partNumber %q must be an integer between 1 and %d", q.Get("partNumber"), MaxParts)
	}
	srcBucket, srcKey, err := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	src, err := s.openCopySource(r, srcBucket, srcKey)
	if err != nil {
		return err
	}
	defer src.Body.Close()
	sel := byteRange{0, src.Size - 1}
	if v := r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		if sel, err = copySourceRange(v, src.Size); err != nil {
			return err
		}
	}
	if _, err := src.Body.Seek(sel.start, io.SeekStart); err != nil {
		return err
	}
	part, err := s.store.UploadPart(r.Context(), bucket, key, q.Get("uploadId"), n, io.LimitReader(src.Body, sel.length()))
	if err != nil {
		return err
	}
	writeXML(w, copyPartResult{Xmlns: s3NS, LastModified: xmlTime(part.LastModified), ETag: part.ETag})
	return nil
}

// copySourceRange parses x-amz-copy-source-range, which unlike Range must
// be "bytes=first-last" inside the source object.
func copySourceRange(v string, size int64) (byteRange, error) {
	bad := awsproto.Errorf(http.StatusBadRequest, "InvalidArgument",
		"x-amz-copy-source-range %q must be bytes=first-last with first <= last < %d, the source object's size", v, size).
		With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	if !ok || !ok2 || !allDigits(first) || !allDigits(last) {
		return byteRange{}, bad
	}
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if err1 != nil || err2 != nil || start > end || end >= size {
		return byteRange{}, bad
	}
	return byteRange{start, end}, nil
}

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=…]",
// URL-encoded.
func copySource(v string) (bucket, key string, err error) {
	v, _, _ = strings.Cut(v, "?versionId=")
	u, uerr := url.PathUnescape(v)
	if uerr != nil {
		return "", "", awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "x-amz-copy-source %q is not correctly URL-encoded", v)
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(u, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "x-amz-copy-source %q must be bucket/key", v)
	}
	return bucket, key, nil
}
