// Command quota measures how well executions of the bundled example share
// Bedrock's quota of concurrent batch jobs: it runs several executions at
// once in the local cloud, on a compressed clock, and prints the makespan
// (first start to last end) over the optimum (the jobs' total running time
// divided by the quota), for the fragment as synthesized and for other
// Map concurrencies and quota-retry policies given on the command line.
//
//	go run ./bench/quota                         # 2 executions × 100 manifests, quota 20
//	go run ./bench/quota -max-concurrency 10     # each execution takes half the quota
//	go run ./bench/quota -retry-max-delay 2m -retry-attempts 200
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/sampleapp"
)

type config struct {
	executions, manifests, records, quota int
	jobTime                               time.Duration
	timeScale                             float64
	maxConcurrency                        int
	retryInterval, retryMaxDelay          time.Duration
	retryAttempts                         int
}

func main() {
	nodeenv.Ensure()
	var c config
	flag.IntVar(&c.executions, "executions", 2, "executions started together")
	flag.IntVar(&c.manifests, "manifests", 200, "manifests in all, split evenly over the executions")
	flag.IntVar(&c.records, "records", 100, "records per manifest (Bedrock's minimum is 100)")
	flag.IntVar(&c.quota, "quota", 20, "submitted plus in-progress jobs per model")
	flag.DurationVar(&c.jobTime, "job-time", 20*time.Minute, "how long one job runs, in the cloud's time")
	flag.Float64Var(&c.timeScale, "time-scale", 600, "how much faster than real time the cloud's clock runs")
	flag.IntVar(&c.maxConcurrency, "max-concurrency", 0, "the Map's MaxConcurrency (default: as synthesized)")
	flag.DurationVar(&c.retryInterval, "retry-interval", 0, "first wait of the quota retry (default: as synthesized)")
	flag.DurationVar(&c.retryMaxDelay, "retry-max-delay", 0, "longest wait of the quota retry (default: as synthesized)")
	flag.IntVar(&c.retryAttempts, "retry-attempts", 0, "attempts of the quota retry (default: as synthesized)")
	flag.Parse()
	if c.executions < 1 || c.manifests < c.executions || c.manifests%c.executions != 0 || c.records < 100 || c.records > 512 || c.quota < 1 || c.timeScale < 1 {
		fmt.Fprintln(os.Stderr, "quota: -manifests must be a multiple of -executions, -records from 100 to 512, -quota at least 1, -time-scale at least 1")
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "quota:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "bedrockbatch-quota-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	keys := make([]string, c.manifests/c.executions)
	for i := range keys {
		keys[i] = fmt.Sprintf("input/part-%04d.jsonl", i)
	}
	assembly := filepath.Join(dir, "cdk.out")
	// The local cloud runs the functions in-process: no bundling.
	cdkContext := map[string]any{appcontract.ContextManifestKeys: keys, appcontract.ContextInProcessFunctions: true}
	if err := localrun.Synthesize(ctx, "", assembly, cdkContext); err != nil {
		return err
	}

	clk := clock.NewScaled(c.timeScale)
	opts := localcloud.Options{DataDir: filepath.Join(dir, "data"), Clock: clk, Logger: slog.New(slog.DiscardHandler)}
	opts.Models.Sim.Clock = clk
	// The engine hands records to its 8 workers 64 at a time, and a worker
	// runs its records one after the other: up to 512 records, a job takes
	// min(records, 64) record latencies.
	opts.Models.Sim.Latency = c.jobTime / time.Duration(min(c.records, 64))
	opts.Bedrock.MaxJobsPerModel = c.quota
	opts.Bedrock.MaxRunningJobs = c.quota // every admitted job runs, as on the service
	opts.Bedrock.RecordConcurrency = 8
	cloud, res, err := localrun.Open(ctx, opts, assembly)
	if err != nil {
		return err
	}
	defer cloud.Close()
	if err := cloud.Start(ctx); err != nil {
		return err
	}
	cfg := cloud.AWSConfig()
	s3c := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	sf := awssfn.NewFromConfig(cfg)
	br := awsbedrock.NewFromConfig(cfg)

	bucket, err := localrun.PickBucket(res, "")
	if err != nil {
		return err
	}
	m, err := localrun.PickStateMachine(res, "")
	if err != nil {
		return err
	}
	machine := m.PhysicalID
	body, err := manifestBody(c.records)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			return err
		}
	}
	policy, err := tune(ctx, sf, machine, c)
	if err != nil {
		return err
	}

	arns := make([]string, c.executions)
	for i := range arns {
		out, err := sf.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(machine),
			Name: aws.String(fmt.Sprintf("share-%d", i)), Input: aws.String("{}")})
		if err != nil {
			return err
		}
		arns[i] = aws.ToString(out.ExecutionArn)
	}
	var first, last time.Time
	failed := 0
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, arn := range arns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, err := cloud.StepFunctions.Engine().Wait(ctx, arn)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || info.Status != "SUCCEEDED" {
				failed++
				fmt.Fprintf(os.Stderr, "execution %s: %s %s: %.300s\n", arn, info.Status, info.Error, info.Cause)
			}
			if first.IsZero() || info.StartDate.Before(first) {
				first = info.StartDate
			}
			if info.StopDate.After(last) {
				last = info.StopDate
			}
		}()
	}
	wg.Wait()

	busy, jobs, err := jobTime(ctx, br)
	if err != nil {
		return err
	}
	makespan := last.Sub(first)
	optimum := busy / time.Duration(c.quota)
	fmt.Printf("%d executions × %d manifests of %d records, quota %d, %s per job (time scale %g)\n",
		c.executions, len(keys), c.records, c.quota, c.jobTime, c.timeScale)
	fmt.Printf("policy: %s\n", policy)
	fmt.Printf("jobs completed %d of %d, executions failed %d\n", jobs, c.manifests, failed)
	fmt.Printf("makespan %s, optimum %s (total job time %s / %d), ratio %.3f\n",
		makespan.Round(time.Second), optimum.Round(time.Second), busy.Round(time.Second), c.quota, float64(makespan)/float64(optimum))
	return nil
}

