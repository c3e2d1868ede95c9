package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// MaxParts is the highest part number S3 accepts.
const MaxParts = 10000

type uploadRecord struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Metadata  Metadata  `json:"metadata"`
	Initiated time.Time `json:"initiated"`
}

// partRecord names where a part's bytes are. A part's bytes are written
// before its record is replaced, so of two uploads of one part number the
// last to finish is the part, whole. They go at the end of the upload's
// data file (dataFile) when no other part is being written there, so that
// a client sending its parts one after the other, in order, has them
// there back to back and completing the upload moves that file into place
// instead of copying it; a part sent while another is being written gets
// a file of its own.
type partRecord struct {
	File    string `json:"file"`
	Offset  int64  `json:"offset,omitempty"` // in the data file
	ETag    string `json:"etag"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"modTimeNanos"`
}

// dataFile is the name of the file in an upload's directory that parts are
// appended to.
const dataFile = "data"

// completedRecord keeps what a completed upload made, for retries.
type completedRecord struct {
	ETag         string    `json:"etag"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
	Completed    time.Time `json:"completed"`
}

// completedFor is how long the result of a completed upload is kept for
// clients retrying CompleteMultipartUpload.
const completedFor = 24 * time.Hour

func (s *FileStore) uploadDir(id string) string { return filepath.Join(s.uploadsDir(), id) }

func partRecordFile(n int) string { return fmt.Sprintf("%05d%s", n, metaSuffix) }

// uploadLock serializes the changes to one upload's parts and its
// completion.
func (s *FileStore) uploadLock(id string) *sync.Mutex {
	m, _ := s.uploadLocks.LoadOrStore(id, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// appendLock is held while a part is written to the end of an upload's
// data file, and while its completion or abort uses that file.
func (s *FileStore) appendLock(id string) *sync.Mutex {
	m, _ := s.appendLocks.LoadOrStore(id, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// CreateMultipartUpload implements Storage.
func (s *FileStore) CreateMultipartUpload(_ context.Context, bucket, key string, meta Metadata) (string, error) {
	if err := s.checkBucket(bucket); err != nil {
		return "", err
	}
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	s.forgetCompleted()
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if err := os.MkdirAll(s.uploadDir(id), 0o755); err != nil {
		return "", fmt.Errorf("create multipart upload for s3://%s/%s: %w", bucket, key, err)
	}
	rec, _ := json.Marshal(uploadRecord{Bucket: bucket, Key: key, Metadata: meta, Initiated: time.Now().UTC()})
	if err := spool.WriteFileAtomic(filepath.Join(s.uploadDir(id), "upload.json"), rec); err != nil {
		return "", fmt.Errorf("create multipart upload for s3://%s/%s: %w", bucket, key, err)
	}
	return id, nil
}

// completion is an upload completed at a time.
type completion struct {
	id string
	at time.Time
}

// forgetCompleted removes the records of uploads completed more than
// completedFor ago. The directory is read once, at the first call; after
// that the store knows its completions in order and removes only the
// expired ones, so an upload costs the same however many were completed
// before it.
func (s *FileStore) forgetCompleted() {
	f := &s.forget
	f.Lock()
	defer f.Unlock()
	if !f.scanned {
		f.scanned = true
		entries, _ := os.ReadDir(s.uploadsDir())
		for _, e := range entries {
			if done, ok := s.completed(e.Name()); ok {
				f.done = append(f.done, completion{e.Name(), done.Completed})
			}
		}
		slices.SortFunc(f.done, func(a, b completion) int { return a.at.Compare(b.at) })
	}
	n := 0
	for n < len(f.done) && time.Since(f.done[n].at) > completedFor {
		_ = os.RemoveAll(s.uploadDir(f.done[n].id))
		n++
	}
	f.done = f.done[n:]
}

// completedNow adds an upload just completed to those forgetCompleted
// removes in time.
func (s *FileStore) completedNow(id string, at time.Time) {
	s.forget.Lock()
	defer s.forget.Unlock()
	if s.forget.scanned {
		s.forget.done = append(s.forget.done, completion{id, at})
	}
}

// completed returns the record of a completed upload.
func (s *FileStore) completed(id string) (completedRecord, bool) {
	var rec completedRecord
	b, err := os.ReadFile(filepath.Join(s.uploadDir(id), "completed.json"))
	return rec, err == nil && json.Unmarshal(b, &rec) == nil
}

// uploadRecordOf reads an upload's record (also of a completed upload) and
// checks it belongs to bucket/key.
func (s *FileStore) uploadRecordOf(bucket, key, id string) (*uploadRecord, error) {
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	notFound := fmt.Errorf("upload %q for s3://%s/%s: %w", id, bucket, key, ErrNoSuchUpload)
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return nil, notFound
	}
	b, err := os.ReadFile(filepath.Join(s.uploadDir(id), "upload.json"))
	if err != nil {
		return nil, notFound
	}
	var rec uploadRecord
	if json.Unmarshal(b, &rec) != nil || rec.Bucket != bucket || rec.Key != key {
		return nil, notFound
	}
	return &rec, nil
}

// upload reads the record of an upload in progress.
func (s *FileStore) upload(bucket, key, id string) (*uploadRecord, error) {
	rec, err := s.uploadRecordOf(bucket, key, id)
	if err != nil {
		return nil, err
	}
	if _, done := s.completed(id); done {
		return nil, fmt.Errorf("upload %q for s3://%s/%s was completed: %w", id, bucket, key, ErrNoSuchUpload)
	}
	return rec, nil
}

// UploadPart implements Storage.
func (s *FileStore) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, body io.Reader) (PartInfo, error) {
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return PartInfo{}, err
	}
	if n < 1 || n > MaxParts {
		return PartInfo{}, fmt.Errorf("part %d: %w", n, ErrInvalidPartNumber)
	}
	var rec partRecord
	err := errDataFileBusy
	if appending := s.appendLock(uploadID); appending.TryLock() {
		rec, err = s.appendPart(ctx, uploadID, body)
		appending.Unlock()
	}
	if errors.Is(err, errDataFileBusy) {
		rec, err = s.writePartFile(ctx, uploadID, n, body)
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = ErrNoSuchUpload // aborted meanwhile
	}
	if err != nil {
		return PartInfo{}, fmt.Errorf("upload part %d: %w", n, err)
	}
	if err := s.setPart(bucket, key, uploadID, n, rec); err != nil {
		if rec.File != dataFile {
			_ = os.Remove(filepath.Join(s.uploadDir(uploadID), rec.File))
		}
		return PartInfo{}, err
	}
	return PartInfo{PartNumber: n, Size: rec.Size, ETag: rec.ETag, LastModified: time.Unix(0, rec.ModTime).UTC()}, nil
}

// appendPart writes a part's bytes at the end of the upload's data file;
// the caller holds its append lock. On error the file is cut back.
func (s *FileStore) appendPart(ctx context.Context, uploadID string, body io.Reader) (partRecord, error) {
	f, err := os.OpenFile(filepath.Join(s.uploadDir(uploadID), dataFile), os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return partRecord{}, err
	}
	fi, err := f.Stat()
	if err == nil && linkedElsewhere(fi) {
		err = errDataFileBusy // also an object's file, after a crash mid-completion
	}
	var offset int64
	if err == nil {
		offset, err = f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		f.Close()
		return partRecord{}, err
	}
	size, sum, err := copyHashed(ctx, f, body)
	if err != nil {
		_ = f.Truncate(offset)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return partRecord{}, err
	}
	return partRecord{File: dataFile, Offset: offset, ETag: quotedETag(sum), Size: size, ModTime: time.Now().UnixNano()}, nil
}

// errDataFileBusy says a part cannot go into the upload's data file.
var errDataFileBusy = errors.New("the upload's data file is in use")

// linkedElsewhere reports whether a file has more than one name.
func linkedElsewhere(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}

// writePartFile writes a part's bytes to a file of their own.
func (s *FileStore) writePartFile(ctx context.Context, uploadID string, n int, body io.Reader) (partRecord, error) {
	path, sum, err := writeTemp(ctx, s.uploadDir(uploadID), fmt.Sprintf("part-%05d-*", n), body)
	if err != nil {
		return partRecord{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		_ = os.Remove(path)
		return partRecord{}, err
	}
	return partRecord{File: filepath.Base(path), ETag: quotedETag(sum), Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}, nil
}

// setPart makes rec part n of the upload, removing the bytes of the part it
// replaces.
func (s *FileStore) setPart(bucket, key, uploadID string, n int, rec partRecord) error {
	mu := s.uploadLock(uploadID)
	mu.Lock()
	defer mu.Unlock()
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return err
	}
	dir := s.uploadDir(uploadID)
	old, hadOld := s.partRecord(uploadID, n)
	b, _ := json.Marshal(rec)
	if err := spool.WriteFileAtomic(filepath.Join(dir, partRecordFile(n)), b); err != nil {
		return fmt.Errorf("upload part %d: %w", n, err)
	}
	if hadOld && old.File != rec.File && old.File != dataFile {
		_ = os.Remove(filepath.Join(dir, old.File))
	}
	return nil
}

func (s *FileStore) partRecord(uploadID string, n int) (partRecord, bool) {
	var rec partRecord
	b, err := os.ReadFile(filepath.Join(s.uploadDir(uploadID), partRecordFile(n)))
	if err != nil || json.Unmarshal(b, &rec) != nil || strings.ContainsAny(rec.File, `/\`) {
		return partRecord{}, false
	}
	return rec, true
}

// ListParts implements Storage.
func (s *FileStore) ListParts(_ context.Context, bucket, key, uploadID string) ([]PartInfo, error) {
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.uploadDir(uploadID))
	if err != nil {
		return nil, fmt.Errorf("list parts: %w", err)
	}
	var parts []PartInfo
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), metaSuffix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		if p, _, ok := s.part(uploadID, n); ok {
			parts = append(parts, p)
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	return parts, nil
}

// part describes part n of an upload, with the record of where its bytes
// are, if it is there and whole.
func (s *FileStore) part(uploadID string, n int) (PartInfo, partRecord, bool) {
	rec, ok := s.partRecord(uploadID, n)
	if !ok {
		return PartInfo{}, partRecord{}, false
	}
	fi, err := os.Stat(filepath.Join(s.uploadDir(uploadID), rec.File))
	switch {
	case err != nil:
		return PartInfo{}, partRecord{}, false
	case rec.File == dataFile && fi.Size() < rec.Offset+rec.Size:
		return PartInfo{}, partRecord{}, false
	case rec.File != dataFile && (fi.Size() != rec.Size || fi.ModTime().UnixNano() != rec.ModTime):
		return PartInfo{}, partRecord{}, false
	}
	return PartInfo{PartNumber: n, Size: rec.Size, ETag: rec.ETag, LastModified: time.Unix(0, rec.ModTime).UTC()}, rec, true
}

// ListMultipartUploads implements Storage.
func (s *FileStore) ListMultipartUploads(_ context.Context, bucket string) ([]UploadInfo, error) {
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.uploadsDir())
	if err != nil {
		return nil, fmt.Errorf("list multipart uploads: %w", err)
	}
	var out []UploadInfo
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(s.uploadDir(e.Name()), "upload.json"))
		var rec uploadRecord
		if err != nil || json.Unmarshal(b, &rec) != nil || rec.Bucket != bucket {
			continue
		}
		if _, done := s.completed(e.Name()); done {
			continue
		}
		out = append(out, UploadInfo{Key: rec.Key, UploadID: e.Name(), Initiated: rec.Initiated})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Initiated.Before(out[j].Initiated)
	})
	return out, nil
}

// CompleteMultipartUpload implements Storage. The object's ETag is the MD5
// of the parts' MD5s followed by "-" and the number of parts, as in S3.
func (s *FileStore) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, cond Precondition) (ObjectInfo, error) {
	rec, err := s.uploadRecordOf(bucket, key, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	mu := s.uploadLock(uploadID)
	mu.Lock()
	defer mu.Unlock()
	if done, ok := s.completed(uploadID); ok {
		return ObjectInfo{Key: key, Size: done.Size, ETag: done.ETag, LastModified: done.LastModified, Metadata: rec.Metadata}, nil
	}
	if len(parts) == 0 {
		return ObjectInfo{}, ErrMalformedPartList
	}
	infos := make([]PartInfo, len(parts))
	recs := make([]partRecord, len(parts))
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return ObjectInfo{}, fmt.Errorf("part %d after part %d: %w", p.PartNumber, parts[i-1].PartNumber, ErrInvalidPartOrder)
		}
		info, pr, ok := s.part(uploadID, p.PartNumber)
		if !ok || strings.Trim(info.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return ObjectInfo{}, fmt.Errorf("part %d with ETag %s: %w", p.PartNumber, p.ETag, ErrInvalidPart)
		}
		if i < len(parts)-1 && info.Size < s.MinPartSize {
			return ObjectInfo{}, fmt.Errorf("part %d is %d bytes, the minimum is %d: %w", p.PartNumber, info.Size, s.MinPartSize, ErrEntityTooSmall)
		}
		infos[i], recs[i], sizes[i] = info, pr, info.Size
	}
	if err := s.checkWrite(bucket, key, cond); err != nil {
		return ObjectInfo{}, err
	}
	appending := s.appendLock(uploadID)
	appending.Lock()
	defer appending.Unlock()
	tmp, err := s.joinParts(ctx, uploadID, recs)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("complete upload of s3://%s/%s: %w", bucket, key, err)
	}
	sums := md5.New()
	for _, info := range infos {
		raw, _ := hex.DecodeString(strings.Trim(info.ETag, `"`))
		sums.Write(raw)
	}
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(parts))
	meta := rec.Metadata
	meta.PartSizes = sizes
	info, err := s.commit(bucket, key, tmp, etag, meta, cond)
	if err != nil {
		return ObjectInfo{}, err
	}
	s.finish(uploadID, completedRecord{ETag: info.ETag, Size: info.Size, LastModified: info.LastModified, Completed: time.Now().UTC()})
	return info, nil
}

