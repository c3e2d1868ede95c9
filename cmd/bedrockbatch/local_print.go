package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localrun"
	"github.com/bedrockbatch/bedrockbatch/watch"
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
			case "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Events::Rule", "AWS::StepFunctions::StateMachine",
				"AWS::SQS::Queue", "AWS::SNS::Topic":
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

// progress reports a run's steps and jobs as localrun.Progress; close it
// when the run ends.
func (p *printer) progress() *jobProgress {
	return &jobProgress{p: p, bar: map[string]*mpb.Bar{}, status: map[string]string{}, last: map[string]string{}}
}

// Step implements localrun.Progress.
func (jp *jobProgress) Step(msg string) { jp.p.step("%s", msg) }

// Deployed implements localrun.Progress.
func (jp *jobProgress) Deployed(res *deploy.Result) { jp.p.deployReport(res) }

// Jobs implements localrun.Progress: bars on a terminal, a line per change
// of status otherwise.
func (jp *jobProgress) Jobs(jobs []bedrocktypes.ModelInvocationJobSummary) {
	if jp.bars == nil && jp.p.tty && !jp.p.json {
		jp.bars = mpb.New(mpb.WithOutput(jp.p.w), mpb.WithWidth(32), mpb.WithRefreshRate(120*time.Millisecond))
	}
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
			if batch.Status(status).Terminal() {
				// An ended job changes no more: what was shown of it is
				// forgotten, so a run of many jobs holds only the running.
				delete(jp.last, arn)
				delete(jp.status, arn)
			}
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

// peakRSS is the process's peak resident memory in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

func (p *printer) result(res *localrun.Result, logPath string) {
	status := string(res.Status)
	if p.json {
		out := map[string]any{
			"executionArn": res.ExecutionArn,
			"resumed":      res.Resumed,
			"reused":       res.Reused,
			"deployed":     res.Deployed,
			"status":       status,
			"summary":      res.Totals,
			"jobs":         res.Jobs,
			"outputFiles":  res.OutputFiles,
			"seconds": map[string]float64{
				"synth": res.Times.Synth.Seconds(), "deploy": res.Times.Deploy.Seconds(),
				"execution": res.Times.Execution.Seconds(), "total": res.Times.Total.Seconds(),
			},
			"peakMemoryBytes": peakRSS(),
		}
		if res.Output != nil {
			out["output"] = res.Output
		}
		if res.Error != "" || res.Cause != "" {
			out["error"], out["cause"] = res.Error, res.Cause
		}
		enc := json.NewEncoder(p.w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return
	}
	p.execution(res.ExecutionArn, status, res.Output, res.Error, res.Cause, res.Summary)
	w := p.w
	fmt.Fprintf(w, "\nTime: synth %s, deploy %s, execution %s, total %s; peak memory %d MB\n",
		round(res.Times.Synth), round(res.Times.Deploy), round(res.Times.Execution), round(res.Times.Total), peakRSS()>>20)
	if logPath != "" {
		fmt.Fprintf(w, "Service logs: %s\n", logPath)
	}
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

// execution prints how an execution ended for people: its status, output
// or error, its jobs' counts and its output files (with their paths on
// this machine when they are in a local cloud).
func (p *printer) execution(arn, status string, output json.RawMessage, errName, cause string, sum watch.Summary) {
	w := p.w
	fmt.Fprintf(w, "\nExecution %s %s\n", batch.ARNName(arn), status)
	if output != nil {
		var pretty bytes.Buffer
		if json.Indent(&pretty, output, "", "  ") == nil {
			fmt.Fprintf(w, "Output:\n%s\n", pretty.String())
		}
	}
	if errName != "" || cause != "" {
		fmt.Fprintf(w, "Error: %s\nCause: %s\n", errName, cause)
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
			fmt.Fprintf(w, "  %s (%d lines)\n", f.URI, f.Lines)
			if f.Path != "" {
				fmt.Fprintf(w, "    %s\n", f.Path)
			}
		}
	}
}