// manifestBody is the first n records of the bundled sample, which holds
// more than enough.
func manifestBody(n int) ([]byte, error) {
	f, err := sampleapp.Data.Open(sampleapp.DataDir + "/manifest-1.jsonl")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		out.Write(sc.Bytes())
		out.WriteByte('\n')
	}
	return out.Bytes(), sc.Err()
}

// tune rewrites the deployed definition with the flags' Map concurrency
// and quota retry, and describes the policy that runs.
func tune(ctx context.Context, sf *awssfn.Client, machine string, c config) (string, error) {
	desc, err := sf.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
	if err != nil {
		return "", err
	}
	var def map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(desc.Definition)), &def); err != nil {
		return "", err
	}
	var policy []string
	walk(def, func(m map[string]any) {
		if m["Type"] == "Map" {
			if c.maxConcurrency > 0 {
				m["MaxConcurrency"] = c.maxConcurrency
			}
			policy = append(policy, fmt.Sprintf("MaxConcurrency %v", m["MaxConcurrency"]))
		}
		if errs, ok := m["ErrorEquals"].([]any); ok && len(errs) > 0 && errs[0] == "ServiceQuotaExceededException" {
			if c.retryInterval > 0 {
				m["IntervalSeconds"] = int(c.retryInterval.Seconds())
			}
			if c.retryMaxDelay > 0 {
				m["MaxDelaySeconds"] = int(c.retryMaxDelay.Seconds())
			}
			if c.retryAttempts > 0 {
				m["MaxAttempts"] = c.retryAttempts
			}
			policy = append(policy, fmt.Sprintf("quota retry every %vs ×%v up to %vs, %v attempts, jitter %v",
				m["IntervalSeconds"], m["BackoffRate"], m["MaxDelaySeconds"], m["MaxAttempts"], m["JitterStrategy"]))
		}
	})
	raw, err := json.Marshal(def)
	if err != nil {
		return "", err
	}
	if _, err := sf.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(machine), Definition: aws.String(string(raw))}); err != nil {
		return "", err
	}
	sort.Strings(policy)
	return strings.Join(policy, "; "), nil
}

func walk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, y := range x {
			walk(y, f)
		}
	case []any:
		for _, y := range x {
			walk(y, f)
		}
	}
}

// jobTime sums the running time (submission to end) of the completed jobs.
func jobTime(ctx context.Context, br *awsbedrock.Client) (time.Duration, int, error) {
	var total time.Duration
	n := 0
	pages := awsbedrock.NewListModelInvocationJobsPaginator(br, &awsbedrock.ListModelInvocationJobsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, 0, err
		}
		for _, j := range page.InvocationJobSummaries {
			if j.Status != bedrocktypes.ModelInvocationJobStatusCompleted || j.EndTime == nil || j.SubmitTime == nil {
				continue
			}
			total += j.EndTime.Sub(*j.SubmitTime)
			n++
		}
	}
	return total, n, nil
}
