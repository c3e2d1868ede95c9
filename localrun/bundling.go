package localrun

import (
	"regexp"
	"strings"
	"sync"
)

// bundleFailure is how the CDK reports an asset whose bundling failed:
// "Failed to bundle asset <construct path>, bundle output is located at …".
var bundleFailure = regexp.MustCompile(`Failed to bundle asset ([^\s,]+)`)

// dockerBundling finds, in what a failed synthesis printed, the asset
// whose bundling needed Docker: a construct with no local bundler on this
// machine (NodejsFunction without esbuild, GoFunction without Go) or one
// that bundles only in a container.
func dockerBundling(output string) (asset string, ok bool) {
	m := bundleFailure.FindStringSubmatch(output)
	if m == nil || !strings.Contains(strings.ToLower(output[strings.Index(output, m[0]):]), "docker") {
		return "", false
	}
	// The CDK stages a function's code at <function>/Code/Stage.
	return strings.TrimSuffix(strings.TrimSuffix(m[1], "/Stage"), "/Code"), true
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
