package s3

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// FileStore is a Storage that keeps objects as plain files; see the package
// documentation for the layout. Files dropped into <data>/s3/<bucket>/ by
// hand are objects too (with an ETag derived from size and modification
// time, since they have no sidecar).
type FileStore struct {
	objects string // <data>/s3
	meta    string // <data>/s3meta

	// MinPartSize is the smallest size allowed for a multipart upload's
	// parts other than the last: 5 MiB, as in S3.
	MinPartSize int64

	// mu is held for writing while a file and its sidecar are moved into
	// place (and empty directories pruned), and for reading while both are
	// opened, so readers see a matching pair.
	mu sync.RWMutex
	// uploadLocks holds a *sync.Mutex per multipart upload id.
	uploadLocks sync.Map
	// appendLocks holds a *sync.Mutex per multipart upload id: see
	// appendLock.
	appendLocks sync.Map

	// forget is what forgetCompleted works through.
	forget struct {
		sync.Mutex
		// scanned is set once the directory's uploads were looked at.
		scanned bool
		// done are the completed uploads whose records are kept, oldest
		// first.
		done []completion
	}
}

var _ Storage = (*FileStore)(nil)

// NewFileStore opens (creating if needed) a store in dataDir.
func NewFileStore(dataDir string) (*FileStore, error) {
	s := &FileStore{
		objects:     filepath.Join(dataDir, "s3"),
		meta:        filepath.Join(dataDir, "s3meta"),
		MinPartSize: 5 << 20,
	}
	for _, d := range []string{s.objects, s.tmpDir(), s.uploadsDir(), s.bucketsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("open S3 store in %s: %w", dataDir, err)
		}
	}
	return s, nil
}

// Root is the directory holding one subdirectory per bucket.
func (s *FileStore) Root() string { return s.objects }

// ObjectPath is the file that holds an object's bytes: usually
// <data>/s3/<bucket>/<key>; see the package documentation for the keys
// that are kept elsewhere.
func (s *FileStore) ObjectPath(bucket, key string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.objectFile(bucket, key)
}

// objectFile is where the object with key is, or would be written now:
// inside its "directory" when other keys start with key + "/".
func (s *FileStore) objectFile(bucket, key string) string {
	p := filepath.Join(s.objects, bucket, keyPath(key))
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return filepath.Join(p, objName)
	}
	return p
}

func (s *FileStore) tmpDir() string     { return filepath.Join(s.meta, ".tmp") }
func (s *FileStore) uploadsDir() string { return filepath.Join(s.meta, ".uploads") }
func (s *FileStore) bucketsDir() string { return filepath.Join(s.meta, ".buckets") }
func (s *FileStore) metaPath(bucket, key string) string {
	return filepath.Join(s.meta, bucket, metaKeyPath(key)+metaSuffix)
}

// sidecar is the JSON kept next to each object. Size and ModTime identify
// the file it describes: if the file was replaced behind the store's back,
// the sidecar is ignored.
type sidecar struct {
	Metadata
	ETag    string `json:"etag"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"modTimeNanos"`
}

type bucketRecord struct {
	CreationDate time.Time  `json:"creationDate"`
	CORS         []CORSRule `json:"cors,omitempty"`
}

// --- buckets ---

// CreateBucket implements Storage.
func (s *FileStore) CreateBucket(_ context.Context, bucket string) error {
	if err := ValidateBucketName(bucket); err != nil {
		return err
	}
	err := os.Mkdir(filepath.Join(s.objects, bucket), 0o755)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create bucket %s: %w", bucket, ErrBucketAlreadyOwned)
	}
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	rec, _ := json.Marshal(bucketRecord{CreationDate: time.Now().UTC()})
	return spool.WriteFileAtomic(filepath.Join(s.bucketsDir(), bucket), rec)
}

// HeadBucket implements Storage.
func (s *FileStore) HeadBucket(_ context.Context, bucket string) (BucketInfo, error) {
	if err := s.checkBucket(bucket); err != nil {
		return BucketInfo{}, err
	}
	return s.bucketInfo(bucket), nil
}

// BucketCORS implements Storage.
func (s *FileStore) BucketCORS(_ context.Context, bucket string) ([]CORSRule, error) {
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	rec, _ := s.readBucketRecord(bucket)
	return rec.CORS, nil
}

// SetBucketCORS implements Storage.
func (s *FileStore) SetBucketCORS(_ context.Context, bucket string, rules []CORSRule) error {
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.readBucketRecord(bucket)
	if !ok {
		rec.CreationDate = s.bucketInfo(bucket).CreationDate
	}
	rec.CORS = rules
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("bucket %s: CORS configuration: %w", bucket, err)
	}
	return spool.WriteFileAtomic(filepath.Join(s.bucketsDir(), bucket), b)
}

