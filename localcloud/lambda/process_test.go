package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// builtGo caches the test function's bootstrap per architecture.
var builtGo sync.Map // GOARCH → *goBuild

type goBuild struct {
	once sync.Once
	dir  string
	err  error
}

// goFunction builds testdata/gofn for Linux on arch as an asset
// directory holding its bootstrap, as a deployment package has it.
func goFunction(t testing.TB, arch string) string {
	t.Helper()
	v, _ := builtGo.LoadOrStore(arch, &goBuild{})
	b := v.(*goBuild)
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "gofn-"+arch+"-")
		if b.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(b.dir, "bootstrap"), "./testdata/gofn")
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	builtGo.Range(func(_, v any) bool {
		os.RemoveAll(v.(*goBuild).dir)
		return true
	})
	os.Exit(code)
}

// newProcessLambda is newLambda whose functions' SDK calls reach the test
// server (their AWS_ENDPOINT_URL).
func newProcessLambda(t *testing.T, opts lambda.Options) (*lambda.Service, *awslambda.Client) {
	t.Helper()
	srv := cloudtest.Start(t, false)
	opts.DataDir, opts.Logger = t.TempDir(), quiet
	opts.Endpoint = func() (string, error) { return srv.URL, nil }
	svc, err := lambda.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	srv.Router.Register("lambda", svc)
	cfg, endpoint := srv.Config()
	return svc, awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func invoke(t *testing.T, c *awslambda.Client, name, payload string) (map[string]any, *awslambda.InvokeOutput) {
	t.Helper()
	out, err := c.Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName: aws.String(name), Payload: []byte(payload), LogType: types.LogTypeTail,
	})
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatalf("invoke %s: payload %s: %v", name, out.Payload, err)
	}
	return got, out
}

