package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxZipSize is the largest deployment package CreateFunction and
// UpdateFunctionCode accept inline: 50 MB, zipped.
const MaxZipSize = 50 << 20

// Code is a function's deployment package, unpacked.
type Code struct {
	Dir    string // the directory holding its files
	Sha256 string // base64 SHA-256 of the zip, as Lambda reports CodeSha256
	Size   int64  // the zip's size
}

// UnpackZip unpacks a deployment package under the data directory, in a
// directory named after its content (unpacking the same zip again reuses
// it).
func (s *Service) UnpackZip(data []byte) (Code, error) {
	sum := sha256.Sum256(data)
	code := Code{Sha256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(data))}
	code.Dir = filepath.Join(s.opts.DataDir, "lambda", "code", hex.EncodeToString(sum[:16]))
	if _, err := os.Stat(code.Dir); err == nil {
		return code, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Code{}, fmt.Errorf("the deployment package is not a zip file: %w", err)
	}
	tmp := code.Dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := unzip(zr, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return Code{}, err
	}
	if err := os.Rename(tmp, code.Dir); err != nil {
		_ = os.RemoveAll(tmp)
		if _, statErr := os.Stat(code.Dir); statErr != nil {
			return Code{}, err
		}
	}
	return code, nil
}

// unzip writes the files of zr under dir, keeping their modes (a
// bootstrap's executable bit), refusing names that leave dir.
func unzip(zr *zip.Reader, dir string) error {
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("the deployment package holds %q, a path outside the package", f.Name)
		}
		target := filepath.Join(dir, name)
		if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		mode := f.Mode().Perm() | 0o400
		if err := writeZipFile(f, target, mode); err != nil {
			return fmt.Errorf("unpack %s: %w", f.Name, err)
		}
	}
	return nil
}

func writeZipFile(f *zip.File, target string, mode os.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
