package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// jobView is a batch job as the job list shows it.
type jobView struct {
	Name      string     `json:"name"`
	Arn       string     `json:"arn"`
	Status    string     `json:"status"`
	Message   string     `json:"message,omitempty"`
	Model     string     `json:"model"`
	Submitted *time.Time `json:"submitted,omitempty"`
	Ended     *time.Time `json:"ended,omitempty"`
	Total     int64      `json:"total"`
	Processed int64      `json:"processed"`
	Success   int64      `json:"success"`
	Errors    int64      `json:"errors"`
	Input     string     `json:"input"`
	Output    string     `json:"output"`
	// Tokens and Cost come from the job's manifest.json.out, which Bedrock
	// writes when the job ends; nil before, and Cost nil for a model
	// without a known price or a console given no prices (the page shows
	// "no price").
	InputTokens  *int64   `json:"inputTokens,omitempty"`
	OutputTokens *int64   `json:"outputTokens,omitempty"`
	Cost         *float64 `json:"cost,omitempty"`
}

// jobsShown is how many jobs the job list shows, newest first: a page
// polled every few seconds lists a bounded number of jobs, not every job
// the cloud ever ran.
const jobsShown = 500

// jobs lists the newest jobsShown batch jobs, newest first; more says
// whether older ones exist.
func (h *handler) jobs(r *http.Request) (any, error) {
	ctx := r.Context()
	jobs := []jobView{}
	page, err := h.bedrock.ListModelInvocationJobs(ctx, &awsbedrock.ListModelInvocationJobsInput{
		SortBy: bedrocktypes.SortJobsByCreationTime, SortOrder: bedrocktypes.SortOrderDescending,
		MaxResults: aws.Int32(jobsShown),
	})
	if err != nil {
		return nil, fmt.Errorf("list batch jobs: %w", err)
	}
	for _, j := range page.InvocationJobSummaries {
		v := jobView{
			Name: aws.ToString(j.JobName), Arn: aws.ToString(j.JobArn), Status: string(j.Status),
			Message: aws.ToString(j.Message), Model: aws.ToString(j.ModelId),
			Submitted: j.SubmitTime, Ended: j.EndTime,
			Total: aws.ToInt64(j.TotalRecordCount), Processed: aws.ToInt64(j.ProcessedRecordCount),
			Success: aws.ToInt64(j.SuccessRecordCount), Errors: aws.ToInt64(j.ErrorRecordCount),
			Input: inputURI(j.InputDataConfig), Output: outputURI(j.OutputDataConfig),
		}
		h.addTokens(ctx, &v)
		jobs = append(jobs, v)
	}
	return map[string]any{"jobs": jobs, "more": aws.ToString(page.NextToken) != ""}, nil
}

// jobDetail is the job page: the job, its output files and failed records.
type jobDetail struct {
	Job     jobView        `json:"job"`
	Files   []objectView   `json:"files"`
	Failed  []failedRecord `json:"failed"`
	Timeout int32          `json:"timeoutHours,omitempty"`
	// FailedShown is how many failed records Failed holds at most.
	FailedShown int `json:"failedShown"`
}

