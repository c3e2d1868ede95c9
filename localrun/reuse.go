package localrun

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// inputsFile, in an assembly directory, holds the fingerprint of the inputs
// it was synthesized from.
const inputsFile = ".bedrockbatch-inputs"

// maxFingerprintFiles bounds the files a fingerprint looks at; a larger
// tree is always synthesized again.
const maxFingerprintFiles = 20000

// errTooManyFiles stops a fingerprint of a tree too large to look at.
var errTooManyFiles = errors.New("too many files to fingerprint")

// fingerprint identifies what an assembly is synthesized from: this
// program's code (which holds the bundled example and the construct), the app
// command and the CDK context, and for a command every file under the
// working directory (by name, size and modification time; version-control,
// dependency and output directories left out). ok is false when the inputs
// cannot be known, so the app is synthesized again.
func fingerprint(command string, cdkContext map[string]any) (sum string, ok bool) {
	h := sha256.New()
	exe, err := executableID()
	if err != nil {
		return "", false
	}
	ctx, err := json.Marshal(cdkContext)
	if err != nil {
		return "", false
	}
	fmt.Fprintf(h, "exe %s\ncommand %q\ncontext %s\n", exe, command, ctx)
	if command != "" {
		if err := fingerprintTree(h, "."); err != nil {
			return "", false
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// executableID identifies this program's code: its Go build ID, which
// changes whenever anything it is built from changes and stays the same
// wherever the binary lies (`go run` runs it from a temporary directory
// first, then from the build cache), or else a hash of the whole file.
func executableID() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			// An ELF note: name size, description size, type, the name
			// "Go\x00\x00", then the build ID as the description.
			if data, err := sec.Data(); err == nil && len(data) > 16 {
				if n := int(f.ByteOrder.Uint32(data[4:8])); n > 0 && 16+n <= len(data) {
					return "buildid " + string(data[16:16+n]), nil
				}
			}
		}
	}
	file, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer file.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, file); err != nil {
		return "", err
	}
	return "sha256 " + hex.EncodeToString(sum.Sum(nil)), nil
}

func fingerprintTree(h interface{ Write([]byte) (int, error) }, root string) error {
	n := 0
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out") {
				return filepath.SkipDir
			}
			return nil
		}
		if n++; n > maxFingerprintFiles {
			return errTooManyFiles
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "file %q %d %d %v\n", p, info.Size(), info.ModTime().UnixNano(), info.Mode())
		return nil
	})
}

// reusable reports whether the assembly in dir was synthesized from inputs
// with fingerprint sum and is still whole.
func reusable(dir, sum string) bool {
	data, err := os.ReadFile(filepath.Join(dir, inputsFile))
	if err != nil || strings.TrimSpace(string(data)) != sum {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "manifest.json"))
	return err == nil
}

// remember records that the assembly in dir was synthesized from inputs
// with fingerprint sum; forget removes the record before a synthesis, so an
// interrupted one is never taken for whole.
func remember(dir, sum string) error {
	return os.WriteFile(filepath.Join(dir, inputsFile), []byte(sum+"\n"), 0o644)
}

func forget(dir string) {
	os.Remove(filepath.Join(dir, inputsFile))
}