// readBucketRecord reads a bucket's record; ok is false when it has none
// (a bucket made by hand, as a directory) or it cannot be read.
func (s *FileStore) readBucketRecord(bucket string) (rec bucketRecord, ok bool) {
	b, err := os.ReadFile(filepath.Join(s.bucketsDir(), bucket))
	if err != nil || json.Unmarshal(b, &rec) != nil {
		return bucketRecord{}, false
	}
	return rec, true
}

func (s *FileStore) bucketInfo(bucket string) BucketInfo {
	info := BucketInfo{Name: bucket}
	if rec, ok := s.readBucketRecord(bucket); ok {
		info.CreationDate = rec.CreationDate
	} else if fi, err := os.Stat(filepath.Join(s.objects, bucket)); err == nil {
		info.CreationDate = fi.ModTime().UTC()
	}
	return info
}

// checkBucket reports ErrNoSuchBucket unless bucket exists. Names that are
// not valid bucket names never exist, which also keeps paths inside the
// store.
func (s *FileStore) checkBucket(bucket string) error {
	if ValidateBucketName(bucket) != nil {
		return fmt.Errorf("bucket %q: %w", bucket, ErrNoSuchBucket)
	}
	fi, err := os.Stat(filepath.Join(s.objects, bucket))
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	return nil
}

// ListBuckets implements Storage.
func (s *FileStore) ListBuckets(context.Context) ([]BucketInfo, error) {
	entries, err := os.ReadDir(s.objects)
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	var out []BucketInfo
	for _, e := range entries {
		if e.IsDir() && ValidateBucketName(e.Name()) == nil {
			out = append(out, s.bucketInfo(e.Name()))
		}
	}
	return out, nil
}

// DeleteBucket implements Storage.
func (s *FileStore) DeleteBucket(_ context.Context, bucket string) error {
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Join(s.objects, bucket)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("delete bucket %s: %w", bucket, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("delete bucket %s: %w; delete its objects first", bucket, ErrBucketNotEmpty)
	}
	if err := os.Remove(dir); err != nil {
		return fmt.Errorf("delete bucket %s: %w", bucket, err)
	}
	_ = os.RemoveAll(filepath.Join(s.meta, bucket))
	_ = os.Remove(filepath.Join(s.bucketsDir(), bucket))
	return nil
}

// --- objects ---

// PutObject implements Storage. Everything that can be refused is checked
// before the body is read, and the precondition again when the object is
// moved into place.
func (s *FileStore) PutObject(ctx context.Context, bucket, key string, body io.Reader, meta Metadata, cond Precondition) (ObjectInfo, error) {
	if err := s.checkWrite(bucket, key, cond); err != nil {
		return ObjectInfo{}, err
	}
	tmp, sum, err := writeTemp(ctx, s.tmpDir(), "obj-*", body)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return s.commit(bucket, key, tmp, quotedETag(sum), meta, cond)
}

// checkWrite refuses a write to bucket/key that cannot succeed.
func (s *FileStore) checkWrite(bucket, key string, cond Precondition) error {
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.checkCondition(bucket, key, cond)
}

// checkCondition evaluates cond against the object now stored under key.
// The caller holds s.mu.
func (s *FileStore) checkCondition(bucket, key string, cond Precondition) error {
	if cond.IfMatch == "" && cond.IfNoneMatch == "" {
		return nil
	}
	info, err := s.head(bucket, key)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNoSuchKey) {
		return err
	}
	if cond.IfMatch != "" {
		if !exists {
			return err
		}
		if !ETagMatches(cond.IfMatch, info.ETag) {
			return fmt.Errorf("s3://%s/%s: If-Match %s, the object's ETag is %s: %w", bucket, key, cond.IfMatch, info.ETag, ErrPreconditionFailed)
		}
	}
	if cond.IfNoneMatch != "" && exists && ETagMatches(cond.IfNoneMatch, info.ETag) {
		return fmt.Errorf("s3://%s/%s: If-None-Match %s, and the object exists: %w", bucket, key, cond.IfNoneMatch, ErrPreconditionFailed)
	}
	return nil
}

// ETagMatches reports whether an If-Match or If-None-Match header value (a
// list of ETags, quoted or not, or "*") names etag.
func ETagMatches(header, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || strings.Trim(v, `"`) == want {
			return true
		}
	}
	return false
}

// writeTemp copies body into a new file in dir, named after pattern as
// os.CreateTemp names it, and returns its path and the MD5 of its content.
// On error nothing is left behind.
func writeTemp(ctx context.Context, dir, pattern string, body io.Reader) (string, []byte, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", nil, err
	}
	_, sum, err := copyHashed(ctx, f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", nil, err
	}
	return f.Name(), sum, nil
}

