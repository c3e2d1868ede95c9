package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/chromedp/chromedp"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

// chromium finds Debian's Chromium (or another Chrome). Without one the
// browser test is skipped, except in CI, where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on the PATH: .ci/run installs Debian's chromium package; the browser test must run in CI")
	}
	t.Skip("browser test skipped: no chromium on the PATH (install it with `apt-get install chromium`)")
	return ""
}

// synthesizeExample writes the bundled example's cloud assembly, as
// `bedrockbatch local run` does.
func synthesizeExample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := localrun.Synthesize(context.Background(), "", dir, localrun.LocalContext()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The console, in a real browser, shows the bundled example's run as the
// SDK sees it: the execution appearing and succeeding without a reload,
// its graph coloured from the history, its event history, both jobs
// Completed with their record counts and tokens, an output file's first
// line, prefix navigation in S3, and the events and invocations behind it.
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test of the bundled example: skipped with -short")
	}
	browser := chromium(t)
	assembly := synthesizeExample(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	cloud, res, err := localrun.Open(ctx, localcloud.Options{DataDir: t.TempDir(), Logger: quiet, Prices: cost.Default()}, assembly)
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()
	runCtx, stopCloud := context.WithCancel(ctx)
	defer func() { stopCloud(); cloud.Wait() }()
	if err := cloud.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go cloud.Serve(runCtx, ln)
	base := "http://" + ln.Addr().String() + console.Path

	cfg := cloud.AWSConfig()
	s3c, sfc, br := awss3.NewFromConfig(cfg), awssfn.NewFromConfig(cfg), awsbedrock.NewFromConfig(cfg)
	bucket := res.Outputs[sampleapp.StackName][appcontract.OutputBucketName]
	machineArn := res.Outputs[sampleapp.StackName][appcontract.OutputStateMachineArn]
	if bucket == "" || machineArn == "" {
		t.Fatalf("the example's outputs: %v", res.Outputs)
	}
	for _, key := range sampleapp.ManifestKeys {
		data, err := fs.ReadFile(sampleapp.Data, sampleapp.DataDir+"/"+strings.TrimPrefix(key, "input/"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
	}

	browserCtx, closeBrowser := newBrowser(ctx, t, browser)
	defer closeBrowser()
	b := &page{t: t, ctx: browserCtx}
	// The page is open before the execution starts: it must appear and
	// succeed there by polling alone.
	b.do("open the console", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	name := "console-test"
	start, err := sfc.StartExecution(ctx, &awssfn.StartExecutionInput{
		StateMachineArn: aws.String(machineArn), Name: aws.String(name),
		Input: aws.String(fmt.Sprintf(`{"job_name":%q,"manifest_keys":["input/manifest-1.jsonl","input/manifest-2.jsonl"],"model_id":%q}`, sampleapp.JobName, sampleapp.ModelID)),
	})
	if err != nil {
		t.Fatal(err)
	}
	execRow := fmt.Sprintf(`tr[data-execution=%q]`, name)
	b.do("the execution appears and succeeds without a reload",
		chromedp.WaitVisible(chromedp.CSS(execRow+` [data-status="SUCCEEDED"]`)))
	desc, err := sfc.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
	if err != nil || desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("the SDK sees the execution %v: %v", desc.Status, err)
	}

	// The execution page: every state the history entered is coloured
	// succeeded, the others not reached; the Map counts its iterations.
	var history []sfntypes.HistoryEvent
	for pg := awssfn.NewGetExecutionHistoryPaginator(sfc, &awssfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		history = append(history, page.Events...)
	}
	machine, err := sfc.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(machineArn)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, n := range stateNames(t, aws.ToString(machine.Definition)) {
		want[n] = "notreached"
	}
	var mapState string
	for _, e := range history {
		if e.StateEnteredEventDetails != nil {
			want[aws.ToString(e.StateEnteredEventDetails.Name)] = "succeeded"
		}
		if e.Type == sfntypes.HistoryEventTypeMapStateEntered {
			mapState = aws.ToString(e.StateEnteredEventDetails.Name)
		}
	}
	b.do("the execution page", chromedp.Click(chromedp.CSS(execRow+` a`)), chromedp.WaitVisible(chromedp.CSS(`#execution-graph`)))
	statuses := get(b, "graph", chromedp.Evaluate[[]map[string]string](
		`[...document.querySelectorAll("#execution-graph g.state")].map(g => ({name: g.dataset.state, status: g.dataset.status}))`))
	mapText := get(b, "the Map's label", chromedp.TextContent(chromedp.CSS(fmt.Sprintf(`#execution-graph g[data-state=%q] > text.sub`, mapState))))
	output := b.text(`#execution-output`)
	rows := get(b, "history rows", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-event]").length`))
	got := map[string]string{}
	for _, s := range statuses {
		got[s["name"]] = s["status"]
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("graph colours %v, want %v (from the history)", got, want)
	}
	if mapState == "" || !strings.Contains(mapText, "2/2 iterations succeeded") {
		t.Errorf("the Map state %q reads %q, want 2/2 iterations succeeded", mapState, mapText)
	}
	if rows != len(history) {
		t.Errorf("event history shows %d rows, the SDK returns %d events", rows, len(history))
	}
	var results []batch.JobResult
	if err := json.Unmarshal([]byte(output), &results); err != nil || len(results) != 2 {
		t.Fatalf("the output shown is not the execution's two job results: %v\n%s", err, output)
	}
	firstType := b.text(`tr[data-event]:first-child td:nth-child(2)`)
	lastType := b.text(`tr[data-event]:last-child td:nth-child(2)`)
	if firstType != "ExecutionStarted" || lastType != "ExecutionSucceeded" {
		t.Errorf("history from %s to %s", firstType, lastType)
	}

	// The jobs page: both jobs Completed, with the counts and tokens of
	// their manifest.json.out and a batch cost.
	jobs, err := br.ListModelInvocationJobs(ctx, &awsbedrock.ListModelInvocationJobsInput{})
	if err != nil || len(jobs.InvocationJobSummaries) != 2 {
		t.Fatalf("the SDK lists %d jobs: %v", len(jobs.InvocationJobSummaries), err)
	}
	b.do("the jobs page", chromedp.Click(chromedp.CSS(`nav a[data-page="jobs"]`)), chromedp.WaitVisible(chromedp.CSS(`tr[data-job]`)))
	var counts []string
	for _, j := range jobs.InvocationJobSummaries {
		row := fmt.Sprintf(`tr[data-job=%q]`, aws.ToString(j.JobName))
		b.do("job "+aws.ToString(j.JobName), chromedp.WaitVisible(chromedp.CSS(row+` td.tokens:not(:empty)`)))
		status, records, tokens, cost := b.text(row+` .status`), b.text(row+` .count`), b.text(row+` td.tokens`), b.text(row+` td.cost`)
		sum := jobSummary(ctx, t, s3c, aws.ToString(j.JobArn), outputURI(t, j.OutputDataConfig))
		if status != "Completed" {
			t.Errorf("job %s shows %s", aws.ToString(j.JobName), status)
		}
		counts = append(counts, records)
		if wantTokens := fmt.Sprintf("%s / %s", thousands(sum.InputTokenCount), thousands(sum.OutputTokenCount)); tokens != wantTokens || sum.InputTokenCount == 0 {
			t.Errorf("job %s tokens %q, manifest.json.out has %q", aws.ToString(j.JobName), tokens, wantTokens)
		}
		if !strings.HasPrefix(cost, "$") || cost == "$0.0000" {
			t.Errorf("job %s batch cost %q", aws.ToString(j.JobName), cost)
		}
	}
	sort.Strings(counts)
	if want := []string{"480 / 480", "520 / 520"}; !reflect.DeepEqual(counts, want) {
		t.Errorf("records %v, want %v", counts, want)
	}

	// An output file, reached from its job: the first line pretty-printed,
	// the same JSON as the object's first line.
	key := results[0].Keys[0]
	obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: &results[0].Bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	content, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	firstLine, _, _ := bytes.Cut(content, []byte("\n"))
	var job string
	for _, j := range jobs.InvocationJobSummaries {
		if arn, err := batch.ParseJobArn(aws.ToString(j.JobArn)); err == nil && strings.Contains(key, arn.JobID) {
			job = aws.ToString(j.JobName)
		}
	}
	b.do("an output file's first line",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-job=%q] a`, job))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="#/object?%s"]`, url.Values{"bucket": {results[0].Bucket}, "key": {key}}.Encode()))),
		chromedp.WaitVisible(chromedp.CSS(`#object-lines pre.line`)))
	shown := b.text(`#object-lines pre.line`)
	var gotLine, wantLine manifest.OutputLine
	if err := json.Unmarshal([]byte(shown), &gotLine); err != nil || !strings.Contains(shown, "\n  \"recordId\"") {
		t.Fatalf("the first line is not shown pretty-printed: %v\n%s", err, shown)
	}
	_ = json.Unmarshal(firstLine, &wantLine)
	if !reflect.DeepEqual(normalize(t, shown), normalize(t, string(firstLine))) || gotLine.RecordID != wantLine.RecordID {
		t.Errorf("first line shown:\n%s\nwant the JSON of:\n%s", shown, firstLine)
	}

	// S3: prefix navigation from the bucket to the job's output folder.
	b.do("S3 prefix navigation",
		chromedp.Click(chromedp.CSS(`nav a[data-page="s3"]`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-bucket=%q] a`, bucket))),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-folder="input/"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-folder="output/"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-folder^="output/"][data-folder$="/"]:not([data-folder="output/"])`)))

	// Events and functions: the jobs' state-change events with the rule
	// that matched them, and the functions' invocations.
	rules, err := awseventbridge.NewFromConfig(cfg).ListRules(ctx, &awseventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var jobRule string
	for _, r := range rules.Rules {
		if strings.Contains(aws.ToString(r.EventPattern), batch.EventDetailType) {
			jobRule = aws.ToString(r.Name)
		}
	}
	if jobRule == "" {
		t.Fatalf("no deployed rule matches %q events", batch.EventDetailType)
	}
	b.do("events and functions", chromedp.Click(chromedp.CSS(`nav a[data-page="activity"]`)), chromedp.WaitVisible(chromedp.CSS(`tr[data-event-id]`)))
	activity := b.text(`main`)
	invocations := get(b, "invocations", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-invocation]").length`))
	if !strings.Contains(activity, batch.EventDetailType) || !strings.Contains(activity, jobRule) {
		t.Errorf("the activity page lacks the job events or their rule %s:\n%s", jobRule, activity)
	}
	if invocations < 4 {
		t.Errorf("%d invocations shown, want at least 2 create-job and 2 job-event invocations", invocations)
	}
}