// finish records a completed upload's result and removes its parts.
func (s *FileStore) finish(uploadID string, done completedRecord) {
	dir := s.uploadDir(uploadID)
	b, _ := json.Marshal(done)
	if spool.WriteFileAtomic(filepath.Join(dir, "completed.json"), b) != nil {
		_ = os.RemoveAll(dir)
		return
	}
	s.completedNow(uploadID, done.Completed)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "completed.json" && e.Name() != "upload.json" {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// joinParts returns a new file holding the parts' bytes in order. When the
// parts are exactly the upload's data file, back to back from its start,
// the file is a second link to the data file and no byte is copied; the
// data file itself stays until the upload is finished, so a completion
// that fails leaves every part in place. The caller holds the upload's
// locks.
func (s *FileStore) joinParts(ctx context.Context, uploadID string, recs []partRecord) (string, error) {
	dir := s.uploadDir(uploadID)
	var end int64
	for _, r := range recs {
		if r.File != dataFile || r.Offset != end {
			end = -1
			break
		}
		end += r.Size
	}
	if end >= 0 {
		if fi, err := os.Stat(filepath.Join(dir, dataFile)); err == nil && fi.Size() == end {
			tmp := filepath.Join(s.tmpDir(), "mpu-"+uploadID)
			_ = os.Remove(tmp)
			if err := os.Link(filepath.Join(dir, dataFile), tmp); err == nil {
				return tmp, nil
			}
		}
	}
	f, err := os.CreateTemp(s.tmpDir(), "mpu-*")
	if err != nil {
		return "", err
	}
	for _, r := range recs {
		if err = appendPart(ctx, f, filepath.Join(dir, r.File), r.Offset, r.Size); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// appendPart copies size bytes at offset of the file at path to the end of
// dst (with copy_file_range where the system has it).
func appendPart(ctx context.Context, dst *os.File, path string, offset, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	n, err := io.Copy(dst, io.LimitReader(src, size))
	if err == nil && n != size {
		err = fmt.Errorf("%s holds %d bytes of a %d-byte part", filepath.Base(path), n, size)
	}
	return err
}

// AbortMultipartUpload implements Storage.
func (s *FileStore) AbortMultipartUpload(_ context.Context, bucket, key, uploadID string) error {
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return err
	}
	mu := s.uploadLock(uploadID)
	mu.Lock()
	defer mu.Unlock()
	defer s.uploadLocks.Delete(uploadID)
	appending := s.appendLock(uploadID)
	appending.Lock()
	defer appending.Unlock()
	defer s.appendLocks.Delete(uploadID)
	if err := os.RemoveAll(s.uploadDir(uploadID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abort upload %s: %w", uploadID, err)
	}
	return nil
}
