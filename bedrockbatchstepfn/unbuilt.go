package bedrockbatchstepfn

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

// unbuiltBootstrap is the bootstrap of a function whose stack was
// synthesized without asset bundling. Should such an assembly reach Lambda,
// every invocation fails with this message instead of running stale code.
const unbuiltBootstrap = `#!/bin/sh
echo "this function was synthesized with asset bundling skipped (CDK context aws:cdk:bundling-stacks, or bedrockbatch:inProcessFunctions for the local cloud): synthesize again with bundling (cdk deploy does) to deploy its code" >&2
exit 1
`

// inProcessFunctions reports whether the app's CDK context says the
// construct's functions run in-process (appcontract.ContextInProcessFunctions).
func inProcessFunctions(scope constructs.Construct) bool {
	switch v := scope.Node().TryGetContext(jsii.String(appcontract.ContextInProcessFunctions)).(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// unbuiltAssetDirs returns, for each main package, an asset directory with
// a placeholder bootstrap instead of the compiled function: what a stack
// that needs no bundling gets, without the cost of cross-compiling.
func unbuiltAssetDirs(pkgs ...string) (map[string]string, error) {
	cache, err := buildCacheDir()
	if err != nil {
		return nil, err
	}
	dirs := make(map[string]string, len(pkgs))
	for _, pkg := range pkgs {
		dir := filepath.Join(cache, "unbuilt", path.Base(pkg))
		file := filepath.Join(dir, "bootstrap")
		if data, err := os.ReadFile(file); err != nil || string(data) != unbuiltBootstrap {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("bedrockbatchstepfn: %w", err)
			}
			if err := writeFileAtomic(file, []byte(unbuiltBootstrap)); err != nil {
				return nil, fmt.Errorf("bedrockbatchstepfn: placeholder asset of %s: %w", pkg, err)
			}
		}
		dirs[pkg] = dir
	}
	return dirs, nil
}

// writeFileAtomic replaces file with data so that a concurrent reader sees
// the old or the new content, never a part.
func writeFileAtomic(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".bootstrap-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
