package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// printer writes what a run shows: steps and progress for people, or one
// JSON object at the end with --json.
type printer struct {
	w    io.Writer
	json bool
	tty  bool
}

func newPrinter(w io.Writer, jsonOut bool) *printer {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &printer{w: w, json: jsonOut, tty: tty}
}

func (p *printer) step(format string, args ...any) {
	if !p.json {
		fmt.Fprintf(p.w, "• "+format+"\n", args...)
	}
}

func (p *printer) deployReport(res *deploy.Result) {
	counts := map[deploy.Action]int{}
	var created []string
	for _, c := range res.Changes {
		counts[c.Action]++
		if c.Action == deploy.Created || c.Action == deploy.Updated {
			switch c.Type {
			case "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Events::Rule", "AWS::StepFunctions::StateMachine":
				created = append(created, fmt.Sprintf("%s %s", shortType(c.Type), c.PhysicalID))
			}
		}
	}
	p.step("deployed %d resources: %d created, %d updated, %d unchanged, %d recorded only (IAM, logs, policies)",
		len(res.Changes), counts[deploy.Created], counts[deploy.Updated], counts[deploy.Unchanged], counts[deploy.Recorded])
	for _, c := range created {
		p.step("  %s", c)
	}
}

func shortType(t string) string {
	parts := strings.Split(t, "::")
	return strings.ToLower(parts[len(parts)-1])
}

// jobProgress shows one line per batch job: bars on a terminal, a line per
// change of status otherwise.
type jobProgress struct {
	p      *printer
	bars   *mpb.Progress
	bar    map[string]*mpb.Bar
	status map[string]string
	last   map[string]string
}

func (p *printer) progress() *jobProgress {
	jp := &jobProgress{p: p, bar: map[string]*mpb.Bar{}, status: map[string]string{}, last: map[string]string{}}
	if p.tty && !p.json {
		jp.bars = mpb.New(mpb.WithOutput(p.w), mpb.WithWidth(32), mpb.WithRefreshRate(120*time.Millisecond))
	}
	return jp
}

func (jp *jobProgress) update(jobs []bedrocktypes.ModelInvocationJobSummary) {
	for _, j := range jobs {
		arn, name, status := aws.ToString(j.JobArn), aws.ToString(j.JobName), string(j.Status)
		done, total := aws.ToInt64(j.ProcessedRecordCount), aws.ToInt64(j.TotalRecordCount)
		jp.status[arn] = status
		if jp.bars == nil {
			line := fmt.Sprintf("%s %s", name, status)
			if total > 0 {
				line += fmt.Sprintf(" %d/%d records", done, total)
			}
			if jp.last[arn] != line && (jp.last[arn] == "" || batch.Status(status).Terminal() || !strings.HasPrefix(jp.last[arn], name+" "+status)) {
				jp.p.step("job %s", line)
			}
			jp.last[arn] = line
			continue
		}
		b, ok := jp.bar[arn]
		if !ok {
			arnCopy := arn
			b = jp.bars.AddBar(max(total, 1),
				mpb.PrependDecorators(
					decor.Name(name, decor.WCSyncSpaceR),
					decor.Any(func(decor.Statistics) string { return jp.status[arnCopy] }, decor.WCSyncSpaceR),
				),
				mpb.AppendDecorators(decor.CountersNoUnit("%d / %d records", decor.WCSyncSpace)),
			)
			jp.bar[arn] = b
		}
		if total > 0 {
			b.SetTotal(total, false)
		}
		b.SetCurrent(done)
		if batch.Status(status).Terminal() && !b.AbortedOrCompleted() {
			if batch.Status(status).Succeeded() {
				b.SetTotal(-1, true)
			} else {
				b.Abort(false)
			}
		}
	}
}

func (jp *jobProgress) close() {
	if jp.bars == nil {
		return
	}
	for _, b := range jp.bar {
		if !b.AbortedOrCompleted() {
			b.Abort(false)
		}
	}
	jp.bars.Wait()
}

// runSummary is what a run reports about its jobs.
type runSummary struct {
	Resumed     bool
	Deployed    map[deploy.Action]int
	Jobs        []jobSummary `json:"jobs"`
	Totals      manifest.Summary
	OutputFiles []outputFile `json:"outputFiles"`
}

type jobSummary struct {
	Name    string           `json:"name"`
	Arn     string           `json:"arn"`
	Status  string           `json:"status"`
	Message string           `json:"message,omitempty"`
	Summary manifest.Summary `json:"summary"`
}

type outputFile struct {
	URI   string `json:"uri"`
	Path  string `json:"path"`
	Lines int    `json:"lines"`
}