// copyHashed copies body to w until body ends or ctx does, and returns the
// bytes copied and their MD5.
func copyHashed(ctx context.Context, w io.Writer, body io.Reader) (int64, []byte, error) {
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(w, h), ctxReader{ctx, body})
	return n, h.Sum(nil), err
}

// quotedETag is the ETag of bytes whose MD5 is sum.
func quotedETag(sum []byte) string { return `"` + hex.EncodeToString(sum) + `"` }

// commit moves a finished temporary file into place as bucket/key, with its
// sidecar, if cond still holds. The sidecar is written first: it names the
// file's size and modification time, so until the file is in place it
// describes nothing.
func (s *FileStore) commit(bucket, key, tmp, etag string, meta Metadata, cond Precondition) (ObjectInfo, error) {
	fail := func(err error) (ObjectInfo, error) {
		_ = os.Remove(tmp)
		return ObjectInfo{}, fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return fail(err)
	}
	sc := sidecar{Metadata: meta, ETag: etag, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	scBytes, _ := json.Marshal(sc)
	mdst := s.metaPath(bucket, key)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBucket(bucket); err != nil {
		return fail(err)
	}
	if err := s.checkCondition(bucket, key, cond); err != nil {
		return fail(err)
	}
	root := filepath.Join(s.objects, bucket)
	if err := s.makeDirs(root, filepath.Dir(keyPath(key))); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(mdst), 0o755); err != nil {
		return fail(err)
	}
	if err := spool.WriteFileAtomic(mdst, scBytes); err != nil {
		return fail(fmt.Errorf("writing metadata: %w", err))
	}
	if err := os.Rename(tmp, s.objectFile(bucket, key)); err != nil {
		return fail(err)
	}
	return s.info(key, fi, &sc), nil
}

