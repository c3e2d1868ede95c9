package s3

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

func (s *Server) createMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	meta, err := requestMetadata(r)
	if err != nil {
		return err
	}
	id, err := s.store.CreateMultipartUpload(r.Context(), bucket, key, meta)
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
	cond, err := writePrecondition(r)
	if err != nil {
		return err
	}
	var req completeMultipartUpload
	if err := readXMLBody(r, &req); err != nil {
		return err
	}
	parts := make([]CompletedPart, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag}
	}
	info, err := s.store.CompleteMultipartUpload(r.Context(), bucket, key, r.URL.Query().Get("uploadId"), parts, cond)
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

// listMultipartUploads serves ListMultipartUploads, with S3's prefix,
// delimiter, key-marker/upload-id-marker paging and max-uploads.
func (s *Server) listMultipartUploads(w http.ResponseWriter, r *http.Request, bucket string) error {
	q := r.URL.Query()
	maxUploads := 1000
	if v := q.Get("max-uploads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return awsproto.Errorf(http.StatusBadRequest, "InvalidArgument", "max-uploads %q must be a non-negative integer", v)
		}
		maxUploads = min(n, 1000)
	}
	if err := checkEncodingType(q); err != nil {
		return err
	}
	uploads, err := s.store.ListMultipartUploads(r.Context(), bucket)
	if err != nil {
		return err
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	res := listMultipartUploadsResult{
		Xmlns: s3NS, Bucket: bucket, KeyMarker: maybeEncode(q, keyMarker), UploadIDMarker: idMarker,
		Prefix: maybeEncode(q, prefix), Delimiter: maybeEncode(q, delim), MaxUploads: maxUploads, EncodingType: q.Get("encoding-type"),
	}
	// Uploads come sorted by key, then by initiation. The page starts
	// after the marker: after every upload of key-marker, or only after
	// upload-id-marker among them; a key-marker that is a common prefix
	// skips every key under it.
	started := keyMarker == ""
	count, lastPrefix := 0, ""
	for _, u := range uploads {
		if !strings.HasPrefix(u.Key, prefix) {
			continue
		}
		if !started {
			switch {
			case u.Key < keyMarker:
				continue
			case u.Key == keyMarker:
				started = idMarker != "" && u.UploadID == idMarker
				continue
			case delim != "" && strings.HasSuffix(keyMarker, delim) && strings.HasPrefix(u.Key, keyMarker):
				continue
			}
			started = true
		}
		if delim != "" {
			if i := strings.Index(u.Key[len(prefix):], delim); i >= 0 {
				cp := u.Key[:len(prefix)+i+len(delim)]
				if cp == lastPrefix {
					continue
				}
				if count == maxUploads {
					res.IsTruncated = true
					break
				}
				res.CommonPrefixes = append(res.CommonPrefixes, prefixElem{Prefix: maybeEncode(q, cp)})
				lastPrefix = cp
				res.NextKeyMarker, res.NextUploadIDMarker = maybeEncode(q, cp), ""
				count++
				continue
			}
		}
		if count == maxUploads {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, uploadElem{
			Key: maybeEncode(q, u.Key), UploadID: u.UploadID, Initiator: localOwner, Owner: localOwner,
			StorageClass: "STANDARD", Initiated: xmlTime(u.Initiated),
		})
		res.NextKeyMarker, res.NextUploadIDMarker = maybeEncode(q, u.Key), u.UploadID
		count++
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	writeXML(w, res)
	return nil
}