// page drives the browser's tab; every step has 30 seconds, and a failed
// one reports what the page showed.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) fail(what string, err error) {
	p.t.Helper()
	shown, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(`main`)))
	p.t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, shown)
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// text is the text of the first element matching a CSS selector, once
// there is one.
func (p *page) text(selector string) string {
	p.t.Helper()
	return get(p, selector, chromedp.Text(chromedp.CSS(selector)))
}

func get[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// newBrowser starts headless Chromium with a fresh profile and nothing
// that reaches the network on its own.
func newBrowser(ctx context.Context, t *testing.T, path string) (context.Context, func()) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(browserCtx); err != nil {
		cancelAlloc()
		t.Fatalf("start %s: %v", path, err)
	}
	return browserCtx, func() { cancelBrowser(); cancelAlloc() }
}

// stateNames lists every state of a definition, nested ones too.
func stateNames(t *testing.T, definition string) []string {
	var def any
	if err := json.Unmarshal([]byte(definition), &def); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if states, ok := v["States"].(map[string]any); ok {
				for n := range states {
					names = append(names, n)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(def)
	return names
}

func jobSummary(ctx context.Context, t *testing.T, s3c *awss3.Client, jobArn, output string) manifest.Summary {
	t.Helper()
	uri, err := batch.ParseS3URI(output)
	if err != nil {
		t.Fatal(err)
	}
	a, err := batch.ParseJobArn(jobArn)
	if err != nil {
		t.Fatal(err)
	}
	key := batch.JobOutputPrefix(uri, a.JobID) + manifest.SummaryName
	obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: &uri.Bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	sum, err := manifest.ReadSummary(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func outputURI(t *testing.T, c bedrocktypes.ModelInvocationJobOutputDataConfig) string {
	s3out, ok := c.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !ok {
		t.Fatalf("job output config %T", c)
	}
	return aws.ToString(s3out.Value.S3Uri)
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func normalize(t *testing.T, s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}
