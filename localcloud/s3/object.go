package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

func parseInt(s string) (int, error) { return strconv.Atoi(s) }

func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := unsupported(r); err != nil {
		return err
	}
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if q.Has("uploadId") && r.Method == http.MethodGet {
			return s.listParts(w, r, bucket, key)
		}
		return s.getObject(w, r, bucket, key)
	case http.MethodPut:
		switch {
		case q.Has("uploadId") && r.Header.Get("X-Amz-Copy-Source") != "":
			return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "UploadPartCopy is not implemented by the local cloud's S3; upload the part's bytes with UploadPart")
		case q.Has("uploadId"):
			return s.uploadPart(w, r, bucket, key)
		case r.Header.Get("X-Amz-Copy-Source") != "":
			return s.copyObject(w, r, bucket, key)
		}
		return s.putObject(w, r, bucket, key)
	case http.MethodDelete:
		if q.Has("uploadId") {
			if err := s.store.AbortMultipartUpload(r.Context(), bucket, key, q.Get("uploadId")); err != nil {
				return err
			}
		} else if err := s.store.DeleteObject(r.Context(), bucket, key); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return s.createMultipartUpload(w, r, bucket, key)
		case q.Has("uploadId"):
			return s.completeMultipartUpload(w, r, bucket, key)
		}
	}
	return methodNotAllowed(r)
}

// requestMetadata collects the object metadata sent with a PUT or a
// CreateMultipartUpload.
func requestMetadata(r *http.Request) Metadata {
	h := r.Header
	m := Metadata{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    storedContentEncoding(r),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	for name, values := range h {
		if n, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok && len(values) > 0 {
			if m.User == nil {
				m.User = map[string]string{}
			}
			m.User[n] = strings.Join(values, ",")
		}
	}
	return m
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	v, err := newVerifier(r)
	if err != nil {
		return err
	}
	meta := requestMetadata(r)
	info, err := s.store.PutObject(r.Context(), bucket, key, v, withChecksums(meta, v))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", info.ETag)
	echoChecksum(w, v)
	w.WriteHeader(http.StatusOK)
	return nil
}

// withChecksums arranges for meta to record the body's verified checksum:
// the verifier fills the map at the end of the body, before the store
// writes the object's metadata.
func withChecksums(meta Metadata, v *verifier) Metadata {
	if v.sum != nil {
		meta.Checksums = map[string]string{}
		v.into = meta.Checksums
	}
	return meta
}

func echoChecksum(w http.ResponseWriter, v *verifier) {
	if v.checksum != "" {
		w.Header().Set("X-Amz-Checksum-"+v.algo, v.checksum)
	}
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	obj, err := s.store.GetObject(r.Context(), bucket, key)
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	h := w.Header()
	m := obj.Metadata
	h.Set("ETag", obj.ETag)
	h.Set("Content-Type", m.ContentType)
	h.Set("Accept-Ranges", "bytes")
	for name, value := range map[string]string{
		"Content-Encoding": m.ContentEncoding, "Content-Disposition": m.ContentDisposition,
		"Content-Language": m.ContentLanguage, "Cache-Control": m.CacheControl, "Expires": m.Expires,
	} {
		if value != "" {
			h.Set(name, value)
		}
	}
	for n, v := range m.User {
		h.Set("X-Amz-Meta-"+n, v)
	}
	q := r.URL.Query()
	for param, header := range map[string]string{
		"response-content-type": "Content-Type", "response-content-disposition": "Content-Disposition",
		"response-content-encoding": "Content-Encoding", "response-content-language": "Content-Language",
		"response-cache-control": "Cache-Control", "response-expires": "Expires",
	} {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	// A checksum describes the whole object, so it is sent only with it.
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && r.Header.Get("Range") == "" {
		for algo, v := range m.Checksums {
			h.Set("X-Amz-Checksum-"+algo, v)
			h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
		}
	}
	http.ServeContent(w, r, "", obj.LastModified, obj.Body)
	return nil
}

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
	src, err := s.store.GetObject(r.Context(), srcBucket, srcKey)
	if err != nil {
		return s3Error(err, srcBucket, srcKey)
	}
	defer src.Body.Close()
	meta := src.Metadata
	if directive == "REPLACE" {
		meta = requestMetadata(r)
	}
	info, err := s.store.PutObject(r.Context(), bucket, key, src.Body, meta)
	if err != nil {
		return err
	}
	writeXML(w, copyObjectResult{Xmlns: s3NS, LastModified: xmlTime(info.LastModified), ETag: info.ETag})
	return nil
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

// readXMLBody reads and decodes a small XML request body, verifying any
// digest sent with it.
func readXMLBody(r *http.Request, v any) error {
	ver, err := newVerifier(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(ver, 4<<20))
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "MalformedXML", "the XML you provided was not well-formed or did not validate against the published schema: %v", err)
	}
	return nil
}

func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string) error {
	var req deleteRequest
	if err := readXMLBody(r, &req); err != nil {
		return err
	}
	if len(req.Objects) > 1000 {
		return awsproto.Errorf(http.StatusBadRequest, "MalformedXML", "a DeleteObjects request may name at most 1000 keys; it named %d", len(req.Objects))
	}
	if _, err := s.store.HeadBucket(r.Context(), bucket); err != nil {
		return err
	}
	res := deleteResult{Xmlns: s3NS}
	for _, o := range req.Objects {
		if err := s.store.DeleteObject(r.Context(), bucket, o.Key); err != nil {
			e := awsproto.AsError(s3Error(err, bucket, o.Key))
			res.Errors = append(res.Errors, deleteErrorElem{Key: o.Key, Code: e.Code, Message: e.Message})
		} else if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedElem{Key: o.Key})
		}
	}
	writeXML(w, res)
	return nil
}

func (s *Server) createMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	id, err := s.store.CreateMultipartUpload(r.Context(), bucket, key, requestMetadata(r))
	if err != nil {
		return err
	}
	if a := r.Header.Get("X-Amz-Checksum-Algorithm"); a != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", a)
	}
	writeXML(w, initiateMultipartUploadResult{Xmlns: s3NS, Bucket: bucket, Key: key, UploadID: id})
	return nil
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "partNumber %q must be an integer between 1 and %d", q.Get("partNumber"), MaxParts)
	}
	v, err := newVerifier(r)
	if err != nil {
		return err
	}
	part, err := s.store.UploadPart(r.Context(), bucket, key, q.Get("uploadId"), n, v)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", part.ETag)
	echoChecksum(w, v)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) completeMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	var req completeMultipartUpload
	if err := readXMLBody(r, &req); err != nil {
		return err
	}
	parts := make([]CompletedPart, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag}
	}
	info, err := s.store.CompleteMultipartUpload(r.Context(), bucket, key, r.URL.Query().Get("uploadId"), parts)
	if err != nil {
		return err
	}
	writeXML(w, completeMultipartUploadResult{
		Xmlns: s3NS, Location: "/" + bucket + "/" + key, Bucket: bucket, Key: key, ETag: info.ETag,
	})
	return nil
}

func (s *Server) listParts(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	id := r.URL.Query().Get("uploadId")
	parts, err := s.store.ListParts(r.Context(), bucket, key, id)
	if err != nil {
		return err
	}
	res := listPartsResult{Xmlns: s3NS, Bucket: bucket, Key: key, UploadID: id, MaxParts: MaxParts}
	for _, p := range parts {
		res.Parts = append(res.Parts, partElem{PartNumber: p.PartNumber, LastModified: xmlTime(p.LastModified), ETag: p.ETag, Size: p.Size})
	}
	writeXML(w, res)
	return nil
}
