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
	"sort"
	"strconv"
	"strings"
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

type partRecord struct {
	ETag    string `json:"etag"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"modTimeNanos"`
}

func (s *FileStore) uploadDir(id string) string { return filepath.Join(s.uploadsDir(), id) }

func partFile(n int) string { return fmt.Sprintf("%05d", n) }

// CreateMultipartUpload implements Storage.
func (s *FileStore) CreateMultipartUpload(_ context.Context, bucket, key string, meta Metadata) (string, error) {
	if err := s.checkBucket(bucket); err != nil {
		return "", err
	}
	if err := ValidateKey(key); err != nil {
		return "", err
	}
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

// upload reads an upload's record and checks it belongs to bucket/key.
func (s *FileStore) upload(bucket, key, id string) (*uploadRecord, error) {
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

// UploadPart implements Storage.
func (s *FileStore) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, body io.Reader) (PartInfo, error) {
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return PartInfo{}, err
	}
	if n < 1 || n > MaxParts {
		return PartInfo{}, fmt.Errorf("part %d: %w", n, ErrInvalidPartNumber)
	}
	dir := s.uploadDir(uploadID)
	f, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return PartInfo{}, fmt.Errorf("upload part %d: %w", n, err)
	}
	h := md5.New()
	_, err = io.Copy(io.MultiWriter(f, h), ctxReader{ctx, body})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, partFile(n)))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return PartInfo{}, fmt.Errorf("upload part %d: %w", n, err)
	}
	fi, err := os.Stat(filepath.Join(dir, partFile(n)))
	if err != nil {
		return PartInfo{}, fmt.Errorf("upload part %d: %w", n, err)
	}
	rec := partRecord{ETag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	b, _ := json.Marshal(rec)
	if err := spool.WriteFileAtomic(filepath.Join(dir, partFile(n)+metaSuffix), b); err != nil {
		return PartInfo{}, fmt.Errorf("upload part %d: %w", n, err)
	}
	return PartInfo{PartNumber: n, Size: rec.Size, ETag: rec.ETag, LastModified: fi.ModTime().UTC()}, nil
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
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := s.part(uploadID, n); ok {
			parts = append(parts, p)
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	return parts, nil
}

// part describes part n of an upload, if it is there and whole.
func (s *FileStore) part(uploadID string, n int) (PartInfo, bool) {
	dir := s.uploadDir(uploadID)
	b, err := os.ReadFile(filepath.Join(dir, partFile(n)+metaSuffix))
	if err != nil {
		return PartInfo{}, false
	}
	var rec partRecord
	if json.Unmarshal(b, &rec) != nil {
		return PartInfo{}, false
	}
	fi, err := os.Stat(filepath.Join(dir, partFile(n)))
	if err != nil || fi.Size() != rec.Size || fi.ModTime().UnixNano() != rec.ModTime {
		return PartInfo{}, false
	}
	return PartInfo{PartNumber: n, Size: rec.Size, ETag: rec.ETag, LastModified: fi.ModTime().UTC()}, true
}

// CompleteMultipartUpload implements Storage. The object's ETag is the MD5
// of the parts' MD5s followed by "-" and the number of parts, as in S3.
func (s *FileStore) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart) (ObjectInfo, error) {
	rec, err := s.upload(bucket, key, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	if len(parts) == 0 {
		return ObjectInfo{}, ErrMalformedPartList
	}
	infos := make([]PartInfo, len(parts))
	for i, p := range parts {
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return ObjectInfo{}, fmt.Errorf("part %d after part %d: %w", p.PartNumber, parts[i-1].PartNumber, ErrInvalidPartOrder)
		}
		info, ok := s.part(uploadID, p.PartNumber)
		if !ok || strings.Trim(info.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return ObjectInfo{}, fmt.Errorf("part %d with ETag %s: %w", p.PartNumber, p.ETag, ErrInvalidPart)
		}
		if i < len(parts)-1 && info.Size < s.MinPartSize {
			return ObjectInfo{}, fmt.Errorf("part %d is %d bytes, the minimum is %d: %w", p.PartNumber, info.Size, s.MinPartSize, ErrEntityTooSmall)
		}
		infos[i] = info
	}
	f, err := os.CreateTemp(s.tmpDir(), "mpu-*")
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("complete upload: %w", err)
	}
	sums := md5.New()
	for _, info := range infos {
		if err = appendFile(ctx, f, filepath.Join(s.uploadDir(uploadID), partFile(info.PartNumber))); err != nil {
			break
		}
		raw, _ := hex.DecodeString(strings.Trim(info.ETag, `"`))
		sums.Write(raw)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return ObjectInfo{}, fmt.Errorf("complete upload of s3://%s/%s: %w", bucket, key, err)
	}
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(parts))
	info, err := s.commit(bucket, key, f.Name(), etag, rec.Metadata)
	if err != nil {
		return ObjectInfo{}, err
	}
	_ = os.RemoveAll(s.uploadDir(uploadID))
	return info, nil
}

// appendFile copies the file at path to the end of dst (with
// copy_file_range where the system has it).
func appendFile(ctx context.Context, dst *os.File, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(dst, src)
	return err
}

// AbortMultipartUpload implements Storage.
func (s *FileStore) AbortMultipartUpload(_ context.Context, bucket, key, uploadID string) error {
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		return err
	}
	if err := os.RemoveAll(s.uploadDir(uploadID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abort upload %s: %w", uploadID, err)
	}
	return nil
}