// makeDirs makes the directories of rel (a relative path under root),
// moving an object that is in the way into the directory that replaces
// it, as <dir>/%obj. The caller holds s.mu for writing.
func (s *FileStore) makeDirs(root, rel string) error {
	if rel == "." {
		return nil
	}
	dir := root
	for _, name := range strings.Split(rel, string(filepath.Separator)) {
		dir = filepath.Join(dir, name)
		fi, err := os.Lstat(dir)
		switch {
		case err == nil && fi.IsDir():
			continue
		case err == nil:
			if err := s.fileToDir(dir); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// fileToDir turns the object file at path into the directory path holding
// it as %obj.
func (s *FileStore) fileToDir(path string) error {
	tmp := filepath.Join(s.tmpDir(), "move-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(path, tmp); err != nil {
		return err
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		_ = os.Rename(tmp, path)
		return err
	}
	return os.Rename(tmp, filepath.Join(path, objName))
}

// GetObject implements Storage.
func (s *FileStore) GetObject(_ context.Context, bucket, key string) (*Object, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, err := os.Open(s.objectFile(bucket, key))
	if err != nil {
		return nil, s.missing(bucket, key)
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		_ = f.Close()
		return nil, s.missing(bucket, key)
	}
	return &Object{ObjectInfo: s.info(key, fi, s.readSidecar(bucket, key)), Body: f}, nil
}

// HeadObject implements Storage.
func (s *FileStore) HeadObject(_ context.Context, bucket, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.head(bucket, key)
}

// head describes an object; the caller holds s.mu.
func (s *FileStore) head(bucket, key string) (ObjectInfo, error) {
	fi, err := os.Stat(s.objectFile(bucket, key))
	if err != nil || fi.IsDir() {
		return ObjectInfo{}, s.missing(bucket, key)
	}
	return s.info(key, fi, s.readSidecar(bucket, key)), nil
}

func (s *FileStore) missing(bucket, key string) error {
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	return fmt.Errorf("s3://%s/%s: %w", bucket, key, ErrNoSuchKey)
}

func (s *FileStore) readSidecar(bucket, key string) *sidecar {
	b, err := os.ReadFile(s.metaPath(bucket, key))
	if err != nil {
		return nil
	}
	var sc sidecar
	if json.Unmarshal(b, &sc) != nil {
		return nil
	}
	return &sc
}

// info describes a file, using its sidecar when the sidecar matches it.
func (s *FileStore) info(key string, fi os.FileInfo, sc *sidecar) ObjectInfo {
	info := ObjectInfo{Key: key, Size: fi.Size(), LastModified: fi.ModTime().UTC()}
	if sc != nil && sc.Size == fi.Size() && sc.ModTime == fi.ModTime().UnixNano() {
		info.ETag = sc.ETag
		info.Metadata = sc.Metadata
	} else {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", fi.Size(), fi.ModTime().UnixNano()))
		info.ETag = `"` + hex.EncodeToString(sum[:16]) + `"`
	}
	if info.Metadata.ContentType == "" {
		info.Metadata.ContentType = guessContentType(key)
	}
	return info
}

func guessContentType(key string) string {
	if t := mime.TypeByExtension(filepath.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// DeleteObject implements Storage.
func (s *FileStore) DeleteObject(_ context.Context, bucket, key string) error {
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dst := s.objectFile(bucket, key)
	if fi, err := os.Stat(dst); err != nil || fi.IsDir() {
		return nil
	}
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete s3://%s/%s: %w", bucket, key, err)
	}
	_ = os.Remove(s.metaPath(bucket, key))
	s.prune(filepath.Dir(dst), filepath.Join(s.objects, bucket))
	prune(filepath.Dir(s.metaPath(bucket, key)), filepath.Join(s.meta, bucket))
	return nil
}

// prune removes empty directories from dir up to, not including, root: S3
// has no directories, so none should outlive the last key under them. A
// directory left holding only the object of its own key (%obj) turns back
// into that object's file. The caller holds s.mu for writing.
func (s *FileStore) prune(dir, root string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			if onlyObject(dir) {
				_ = s.dirToFile(dir)
			}
			return
		}
		dir = filepath.Dir(dir)
	}
}

// onlyObject reports whether dir holds nothing but %obj.
func onlyObject(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	names, _ := d.Readdirnames(2)
	return len(names) == 1 && names[0] == objName
}

func (s *FileStore) dirToFile(dir string) error {
	tmp := filepath.Join(s.tmpDir(), "move-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(filepath.Join(dir, objName), tmp); err != nil {
		return err
	}
	if err := os.Remove(dir); err != nil {
		return os.Rename(tmp, filepath.Join(dir, objName))
	}
	return os.Rename(tmp, dir)
}

// prune removes empty directories from dir up to, not including, root.
func prune(dir, root string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// --- listing ---

type listed struct {
	key string
	// d is read (a stat) only for the keys of the page returned, so that
	// paging through 100,000 objects does not stat every one per page.
	d fs.DirEntry
}

// ListObjects implements Storage. It walks only the directory named by the
// prefix's complete segments.
func (s *FileStore) ListObjects(ctx context.Context, bucket string, opts ListOptions) (*ListPage, error) {
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 1000
	}
	root := filepath.Join(s.objects, bucket)
	start := root
	if i := strings.LastIndex(opts.Prefix, "/"); i >= 0 {
		start = filepath.Join(root, keyPath(opts.Prefix[:i]))
	}
	var all []listed
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil
		}
		key, ok := pathKey(filepath.ToSlash(rel))
		if !ok || !strings.HasPrefix(key, opts.Prefix) {
			return nil
		}
		all = append(all, listed{key, d})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, opts.Prefix, err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	page := paginate(all, opts)
	objects := page.Objects[:0]
	for _, o := range page.Objects {
		fi, err := findEntry(all, o.Key).Info()
		if err != nil {
			continue // removed since the walk
		}
		objects = append(objects, s.info(o.Key, fi, s.readSidecar(bucket, o.Key)))
	}
	page.Objects = objects
	return page, nil
}

func findEntry(all []listed, key string) fs.DirEntry {
	i := sort.Search(len(all), func(i int) bool { return all[i].key >= key })
	return all[i].d
}

// paginate applies S3's listing rules to keys sorted in key order.
func paginate(all []listed, opts ListOptions) *ListPage {
	page := &ListPage{}
	count, lastPrefix := 0, ""
	for _, e := range all {
		if opts.After != "" && (e.key <= opts.After || opts.AfterPrefix && strings.HasPrefix(e.key, opts.After)) {
			continue
		}
		if opts.Delimiter != "" {
			rest := e.key[len(opts.Prefix):]
			if i := strings.Index(rest, opts.Delimiter); i >= 0 {
				cp := opts.Prefix + rest[:i+len(opts.Delimiter)]
				if cp == lastPrefix {
					continue
				}
				if count == opts.MaxKeys {
					page.IsTruncated = true
					break
				}
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				lastPrefix, page.Next, page.NextIsPrefix = cp, cp, true
				count++
				continue
			}
		}
		if count == opts.MaxKeys {
			page.IsTruncated = true
			break
		}
		page.Objects = append(page.Objects, ObjectInfo{Key: e.key})
		page.Next, page.NextIsPrefix = e.key, false
		count++
	}
	return page
}

// ctxReader stops reading once ctx is done, so an abandoned upload stops.
// A failure of the body itself comes first: a client that sent a malformed
// body and closed its side (which cancels ctx) learns what was wrong.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == nil {
		err = c.ctx.Err()
	}
	return n, err
}