// A provided.al2023 function runs its bootstrap in a process of its own,
// which polls the Lambda Runtime API, with the environment Lambda gives
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
// the deadline of its timeout (Lambda-Runtime-Deadline-Ms,
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-next)
// and its memory setting; the process stays warm for the next invocation.
func TestGoFunctionRunsInItsOwnProcess(t *testing.T) {
	svc, c := newProcessLambda(t, lambda.Options{})
	dir := goFunction(t, runtime.GOARCH)
	if _, err := svc.Deploy(lambda.Function{
		Name: "greeter", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: dir,
		Timeout: 7 * time.Second, MemorySize: 256, Environment: map[string]string{"GREETING": "hello"},
	}, nil); err != nil {
		t.Fatal(err)
	}
	got, out := invoke(t, c, "greeter", `{}`)
	want := map[string]any{
		"greeting": "hello", "name": "greeter", "memory": "256", "memoryCtx": 256.0, "region": "us-east-1",
		"handler": "bootstrap", "taskRoot": dir, "keyID": lambda.AccessKeyID, "token": true, "endpoint": true,
		"arn": "arn:aws:lambda:us-east-1:000000000000:function:greeter", "secondsLeft": 7.0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if out.FunctionError != nil {
		t.Errorf("function error %s", *out.FunctionError)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "handling \n") || !strings.Contains(string(tail), "Memory Size: 256 MB") {
		t.Errorf("log tail %q lacks the function's output", tail)
	}
	if inv := svc.RecentInvocations(); len(inv) == 0 || !strings.Contains(inv[0].Log, "handling") {
		t.Errorf("the invocation's record lacks the function's output: %+v", inv)
	}

	again, _ := invoke(t, c, "greeter", `{}`)
	if again["pid"] != got["pid"] || again["startedAt"] != got["startedAt"] {
		t.Errorf("the second invocation ran in process %v, the first in %v: want the warm one reused", again["pid"], got["pid"])
	}
	if again["requestId"] == got["requestId"] || again["requestId"] == "" {
		t.Errorf("request ids %v and %v", got["requestId"], again["requestId"])
	}

	// The function's own SDK call reaches the local cloud.
	who, _ := invoke(t, c, "greeter", `{"action":"whoami"}`)
	if who["runtime"] != "provided.al2023" {
		t.Errorf("the function's GetFunction call answered %v", who)
	}

	// A new deployment retires the warm process.
	if _, err := svc.Deploy(lambda.Function{
		Name: "greeter", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: dir,
		Environment: map[string]string{"GREETING": "hi"},
	}, nil); err != nil {
		t.Fatal(err)
	}
	redeployed, _ := invoke(t, c, "greeter", `{}`)
	if redeployed["greeting"] != "hi" || redeployed["pid"] == got["pid"] {
		t.Errorf("after redeploying: %v", redeployed)
	}
}

// A function error reaches the caller as the runtime reports it: status
// 200, X-Amz-Function-Error: Unhandled and the {errorMessage, errorType}
// document
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_ResponseSyntax);
// a timeout kills the process and fails with Lambda's "Task timed out
// after N.NN seconds" (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html);
// a runtime that exits fails with Runtime.ExitError.
func TestGoFunctionErrorsTimeoutsAndExits(t *testing.T) {
	svc, c := newProcessLambda(t, lambda.Options{})
	if _, err := svc.Deploy(lambda.Function{
		Name: "worker", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: goFunction(t, runtime.GOARCH), Timeout: time.Second,
	}, nil); err != nil {
		t.Fatal(err)
	}
	first, _ := invoke(t, c, "worker", `{}`)

	got, out := invoke(t, c, "worker", `{"action":"fail"}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || got["errorType"] != "quotaError" || got["errorMessage"] != "out of quota" {
		t.Errorf("function error: %s (X-Amz-Function-Error %q)", out.Payload, aws.ToString(out.FunctionError))
	}
	after, _ := invoke(t, c, "worker", `{}`)
	if after["pid"] != first["pid"] {
		t.Errorf("a function error ended the process (%v, then %v)", first["pid"], after["pid"])
	}

	got, out = invoke(t, c, "worker", `{"action":"sleep"}`)
	msg, _ := got["errorMessage"].(string)
	if aws.ToString(out.FunctionError) != "Unhandled" || got["errorType"] != "Sandbox.Timedout" || !strings.HasSuffix(msg, "Task timed out after 1.00 seconds") {
		t.Errorf("timeout: %s", out.Payload)
	}
	fresh, _ := invoke(t, c, "worker", `{}`)
	if fresh["pid"] == first["pid"] {
		t.Errorf("the timed-out process %v served the next invocation", first["pid"])
	}

	got, out = invoke(t, c, "worker", `{"action":"exit"}`)
	msg, _ = got["errorMessage"].(string)
	if aws.ToString(out.FunctionError) != "Unhandled" || got["errorType"] != "Runtime.ExitError" || !strings.Contains(msg, "exit status 3") {
		t.Errorf("exit: %s", out.Payload)
	}
}

// At most Concurrency invocations of a function run at once, each in a
// process of its own; with a limit of 1 every invocation shares one.
func TestConcurrencyLimit(t *testing.T) {
	svc, c := newProcessLambda(t, lambda.Options{})
	if _, err := svc.Deploy(lambda.Function{
		Name: "single", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: goFunction(t, runtime.GOARCH), Concurrency: 1,
	}, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	pids := make(chan any, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _ := invoke(t, c, "single", `{}`)
			pids <- got["pid"]
		}()
	}
	wg.Wait()
	close(pids)
	seen := map[any]bool{}
	for p := range pids {
		seen[p] = true
	}
	if len(seen) != 1 {
		t.Errorf("4 invocations of a function limited to 1 ran in %d processes", len(seen))
	}
}

// Node.js and Python functions are plain handler files, run by this
// machine's node and python3 through the local cloud's runtime client,
// with the context object their runtimes document
// (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html,
// https://docs.aws.amazon.com/lambda/latest/dg/python-context.html) and
// errors named after the thrown class
// (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html,
// https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html).
func TestNodeAndPythonFunctions(t *testing.T) {
	for _, tc := range []struct{ runtime, handler, dir, interpreter string }{
		{"nodejs20.x", "index.handler", "testdata/nodefn", "node"},
		{"python3.12", "app.handler", "testdata/pyfn", "python3"},
	} {
		t.Run(tc.runtime, func(t *testing.T) {
			if _, err := exec.LookPath(tc.interpreter); err != nil {
				t.Skipf("%s is not installed", tc.interpreter)
			}
			svc, c := newProcessLambda(t, lambda.Options{})
			dir, _ := filepath.Abs(tc.dir)
			if _, err := svc.Deploy(lambda.Function{
				Name: "fn", Runtime: tc.runtime, Handler: tc.handler, CodeDir: dir, Timeout: 5 * time.Second,
				MemorySize: 512, Environment: map[string]string{"GREETING": "hello"},
			}, nil); err != nil {
				t.Fatal(err)
			}
			got, out := invoke(t, c, "fn", `{"n":1}`)
			for k, v := range map[string]any{"greeting": "hello", "name": "fn", "memory": "512", "region": "us-east-1", "secondsLeft": 5.0, "invocations": 1.0} {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (payload %s)", k, got[k], v, out.Payload)
				}
			}
			if id, _ := got["requestId"].(string); len(id) < 32 {
				t.Errorf("request id %q", id)
			}
			again, _ := invoke(t, c, "fn", `{"n":2}`)
			if again["invocations"] != 2.0 || again["pid"] != got["pid"] {
				t.Errorf("the warm process was not reused: %v then %v", got, again)
			}
			failed, out := invoke(t, c, "fn", `{"action":"fail"}`)
			if aws.ToString(out.FunctionError) != "Unhandled" || failed["errorType"] != "QuotaError" || failed["errorMessage"] != "out of quota" {
				t.Errorf("a thrown error: %s", out.Payload)
			}
			if inv := svc.RecentInvocations(); len(inv) == 0 || !strings.Contains(inv[len(inv)-1].Log, "handling") {
				t.Errorf("the first invocation's record lacks the function's output: %+v", inv)
			}
		})
	}
}

// A handler that cannot be loaded fails the invocation with the init
// error the runtime reports (Runtime.ImportModuleError,
// Runtime.HandlerNotFound: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-initerror).
func TestInitErrors(t *testing.T) {
	svc, c := newProcessLambda(t, lambda.Options{})
	node, _ := filepath.Abs("testdata/nodefn")
	py, _ := filepath.Abs("testdata/pyfn")
	for _, tc := range []struct{ runtime, handler, dir, errorType string }{
		{"nodejs20.x", "missing.handler", node, "Runtime.ImportModuleError"},
		{"nodejs20.x", "index.nothere", node, "Runtime.HandlerNotFound"},
		{"python3.12", "missing.handler", py, "Runtime.ImportModuleError"},
		{"python3.12", "app.nothere", py, "Runtime.HandlerNotFound"},
	} {
		name := strings.NewReplacer(".", "-").Replace(tc.runtime + "-" + tc.handler)
		if _, err := svc.Deploy(lambda.Function{Name: name, Runtime: tc.runtime, Handler: tc.handler, CodeDir: tc.dir}, nil); err != nil {
			t.Fatal(err)
		}
		got, out := invoke(t, c, name, `{}`)
		if aws.ToString(out.FunctionError) != "Unhandled" || got["errorType"] != tc.errorType {
			t.Errorf("%s %s: %s, want %s", tc.runtime, tc.handler, out.Payload, tc.errorType)
		}
	}
}

// An arm64 bootstrap — what the CDK builds for Graviton — runs on an
// amd64 machine through qemu's user-mode emulator, read from its ELF
// header rather than from the configuration.
func TestOtherArchitectureRunsUnderQemu(t *testing.T) {
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	emu := map[string]string{"arm64": "qemu-aarch64-static", "amd64": "qemu-x86_64-static"}[other]
	if _, err := exec.LookPath(emu); err != nil {
		t.Skipf("%s is not installed (apt-get install qemu-user-static; .ci/run installs it)", emu)
	}
	svc, c := newProcessLambda(t, lambda.Options{})
	if _, err := svc.Deploy(lambda.Function{
		Name: "graviton", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: goFunction(t, other),
		Timeout: 30 * time.Second, Environment: map[string]string{"GREETING": "from " + other},
	}, nil); err != nil {
		t.Fatal(err)
	}
	got, out := invoke(t, c, "graviton", `{}`)
	if got["greeting"] != "from "+other || out.FunctionError != nil {
		t.Fatalf("the %s function answered %s", other, out.Payload)
	}
}

// What the local cloud cannot run is refused at deploy, with the reason
// and the fix: a runtime it does not serve, a package without its
// bootstrap, a binary for another architecture without qemu.
func TestDeployRefusesWhatCannotRun(t *testing.T) {
	svc, _ := newProcessLambda(t, lambda.Options{})
	empty := t.TempDir()
	for _, tc := range []struct {
		fn   lambda.Function
		path string
		want string
	}{
		{lambda.Function{Name: "java", Runtime: "java21", Handler: "a.B::handle", CodeDir: empty}, "", "runtime java21, which the local cloud does not run"},
		{lambda.Function{Name: "nobootstrap", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: empty}, "", "no bootstrap executable"},
		{lambda.Function{Name: "noqemu", Runtime: "provided.al2023", Handler: "bootstrap",
			CodeDir: goFunction(t, map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH])}, empty, "apt-get install qemu-user-static"},
		{lambda.Function{Name: "nonode", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: empty}, empty, "not on PATH"},
	} {
		if tc.path != "" {
			t.Setenv("PATH", tc.path)
		}
		_, err := svc.Deploy(tc.fn, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.fn.Name) {
			t.Errorf("deploy %s: %v, want an error naming it and saying %q", tc.fn.Name, err, tc.want)
		}
	}
}

// The Runtime API answers as documented
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): the
// next event comes with Lambda-Runtime-Aws-Request-Id,
// Lambda-Runtime-Deadline-Ms (in the future), Lambda-Runtime-Invoked-Function-Arn
// and Lambda-Runtime-Trace-Id; a response is accepted with 202; a response
// for another request id is refused with 400; an error posted to
// /invocation/{id}/error reaches the caller with its errorType.
func TestRuntimeAPIAsDocumented(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	svc, c := newProcessLambda(t, lambda.Options{})
	dir, _ := filepath.Abs("testdata/probe")
	if _, err := svc.Deploy(lambda.Function{Name: "probe", Runtime: "provided.al2", Handler: "bootstrap", CodeDir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	got, out := invoke(t, c, "probe", `{"x":1}`)
	if got["requestId"] == "" || got["deadlineInFuture"] != true || got["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:probe" ||
		!strings.HasPrefix(got["traceId"].(string), "Root=") || got["wrongIdStatus"] != 400.0 || fmt.Sprint(got["event"]) != "map[x:1]" {
		t.Errorf("the runtime saw %s", out.Payload)
	}
	// The next event carries what the runtime saw of its response (202,
	// {"status":"OK"}) and of a second response to the same request.
	got, out = invoke(t, c, "probe", `{"x":2}`)
	if fmt.Sprint(got["previous"]) != "map[againStatus:400 responseBody:map[status:OK] responseStatus:202]" {
		t.Errorf("the runtime saw %s", out.Payload)
	}
	got, out = invoke(t, c, "probe", `{"fail":true}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || got["errorType"] != "ProbeError" || got["errorMessage"] != "probe failed" {
		t.Errorf("a posted error: %s", out.Payload)
	}
	// An error without a type keeps none (Step Functions names it
	// Lambda.Unknown).
	_, out = invoke(t, c, "probe", `{"plain":true}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || string(out.Payload) != `{"errorMessage":"something broke"}` {
		t.Errorf("a plain-text error: %s", out.Payload)
	}
}
