package watch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// Summary is what an execution's jobs produced.
type Summary struct {
	Jobs        []Job            `json:"jobs"`
	Totals      manifest.Summary `json:"summary"`
	OutputFiles []OutputFile     `json:"outputFiles"`
}

// Job is one batch job and the counts of its manifest.json.out.
type Job struct {
	Name    string           `json:"name"`
	Arn     string           `json:"arn"`
	Status  string           `json:"status"`
	Message string           `json:"message,omitempty"`
	Summary manifest.Summary `json:"summary"`
}

// OutputFile is one .jsonl.out object named in the execution's output.
type OutputFile struct {
	URI string `json:"uri"`
	// Path is where the object is on this machine's disk, when it is in a
	// local cloud (set by the caller); empty on AWS.
	Path  string `json:"path"`
	Lines int    `json:"lines"`
}

// Summarize reads each job's manifest.json.out and tells the lines of the
// output files the execution's output names: from the manifest.json.out
// of the file's job when the job read one input file (each record it
// processed is one output line), else by counting them. Objects it cannot
// read count as empty: a summary is a report, not a check.
func Summarize(ctx context.Context, s3c *s3.Client, desc *sfn.DescribeExecutionOutput, jobs []bedrocktypes.ModelInvocationJobSummary) Summary {
	sum := Summary{Jobs: make([]Job, 0, len(jobs))}
	// lines are the output lines of the jobs that read one file, by job id.
	lines := map[string]int64{}
	for _, j := range jobs {
		js := Job{Name: aws.ToString(j.JobName), Arn: aws.ToString(j.JobArn), Status: string(j.Status), Message: aws.ToString(j.Message)}
		if key, bucket, ok := summaryObject(j); ok {
			if obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key}); err == nil {
				var rerr error
				js.Summary, rerr = manifest.ReadSummary(obj.Body)
				obj.Body.Close()
				if a, err := batch.ParseJobArn(js.Arn); err == nil && rerr == nil && oneInputFile(j) {
					lines[a.JobID] = js.Summary.ProcessedRecordCount
				}
			}
		}
		sum.Totals.Add(js.Summary)
		sum.Jobs = append(sum.Jobs, js)
	}
	var results []batch.JobResult
	if desc.Output != nil && json.Unmarshal([]byte(aws.ToString(desc.Output)), &results) == nil {
		for _, r := range results {
			for _, k := range r.Keys {
				of := OutputFile{URI: batch.S3URI{Bucket: r.Bucket, Key: k}.String()}
				if n, ok := lines[jobIDOfOutput(k)]; ok && len(r.Keys) == 1 {
					of.Lines = int(n)
				} else if obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(k)}); err == nil {
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

// oneInputFile tells whether a job read a single object rather than every
// object under a prefix (an S3 URI ending in a slash).
func oneInputFile(j bedrocktypes.ModelInvocationJobSummary) bool {
	in, ok := j.InputDataConfig.(*bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
	return ok && !strings.HasSuffix(aws.ToString(in.Value.S3Uri), "/")
}

// jobIDOfOutput is the job id in an output key, <prefix><job id>/<name>.out.
func jobIDOfOutput(key string) string {
	slash := strings.LastIndexByte(key, '/')
	if slash < 0 {
		return ""
	}
	dir := key[:slash]
	return dir[strings.LastIndexByte(dir, '/')+1:]
}

// summaryObject is where a job's manifest.json.out is.
func summaryObject(j bedrocktypes.ModelInvocationJobSummary) (key, bucket string, ok bool) {
	s3out, isS3 := j.OutputDataConfig.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !isS3 {
		return "", "", false
	}
	uri, err := batch.ParseS3URI(aws.ToString(s3out.Value.S3Uri))
	if err != nil {
		return "", "", false
	}
	a, err := batch.ParseJobArn(aws.ToString(j.JobArn))
	if err != nil {
		return "", "", false
	}
	return batch.JobOutputPrefix(uri, a.JobID) + manifest.SummaryName, uri.Bucket, true
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
