package lambda_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// BenchmarkInvoke measures the latency of an invocation of a Go, a
// Node.js and a Python function run in processes of their own: cold (a
// new process, started and initialized for the invocation) and warm (the
// process kept from the invocation before).
//
//	go test ./localcloud/lambda -run '^$' -bench Invoke -benchtime 20x
func BenchmarkInvoke(b *testing.B) {
	fns := []struct {
		name, runtime, handler, interpreter string
		dir                                 func(b *testing.B) string
	}{
		{"go", "provided.al2023", "bootstrap", "", func(b *testing.B) string { return goFunction(b, runtime.GOARCH) }},
		{"nodejs", "nodejs22.x", "index.handler", "node", func(*testing.B) string { d, _ := filepath.Abs("testdata/nodefn"); return d }},
		{"python", "python3.12", "app.handler", "python3", func(*testing.B) string { d, _ := filepath.Abs("testdata/pyfn"); return d }},
	}
	for _, f := range fns {
		if f.interpreter != "" {
			if _, err := exec.LookPath(f.interpreter); err != nil {
				b.Logf("%s is not installed: %s skipped", f.interpreter, f.name)
				continue
			}
		}
		svc, err := lambda.New(lambda.Options{DataDir: b.TempDir(), Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		cfg := lambda.Function{Name: f.name, Runtime: f.runtime, Handler: f.handler, CodeDir: f.dir(b), Timeout: 10 * time.Second}
		invoke := func(b *testing.B) {
			res, err := svc.Invoke(context.Background(), f.name, []byte(`{"n":1}`))
			if err != nil || res.FunctionError != "" {
				b.Fatalf("invoke %s: %v %s", f.name, err, res.Payload)
			}
		}
		b.Run(f.name+"/cold", func(b *testing.B) {
			for range b.N {
				// A new deployment retires the warm process: the next
				// invocation starts one.
				b.StopTimer()
				cfg.LastModified = time.Now()
				if _, err := svc.Deploy(cfg, nil); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				invoke(b)
			}
		})
		b.Run(f.name+"/warm", func(b *testing.B) {
			invoke(b)
			b.ResetTimer()
			for range b.N {
				invoke(b)
			}
		})
		svc.Close()
	}
}
