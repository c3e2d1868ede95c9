package watch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// jobWatch follows the jobs of one execution look after look, at a cost per
// look of what changed rather than of how many jobs the execution has run:
// a look lists jobs newest first and stops at the first one an earlier look
// listed, then describes only the execution's jobs that had not ended.
// Ended jobs are not asked about again.
type jobWatch struct {
	br     *bedrock.Client
	filter *JobFilter
	since  time.Time

	// jobs are the execution's jobs, oldest first, those that ended cut
	// down to what a summary reads (see slim); open holds the indexes of
	// those not yet ended, by ARN.
	jobs []bedrocktypes.ModelInvocationJobSummary
	open map[string]int
	// newest is the latest submit time a listing returned, and atNewest
	// the ARNs of the jobs submitted then: a listing stops at the first
	// job older than newest.
	newest   time.Time
	atNewest map[string]bool
}

func newJobWatch(br *bedrock.Client, filter *JobFilter, since time.Time) *jobWatch {
	return &jobWatch{br: br, filter: filter, since: since, open: map[string]int{}, atNewest: map[string]bool{}}
}

// look brings the jobs up to date and returns those that are new or whose
// status or counts changed since the previous look, oldest first.
func (w *jobWatch) look(ctx context.Context) ([]bedrocktypes.ModelInvocationJobSummary, error) {
	fresh, err := w.listNew(ctx)
	if err != nil {
		return nil, err
	}
	var changed []bedrocktypes.ModelInvocationJobSummary
	for arn, i := range w.open {
		out, err := w.br.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describe batch job %s: %w", arn, err)
		}
		j := summaryOf(out)
		if differs(w.jobs[i], j) {
			changed = append(changed, j)
		}
		w.jobs[i] = j
		if ended(j) {
			delete(w.open, arn)
			w.jobs[i] = slim(j)
		}
	}
	for _, j := range w.filter.Keep(ctx, fresh) {
		changed = append(changed, j)
		if ended(j) {
			j = slim(j)
		} else {
			w.open[aws.ToString(j.JobArn)] = len(w.jobs)
		}
		w.jobs = append(w.jobs, j)
	}
	sortBySubmitTime(changed)
	return changed, nil
}

// listNew lists the jobs submitted since w.since that no earlier look
// listed, oldest first: newest first, down to the newest time an earlier
// look saw. Jobs submitted at that very time are all looked at, so none is
// missed whatever the order of ties.
func (w *jobWatch) listNew(ctx context.Context) ([]bedrocktypes.ModelInvocationJobSummary, error) {
	var fresh []bedrocktypes.ModelInvocationJobSummary
	pg := bedrock.NewListModelInvocationJobsPaginator(w.br, &bedrock.ListModelInvocationJobsInput{
		SubmitTimeAfter: aws.Time(w.since.Add(-time.Second)),
		SortBy:          bedrocktypes.SortJobsByCreationTime,
		SortOrder:       bedrocktypes.SortOrderDescending,
	})
pages:
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list batch jobs: %w", err)
		}
		for _, j := range page.InvocationJobSummaries {
			at := aws.ToTime(j.SubmitTime)
			if at.Before(w.newest) {
				break pages
			}
			if at.Equal(w.newest) && w.atNewest[aws.ToString(j.JobArn)] {
				continue
			}
			fresh = append(fresh, j)
		}
	}
	for _, j := range fresh {
		switch at := aws.ToTime(j.SubmitTime); {
		case at.After(w.newest):
			w.newest = at
			w.atNewest = map[string]bool{aws.ToString(j.JobArn): true}
		case at.Equal(w.newest):
			w.atNewest[aws.ToString(j.JobArn)] = true
		}
	}
	// Newest first from the listing; oldest first to the caller.
	slices.Reverse(fresh)
	return fresh, nil
}

// all is every job of the execution seen so far, oldest first. A job
// without the execution tag, kept by an early look, is dropped once a job
// of the execution turned out to carry the tag (see JobFilter).
func (w *jobWatch) all(ctx context.Context) []bedrocktypes.ModelInvocationJobSummary {
	return w.filter.Keep(ctx, w.jobs)
}

// sortBySubmitTime orders jobs oldest first, ties by ARN.
func sortBySubmitTime(jobs []bedrocktypes.ModelInvocationJobSummary) {
	slices.SortStableFunc(jobs, func(a, b bedrocktypes.ModelInvocationJobSummary) int {
		if c := aws.ToTime(a.SubmitTime).Compare(aws.ToTime(b.SubmitTime)); c != 0 {
			return c
		}
		return strings.Compare(aws.ToString(a.JobArn), aws.ToString(b.JobArn))
	})
}

func ended(j bedrocktypes.ModelInvocationJobSummary) bool {
	return batch.Status(j.Status).Terminal()
}

// differs tells whether a job's status, message or counts changed.
func differs(a, b bedrocktypes.ModelInvocationJobSummary) bool {
	return a.Status != b.Status || aws.ToString(a.Message) != aws.ToString(b.Message) ||
		aws.ToInt64(a.ProcessedRecordCount) != aws.ToInt64(b.ProcessedRecordCount) ||
		aws.ToInt64(a.TotalRecordCount) != aws.ToInt64(b.TotalRecordCount) ||
		aws.ToInt64(a.SuccessRecordCount) != aws.ToInt64(b.SuccessRecordCount) ||
		aws.ToInt64(a.ErrorRecordCount) != aws.ToInt64(b.ErrorRecordCount)
}

// slim is an ended job's summary with only what Summarize and a progress
// display read, so that a watch of a hundred thousand jobs holds little
// for each.
func slim(j bedrocktypes.ModelInvocationJobSummary) bedrocktypes.ModelInvocationJobSummary {
	return bedrocktypes.ModelInvocationJobSummary{
		JobArn: j.JobArn, JobName: j.JobName, ModelId: j.ModelId, Status: j.Status, Message: j.Message,
		SubmitTime: j.SubmitTime, EndTime: j.EndTime, InputDataConfig: j.InputDataConfig, OutputDataConfig: j.OutputDataConfig,
		TotalRecordCount: j.TotalRecordCount, ProcessedRecordCount: j.ProcessedRecordCount,
		SuccessRecordCount: j.SuccessRecordCount, ErrorRecordCount: j.ErrorRecordCount,
	}
}

// summaryOf is a job's description as the listing reports it.
func summaryOf(o *bedrock.GetModelInvocationJobOutput) bedrocktypes.ModelInvocationJobSummary {
	return bedrocktypes.ModelInvocationJobSummary{
		InputDataConfig: o.InputDataConfig, JobArn: o.JobArn, JobName: o.JobName, ModelId: o.ModelId,
		OutputDataConfig: o.OutputDataConfig, RoleArn: o.RoleArn, SubmitTime: o.SubmitTime,
		ClientRequestToken: o.ClientRequestToken, EndTime: o.EndTime, ErrorRecordCount: o.ErrorRecordCount,
		JobExpirationTime: o.JobExpirationTime, LastModifiedTime: o.LastModifiedTime, Message: o.Message,
		ModelInvocationType: o.ModelInvocationType, ProcessedRecordCount: o.ProcessedRecordCount, Status: o.Status,
		SuccessRecordCount: o.SuccessRecordCount, TimeoutDurationInHours: o.TimeoutDurationInHours,
		TotalRecordCount: o.TotalRecordCount, VpcConfig: o.VpcConfig,
	}
}