type failedRecord struct {
	File     string `json:"file"`
	RecordID string `json:"recordId"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
}

// maxFailedShown bounds the failed records the job page lists.
const maxFailedShown = 100

// job describes one job (?arn=).
func (h *handler) job(r *http.Request) (any, error) {
	ctx := r.Context()
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		return nil, badRequest("give the job's ARN as ?arn=")
	}
	j, err := h.bedrock.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("get batch job: %w", err)
	}
	d := jobDetail{
		Job: jobView{
			Name: aws.ToString(j.JobName), Arn: aws.ToString(j.JobArn), Status: string(j.Status),
			Message: aws.ToString(j.Message), Model: aws.ToString(j.ModelId),
			Submitted: j.SubmitTime, Ended: j.EndTime,
			Total: aws.ToInt64(j.TotalRecordCount), Processed: aws.ToInt64(j.ProcessedRecordCount),
			Success: aws.ToInt64(j.SuccessRecordCount), Errors: aws.ToInt64(j.ErrorRecordCount),
			Input: inputURI(j.InputDataConfig), Output: outputURI(j.OutputDataConfig),
		},
		Timeout: aws.ToInt32(j.TimeoutDurationInHours), Files: []objectView{}, Failed: []failedRecord{},
		FailedShown: maxFailedShown,
	}
	h.addTokens(ctx, &d.Job)
	bucket, prefix, ok := jobOutputPrefix(d.Job)
	if !ok {
		return d, nil
	}
	pg := awss3.NewListObjectsV2Paginator(h.s3, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the job's output: %w", err)
		}
		for _, o := range page.Contents {
			d.Files = append(d.Files, objectView{Bucket: bucket, Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: o.LastModified})
		}
	}
	if d.Job.Errors == 0 {
		return d, nil
	}
	for _, f := range d.Files {
		if !strings.HasSuffix(f.Key, manifest.OutputSuffix) || path.Base(f.Key) == manifest.SummaryName || len(d.Failed) >= maxFailedShown {
			continue
		}
		if err := h.readFailed(ctx, f, &d.Failed); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// readFailed appends the failed records of an output file to failed.
func (h *handler) readFailed(ctx context.Context, f objectView, failed *[]failedRecord) error {
	obj, err := h.s3.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(f.Bucket), Key: aws.String(f.Key)})
	if err != nil {
		return fmt.Errorf("read output %s: %w", f.Key, err)
	}
	defer obj.Body.Close()
	out := manifest.NewOutputReader(obj.Body, f.Key, 0)
	for len(*failed) < maxFailedShown {
		line, err := out.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read output %s: %w", f.Key, err)
		}
		if line.Error != nil {
			*failed = append(*failed, failedRecord{File: f.Key, RecordID: line.RecordID, Code: line.Error.ErrorCode, Message: line.Error.ErrorMessage})
		}
	}
	return nil
}

// stopJob stops a batch job (?arn=), as StopModelInvocationJob does.
func (h *handler) stopJob(r *http.Request) (any, error) {
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		return nil, badRequest("give the job's ARN as ?arn=")
	}
	if _, err := h.bedrock.StopModelInvocationJob(r.Context(), &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arn)}); err != nil {
		return nil, fmt.Errorf("stop batch job: %w", err)
	}
	return map[string]bool{"stopping": true}, nil
}

// jobOutputPrefix is where the job writes its output files.
func jobOutputPrefix(j jobView) (bucket, prefix string, ok bool) {
	uri, err := batch.ParseS3URI(j.Output)
	if err != nil {
		return "", "", false
	}
	a, err := batch.ParseJobArn(j.Arn)
	if err != nil {
		return "", "", false
	}
	return uri.Bucket, batch.JobOutputPrefix(uri, a.JobID), true
}

// addTokens fills in the tokens and cost of a job that has ended, from its
// manifest.json.out.
func (h *handler) addTokens(ctx context.Context, j *jobView) {
	if j.Ended == nil {
		return
	}
	sum, ok := h.tokens.get(j.Arn)
	if !ok {
		bucket, prefix, found := jobOutputPrefix(*j)
		if !found {
			return
		}
		obj, err := h.s3.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + manifest.SummaryName)})
		if err != nil {
			return
		}
		sum, err = manifest.ReadSummary(obj.Body)
		obj.Body.Close()
		if err != nil {
			return
		}
		h.tokens.put(j.Arn, sum)
	}
	j.InputTokens, j.OutputTokens = &sum.InputTokenCount, &sum.OutputTokenCount
	if h.opts.Prices == nil {
		return
	}
	if usd, ok := h.opts.Prices.BatchCost(j.Model, sum.InputTokenCount, sum.OutputTokenCount); ok {
		j.Cost = &usd
	}
}

// summaryCache keeps the summaries of ended jobs, which never change, so
// that the job list, polled every second, reads each one once.
type summaryCache struct {
	mu sync.Mutex
	m  map[string]manifest.Summary
}

func newSummaryCache() *summaryCache { return &summaryCache{m: map[string]manifest.Summary{}} }

func (c *summaryCache) get(arn string) (manifest.Summary, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[arn]
	return s, ok
}

func (c *summaryCache) put(arn string, s manifest.Summary) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[arn] = s
}

func inputURI(c bedrocktypes.ModelInvocationJobInputDataConfig) string {
	if s3in, ok := c.(*bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig); ok {
		return aws.ToString(s3in.Value.S3Uri)
	}
	return ""
}

func outputURI(c bedrocktypes.ModelInvocationJobOutputDataConfig) string {
	if s3out, ok := c.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig); ok {
		return aws.ToString(s3out.Value.S3Uri)
	}
	return ""
}
