package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// objectView is an object in a listing.
type objectView struct {
	Bucket   string     `json:"bucket"`
	Key      string     `json:"key"`
	Size     int64      `json:"size"`
	Modified *time.Time `json:"modified,omitempty"`
}

// buckets lists the buckets.
func (h *handler) buckets(r *http.Request) (any, error) {
	out, err := h.s3.ListBuckets(r.Context(), &awss3.ListBucketsInput{})
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	type bucketView struct {
		Name    string     `json:"name"`
		Created *time.Time `json:"created,omitempty"`
	}
	buckets := []bucketView{}
	for _, b := range out.Buckets {
		buckets = append(buckets, bucketView{Name: aws.ToString(b.Name), Created: b.CreationDate})
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Name < buckets[j].Name })
	return map[string]any{"buckets": buckets}, nil
}

// maxListed bounds one listing page of the console.
const maxListed = 1000

// objects lists one level of a bucket (?bucket=&prefix=): the common
// prefixes below prefix, as folders, and the objects directly in it.
func (h *handler) objects(r *http.Request) (any, error) {
	q := r.URL.Query()
	bucket, prefix := q.Get("bucket"), q.Get("prefix")
	if bucket == "" {
		return nil, badRequest("give the bucket as ?bucket=")
	}
	folders, objects := []string{}, []objectView{}
	truncated := false
	pg := awss3.NewListObjectsV2Paginator(h.s3, &awss3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	for pg.HasMorePages() {
		if len(folders)+len(objects) >= maxListed {
			truncated = true
			break
		}
		page, err := pg.NextPage(r.Context())
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, p := range page.CommonPrefixes {
			folders = append(folders, aws.ToString(p.Prefix))
		}
		for _, o := range page.Contents {
			objects = append(objects, objectView{Bucket: bucket, Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: o.LastModified})
		}
	}
	return map[string]any{"bucket": bucket, "prefix": prefix, "folders": folders, "objects": objects, "truncated": truncated}, nil
}

// Preview limits: the lines of a JSON Lines object shown, and the bytes of
// any object read for a preview.
const (
	previewLines = 20
	previewBytes = 256 << 10
)

// objectPreview is the object page: its metadata and its first lines, each
// pretty-printed when it is JSON.
type objectPreview struct {
	Bucket      string     `json:"bucket"`
	Key         string     `json:"key"`
	Size        int64      `json:"size"`
	ContentType string     `json:"contentType,omitempty"`
	Modified    *time.Time `json:"modified,omitempty"`
	// Lines are the first lines of a text object; JSON lines are indented.
	Lines []string `json:"lines"`
	// JSON tells whether every line shown is JSON.
	JSON bool `json:"json"`
	// Binary is set when the object is not text; nothing is shown.
	Binary    bool `json:"binary"`
	Truncated bool `json:"truncated"`
}

// object previews one object (?bucket=&key=).
func (h *handler) object(r *http.Request) (any, error) {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if bucket == "" || key == "" {
		return nil, badRequest("give the object as ?bucket=&key=")
	}
	obj, err := h.s3.GetObject(r.Context(), &awss3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String("bytes=0-" + strconv.Itoa(previewBytes-1)),
	})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer obj.Body.Close()
	head, err := io.ReadAll(obj.Body)
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	p := objectPreview{
		Bucket: bucket, Key: key, Size: objectSize(obj), ContentType: aws.ToString(obj.ContentType),
		Modified: obj.LastModified, Lines: []string{},
	}
	p.Lines, p.JSON, p.Binary, p.Truncated = previewText(head, int64(len(head)) < p.Size)
	return p, nil
}

// objectSize reads an object's whole size from a ranged GET's
// Content-Range ("bytes 0-99/1234").
func objectSize(obj *awss3.GetObjectOutput) int64 {
	if cr := aws.ToString(obj.ContentRange); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				return n
			}
		}
	}
	return aws.ToInt64(obj.ContentLength)
}

// previewText splits the start of an object into its first lines, indenting
// each JSON line. cut tells that head is not the whole object: its last,
// incomplete line is dropped, unless it is the only one.
func previewText(head []byte, cut bool) (lines []string, allJSON, binary, truncated bool) {
	if cut {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		} else {
			// One line longer than the preview: keep its whole characters.
			for n := 0; n < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); n++ {
				head = head[:len(head)-1]
			}
		}
	}
	if !utf8.Valid(head) || bytes.IndexByte(head, 0) >= 0 {
		return []string{}, false, true, cut
	}
	lines, allJSON, truncated = []string{}, true, cut
	for _, line := range bytes.Split(head, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(lines) == previewLines {
			truncated = true
			break
		}
		var out bytes.Buffer
		if json.Indent(&out, line, "", "  ") == nil {
			lines = append(lines, out.String())
			continue
		}
		allJSON = false
		lines = append(lines, string(line))
	}
	return lines, allJSON && len(lines) > 0, false, truncated
}

// download sends an object as an attachment (?bucket=&key=).
func (h *handler) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if bucket == "" || key == "" {
		writeError(w, http.StatusBadRequest, fmt.Errorf("give the object as ?bucket=&key="))
		return
	}
	obj, err := h.s3.GetObject(r.Context(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		writeError(w, statusOf(err), fmt.Errorf("get s3://%s/%s: %w", bucket, key, err))
		return
	}
	defer obj.Body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}))
	if obj.ContentLength != nil {
		w.Header().Set("Content-Length", strconv.FormatInt(*obj.ContentLength, 10))
	}
	_, _ = io.Copy(w, obj.Body)
}