// summarize reads each job's manifest.json.out and the execution's output
// files through S3.
func summarize(ctx context.Context, s3c *awss3.Client, cloud *localcloud.Cloud, desc *awssfn.DescribeExecutionOutput, jobs []bedrocktypes.ModelInvocationJobSummary) runSummary {
	var sum runSummary
	for _, j := range jobs {
		js := jobSummary{Name: aws.ToString(j.JobName), Arn: aws.ToString(j.JobArn), Status: string(j.Status), Message: aws.ToString(j.Message)}
		if out := j.OutputDataConfig; out != nil {
			if s3out, ok := out.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig); ok {
				if uri, err := batch.ParseS3URI(aws.ToString(s3out.Value.S3Uri)); err == nil {
					if a, err := batch.ParseJobArn(js.Arn); err == nil {
						key := batch.JobOutputPrefix(uri, a.JobID) + manifest.SummaryName
						if obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: &uri.Bucket, Key: &key}); err == nil {
							js.Summary, _ = manifest.ReadSummary(obj.Body)
							obj.Body.Close()
						}
					}
				}
			}
		}
		t := &sum.Totals
		t.TotalRecordCount += js.Summary.TotalRecordCount
		t.ProcessedRecordCount += js.Summary.ProcessedRecordCount
		t.SuccessRecordCount += js.Summary.SuccessRecordCount
		t.ErrorRecordCount += js.Summary.ErrorRecordCount
		t.InputTokenCount += js.Summary.InputTokenCount
		t.OutputTokenCount += js.Summary.OutputTokenCount
		sum.Jobs = append(sum.Jobs, js)
	}
	var results []batch.JobResult
	if desc.Output != nil && json.Unmarshal([]byte(aws.ToString(desc.Output)), &results) == nil {
		for _, r := range results {
			for _, k := range r.Keys {
				of := outputFile{URI: "s3://" + r.Bucket + "/" + k, Path: cloud.Store.ObjectPath(r.Bucket, k)}
				bucket, key := r.Bucket, k
				if obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: &bucket, Key: &key}); err == nil {
					of.Lines = countLines(obj.Body)
					obj.Body.Close()
				}
				sum.OutputFiles = append(sum.OutputFiles, of)
			}
		}
	}
	sort.Slice(sum.Jobs, func(i, j int) bool { return sum.Jobs[i].Name < sum.Jobs[j].Name })
	sort.Slice(sum.OutputFiles, func(i, j int) bool { return sum.OutputFiles[i].URI < sum.OutputFiles[j].URI })
	return sum
}

func countLines(r io.Reader) int {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	n := 0
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n
}

// peakRSS is the process's peak resident memory in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

func (p *printer) result(desc *awssfn.DescribeExecutionOutput, sum runSummary, times phases, logPath string) {
	status := string(desc.Status)
	if p.json {
		out := map[string]any{
			"executionArn": aws.ToString(desc.ExecutionArn),
			"resumed":      sum.Resumed,
			"deployed":     sum.Deployed,
			"status":       status,
			"summary":      sum.Totals,
			"jobs":         sum.Jobs,
			"outputFiles":  sum.OutputFiles,
			"seconds": map[string]float64{
				"synth": times.Synth.Seconds(), "deploy": times.Deploy.Seconds(),
				"execution": times.Execution.Seconds(), "total": times.Total.Seconds(),
			},
			"peakMemoryBytes": peakRSS(),
		}
		if desc.Output != nil {
			out["output"] = json.RawMessage(aws.ToString(desc.Output))
		}
		if desc.Error != nil || desc.Cause != nil {
			out["error"], out["cause"] = aws.ToString(desc.Error), aws.ToString(desc.Cause)
		}
		enc := json.NewEncoder(p.w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return
	}
	w := p.w
	fmt.Fprintf(w, "\nExecution %s %s\n", lastSegment(aws.ToString(desc.ExecutionArn)), status)
	if desc.Output != nil {
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(aws.ToString(desc.Output)), "", "  ") == nil {
			fmt.Fprintf(w, "Output:\n%s\n", pretty.String())
		}
	}
	if desc.Error != nil || desc.Cause != nil {
		fmt.Fprintf(w, "Error: %s\nCause: %s\n", aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	if len(sum.Jobs) > 0 {
		fmt.Fprintln(w, "\nJobs:")
		for _, j := range sum.Jobs {
			fmt.Fprintf(w, "  %-40s %-18s %6d records: %d succeeded, %d failed; tokens in %d, out %d\n",
				j.Name, j.Status, j.Summary.TotalRecordCount, j.Summary.SuccessRecordCount, j.Summary.ErrorRecordCount,
				j.Summary.InputTokenCount, j.Summary.OutputTokenCount)
			if j.Message != "" && !batch.Status(j.Status).Succeeded() {
				fmt.Fprintf(w, "  %-40s %s\n", "", j.Message)
			}
		}
		t := sum.Totals
		fmt.Fprintf(w, "Total: %d records, %d succeeded, %d failed; %d input and %d output tokens\n",
			t.TotalRecordCount, t.SuccessRecordCount, t.ErrorRecordCount, t.InputTokenCount, t.OutputTokenCount)
	}
	if len(sum.OutputFiles) > 0 {
		fmt.Fprintln(w, "\nOutput files:")
		for _, f := range sum.OutputFiles {
			fmt.Fprintf(w, "  %s (%d lines)\n    %s\n", f.URI, f.Lines, f.Path)
		}
	}
	fmt.Fprintf(w, "\nTime: synth %s, deploy %s, execution %s, total %s; peak memory %d MB\n",
		round(times.Synth), round(times.Deploy), round(times.Execution), round(times.Total), peakRSS()>>20)
	if logPath != "" {
		fmt.Fprintf(w, "Service logs: %s\n", logPath)
	}
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
