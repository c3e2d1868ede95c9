// Command prefixrun measures large manifest_prefix runs in the local
// cloud: for each size it writes N manifests of 100 records, runs them
// with `bedrockbatch local run` through examples/largerun with a
// compressed clock, and prints the wall time, the peak memory of the run's
// process and the parent execution's history events (read back through the
// Step Functions API of `bedrockbatch local serve` on the same data
// directory). With two sizes or more it ends with the execution time per
// 1,000 manifests at each, which is the same at every size when a run
// costs what it does, not what it did before. Run it from the module
// root:
//
//	go run ./bench/prefixrun -manifests 1000,10000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
)

func main() {
	manifests := flag.String("manifests", "1000,10000", "how many manifests of 100 records to run: one size, or several separated by commas, each run on its own")
	timeScale := flag.String("time-scale", "3600", "the local cloud's clock speed (--time-scale of local run)")
	keep := flag.Bool("keep", false, "keep the work directory (manifests and the local cloud's data)")
	flag.StringVar(&profiles.cpu, "cpuprofile", "", "write the local run's CPU profile to this file")
	flag.StringVar(&profiles.heap, "memprofile", "", "write the local run's heap profile at its end to this file")
	flag.Parse()
	sizes, err := parseSizes(*manifests)
	if err == nil {
		err = runAll(sizes, *timeScale, *keep)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "prefixrun:", err)
		os.Exit(1)
	}
}

// parseSizes reads the -manifests list.
func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-manifests %q: give a number of manifests of 1 or more, or several separated by commas", list)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// measured is what one size's run took.
type measured struct {
	manifests int
	execution time.Duration
	peak      int64 // the local run process's own peak resident memory
	load      string
}

// runAll runs each size and, for several, compares their execution times
// per 1,000 manifests.
func runAll(sizes []int, timeScale string, keep bool) error {
	var all []measured
	for i, n := range sizes {
		if i > 0 {
			fmt.Println()
		}
		m, err := run(n, timeScale, keep)
		if err != nil {
			return err
		}
		all = append(all, m)
	}
	if len(all) < 2 {
		return nil
	}
	fmt.Printf("\n%-10s %-12s %-22s %-14s %s\n", "manifests", "execution", "per 1,000 manifests", "peak memory", "load average (1, 5, 15 min) after")
	for _, m := range all {
		per := time.Duration(float64(m.execution) * 1000 / float64(m.manifests))
		fmt.Printf("%-10d %-12s %-22s %-14s %s\n", m.manifests, m.execution.Round(100*time.Millisecond), per.Round(100*time.Millisecond),
			fmt.Sprintf("%d MiB", m.peak>>20), m.load)
	}
	return nil
}

// loadAverage is the machine's load average: on a shared machine, what
// the times were measured against.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// profiles are where the local run writes its profiles; empty: none.
var profiles struct{ cpu, heap string }

func run(n int, timeScale string, keep bool) (measured, error) {
	if _, err := os.Stat("examples/largerun"); err != nil {
		return measured{}, errors.New("run it from the module root (examples/largerun not found)")
	}
	work, err := os.MkdirTemp("", "prefixrun-")
	if err != nil {
		return measured{}, err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "bedrockbatch")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/bedrockbatch").CombinedOutput(); err != nil {
		return measured{}, fmt.Errorf("build: %v\n%s", err, out)
	}
	in, data := filepath.Join(work, "manifests"), filepath.Join(work, "data")
	if err := writeManifests(in, n); err != nil {
		return measured{}, err
	}

	cmd := exec.Command(bin, "local", "run", "--json", "--app", "go run ./examples/largerun", "--input", in,
		"--data", data, "--time-scale", timeScale, "--by-prefix", "--job-name", "bench", "--model", "amazon.nova-pro-v1:0")
	if profiles.cpu != "" {
		cmd.Args = append(cmd.Args, "--cpuprofile", profiles.cpu)
	}
	if profiles.heap != "" {
		cmd.Args = append(cmd.Args, "--memprofile", profiles.heap)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	runErr := cmd.Run()
	wall := time.Since(began)
	var res struct {
		ExecutionArn string             `json:"executionArn"`
		Status       string             `json:"status"`
		Error        string             `json:"error"`
		Output       json.RawMessage    `json:"output"`
		Seconds      map[string]float64 `json:"seconds"`
		PeakMemory   int64              `json:"peakMemoryBytes"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return measured{}, fmt.Errorf("local run: %v (%v)\n%s", runErr, err, stderr.String())
	}
	load := loadAverage()
	// The process's own peak, and the largest of it and the processes it
	// waited for: the app's synthesis (go run, the CDK's Node.js).
	withChildren := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024

	events, types, err := historyOf(bin, data, res.ExecutionArn)
	if err != nil {
		return measured{}, err
	}
	fmt.Printf("manifests:                %d (%d records)\n", n, n*100)
	fmt.Printf("status:                   %s %s\n", res.Status, res.Error)
	fmt.Printf("output:                   %s\n", res.Output)
	fmt.Printf("wall time:                %s (synth %.1fs, deploy and upload %.1fs, execution %.1fs)\n",
		wall.Round(time.Millisecond), res.Seconds["synth"], res.Seconds["deploy"], res.Seconds["execution"])
	fmt.Printf("peak memory:              %d MiB (local run process); %d MiB with the app's synthesis\n", res.PeakMemory>>20, withChildren>>20)
	fmt.Printf("load average after:       %s\n", load)
	fmt.Printf("parent history events:    %d (%s)\n", events, strings.Join(types, " "))
	return measured{manifests: n, execution: time.Duration(res.Seconds["execution"] * float64(time.Second)), peak: res.PeakMemory, load: load}, nil
}

// writeManifests writes n manifests of 100 records with unique record ids.
func writeManifests(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for m := range n {
		var b strings.Builder
		for r := range 100 {
			fmt.Fprintf(&b, `{"recordId":"M%06dR%03d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Item %d."}]}],"inferenceConfig":{"maxTokens":20}}}`+"\n", m, r, r)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%06d.jsonl", m)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// historyOf serves the data directory with `local serve` and reads the
// execution's history through the Step Functions API.
func historyOf(bin, data, execArn string) (int, []string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	addr := l.Addr().String()
	l.Close()
	serve := exec.Command(bin, "local", "serve", "--data", data, "--addr", addr)
	if err := serve.Start(); err != nil {
		return 0, nil, err
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	}()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		return 0, nil, err
	}
	client := awssfn.NewFromConfig(cfg, func(o *awssfn.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
	var types []string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		types = types[:0]
		pg := awssfn.NewGetExecutionHistoryPaginator(client, &awssfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn)})
		err = nil
		for pg.HasMorePages() {
			page, perr := pg.NextPage(ctx)
			if perr != nil {
				err = perr
				break
			}
			for _, ev := range page.Events {
				types = append(types, string(ev.Type))
			}
		}
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return len(types), types, err
}
