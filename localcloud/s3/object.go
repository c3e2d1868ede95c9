package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

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
			return s.uploadPartCopy(w, r, bucket, key)
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

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	meta, err := requestMetadata(r)
	if err != nil {
		return err
	}
	cond, err := writePrecondition(r)
	if err != nil {
		return err
	}
	v, err := newVerifier(r)
	if err != nil {
		return err
	}
	info, err := s.store.PutObject(r.Context(), bucket, key, v, withChecksums(meta, v), cond)
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

// getObject serves GetObject and HeadObject: conditional headers first,
// then a part (?partNumber=) or a Range, then the bytes.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	partNumber := 0
	if v := q.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxParts {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "partNumber %q must be an integer between 1 and %d", v, MaxParts).
				With("ArgumentName", "partNumber").With("ArgumentValue", v)
		}
		if r.Header.Get("Range") != "" {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "send either a Range header or ?partNumber=, not both")
		}
		partNumber = n
	}
	obj, err := s.store.GetObject(r.Context(), bucket, key)
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	h := w.Header()
	h.Set("ETag", obj.ETag)
	h.Set("Last-Modified", obj.LastModified.UTC().Format(http.TimeFormat))
	conds := getConditions(r.Header)
	switch status, failed := conds.evaluate(obj.ObjectInfo); status {
	case http.StatusPreconditionFailed:
		return conds.preconditionFailed(failed)
	case http.StatusNotModified:
		w.WriteHeader(http.StatusNotModified)
		return nil
	}

	m := obj.Metadata
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
		// Set directly: http.Header.Set would capitalise the name, and
		// SDKs return user metadata names as the server sends them.
		h["x-amz-meta-"+n] = []string{encodeMetadataValue(v)}
	}
	for param, header := range map[string]string{
		"response-content-type": "Content-Type", "response-content-disposition": "Content-Disposition",
		"response-content-encoding": "Content-Encoding", "response-content-language": "Content-Language",
		"response-cache-control": "Cache-Control", "response-expires": "Expires",
	} {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}

	whole := byteRange{0, obj.Size - 1}
	sel, partial := whole, false
	if partNumber > 0 {
		sel, err = partRange(m.PartSizes, partNumber, obj.Size)
		if err != nil {
			return err
		}
		partial = true
		if len(m.PartSizes) > 0 {
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(m.PartSizes)))
		}
	} else if rh := r.Header.Get("Range"); rh != "" {
		rng, ok, satisfiable := parseRange(rh, obj.Size)
		if ok && !satisfiable {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(obj.Size, 10))
			return invalidRange(rh, obj.Size)
		}
		if ok {
			sel, partial = rng, true
		}
	}
	// A checksum describes the whole object, so it is sent only with it.
	if !partial && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		for algo, v := range m.Checksums {
			h.Set("X-Amz-Checksum-"+algo, v)
			h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
		}
	}
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", sel.contentRange(obj.Size))
	}
	h.Set("Content-Length", strconv.FormatInt(max(sel.length(), 0), 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead || sel.length() <= 0 {
		return nil
	}
	if _, err := obj.Body.Seek(sel.start, io.SeekStart); err != nil {
		return nil
	}
	_, _ = io.CopyN(w, obj.Body, sel.length())
	return nil
}

// partRange is the byte range of part n of an object whose multipart
// upload joined parts of the given sizes; an object not made by a
// multipart upload is one part.
func partRange(sizes []int64, n int, size int64) (byteRange, error) {
	if len(sizes) == 0 {
		sizes = []int64{size}
	}
	if n > len(sizes) {
		return byteRange{}, awsproto.Errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber",
			"the requested part number %d is not satisfiable; the object has %d part(s)", n, len(sizes)).
			With("PartNumberRequested", strconv.Itoa(n)).With("ActualPartCount", strconv.Itoa(len(sizes)))
	}
	var start int64
	for _, sz := range sizes[:n-1] {
		start += sz
	}
	return byteRange{start, start + sizes[n-1] - 1}, nil
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
	return decodeXML(body, v)
}

// decodeXML decodes an XML request document, which must be the element v
// describes.
func decodeXML(body []byte, v any) error {
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
