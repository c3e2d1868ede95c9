package localcloud

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// code finds the deployed code of a function resource: its CDK asset (a
// directory, or a zip file), or the inline source of Code.ZipFile, which
// Lambda stores as index.js or index.py. A function the local cloud cannot
// run — a container image, code only in an S3 bucket — is refused here,
// at deploy, rather than at its first invocation.
func (t *target) code(r *deploy.Resolved) (lambda.Code, error) {
	p := r.Properties
	if str(p["PackageType"]) == "Image" {
		return lambda.Code{}, fmt.Errorf("it is a container image function (PackageType Image); the local cloud runs zip functions of the provided, nodejs and python runtimes, without Docker")
	}
	code, _ := p["Code"].(map[string]any)
	if src := str(code["ZipFile"]); src != "" {
		return t.inlineCode(str(p["Runtime"]), src)
	}
	if r.AssetPath == "" {
		where := "it has no Code"
		if code != nil {
			where = "Code " + str(code)
		}
		return lambda.Code{}, fmt.Errorf("its code is not an asset of the cloud assembly (%s): give it with lambda.Code_FromAsset or a bundling construct, so the assembly holds it", where)
	}
	info, err := os.Stat(r.AssetPath)
	if err != nil {
		return lambda.Code{}, fmt.Errorf("its asset %s is missing: %w", r.AssetPath, err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(r.AssetPath)
		if err != nil {
			return lambda.Code{}, err
		}
		return t.c.Lambda.UnpackZip(data)
	}
	// The asset directory's name is its content hash.
	sum := sha256.Sum256([]byte(filepath.Base(r.AssetPath)))
	return lambda.Code{Dir: r.AssetPath, Sha256: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// inlineCode stores the inline source of a function under the name Lambda
// gives it.
func (t *target) inlineCode(runtime, src string) (lambda.Code, error) {
	var name string
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		name = "index.js"
	case strings.HasPrefix(runtime, "python"):
		name = "index.py"
	default:
		return lambda.Code{}, fmt.Errorf("inline code (Code.ZipFile) is for the nodejs and python runtimes, not %q", runtime)
	}
	sum := sha256.Sum256([]byte(name + "\x00" + src))
	dir := filepath.Join(t.c.opts.DataDir, "lambda", "inline", base64.RawURLEncoding.EncodeToString(sum[:12]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return lambda.Code{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		return lambda.Code{}, err
	}
	return lambda.Code{Dir: dir, Sha256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(src))}, nil
}

// functionLabel names a function resource for people: its logical id and
// construct path.
func functionLabel(r *deploy.Resolved) string {
	if path, ok := r.Metadata["aws:cdk:path"].(string); ok {
		return fmt.Sprintf("%s (%s)", r.LogicalID, strings.TrimSuffix(path, "/Resource"))
	}
	return r.LogicalID
}
