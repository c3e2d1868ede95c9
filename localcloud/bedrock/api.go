package bedrock

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// CreateJob creates a model invocation job (CreateModelInvocationJob) and
// returns its ARN. A request with the clientRequestToken of an existing job
// returns that job's ARN and creates nothing.
func (e *Engine) CreateJob(ctx context.Context, in CreateJobInput) (string, error) {
	in, err := validateCreate(in)
	if err != nil {
		return "", err
	}
	if arn, ok := e.jobForToken(in.ClientRequestToken); ok {
		return arn, nil
	}
	modelID := model.ParseID(in.ModelID)
	if modelID.Kind() == model.KindApplicationInferenceProfileARN && e.cfg.InferenceProfiles[in.ModelID] == "" {
		return "", validationError("The provided model identifier is invalid: application inference profile %s does not exist "+
			"in this local Bedrock (declare it with the model it routes to: bedrockbatch local run --inference-profile %s=<model id>)",
			in.ModelID, in.ModelID)
	}
	if _, err := e.cfg.Backends(e.modelSource(modelID)); err != nil {
		return "", validationError("modelId %q cannot be used for batch inference here: %v", in.ModelID, err)
	}

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return "", internalError("the engine is shut down")
	}
	if s, ok := e.index.byToken[in.ClientRequestToken]; ok && in.ClientRequestToken != "" {
		e.mu.Unlock()
		return s.rec.Job.JobArn, nil
	}
	if s, ok := e.index.byName[in.JobName]; ok {
		e.mu.Unlock()
		return "", conflictError("a model invocation job named %q already exists (%s); job names must be unique", in.JobName, s.rec.Job.JobArn)
	}
	if active := e.index.active[in.ModelID]; active >= e.cfg.MaxJobsPerModel {
		e.mu.Unlock()
		return "", quotaError("model %s already has %d submitted or in-progress batch inference jobs, the quota for this account; wait for one to finish or raise the quota",
			in.ModelID, active)
	}
	now := e.cfg.Clock.Now().UTC()
	expires := now.Add(time.Duration(in.TimeoutDurationInHours) * time.Hour)
	id := e.newJobIDLocked()
	rec := jobRecord{
		ID: id,
		Job: Job{
			JobArn:                 e.jobArn(id),
			JobName:                in.JobName,
			ModelID:                in.ModelID,
			ClientRequestToken:     in.ClientRequestToken,
			RoleArn:                in.RoleArn,
			Status:                 batch.StatusSubmitted,
			SubmitTime:             now,
			LastModifiedTime:       &now,
			InputDataConfig:        in.InputDataConfig,
			OutputDataConfig:       in.OutputDataConfig,
			VpcConfig:              in.VpcConfig,
			TimeoutDurationInHours: in.TimeoutDurationInHours,
			JobExpirationTime:      &expires,
			ModelInvocationType:    in.ModelInvocationType,
		},
		Tags: mergeTags(nil, in.Tags),
	}
	if err := e.store.save(rec, true); err != nil {
		e.mu.Unlock()
		return "", internalError("cannot store the job: %v", err)
	}
	s := &jobState{rec: rec, finished: make(chan struct{})}
	// Nobody else can hold the new job's transition lock yet; holding it
	// until Submitted is published keeps that event first.
	s.transition.Lock()
	defer s.transition.Unlock()
	e.jobs[id] = s
	e.index.add(s)
	if e.started {
		e.launchLocked(s)
	}
	e.mu.Unlock()
	e.publish(ctx, rec.Job)
	return rec.Job.JobArn, nil
}

func (e *Engine) jobForToken(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.index.byToken[token]; ok {
		return s.rec.Job.JobArn, true
	}
	return "", false
}

// GetJob returns a job (GetModelInvocationJob) by id or ARN, with its
// record counts as of now.
func (e *Engine) GetJob(_ context.Context, jobIdentifier string) (Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.lookupLocked(jobIdentifier)
	if err != nil {
		return Job{}, err
	}
	return s.viewLocked(), nil
}

// viewLocked is the job as callers see it. e.mu must be held.
func (s *jobState) viewLocked() Job {
	j := s.rec.Job
	if p := s.live; p != nil {
		j.ProcessedRecordCount = p.processed.Load()
		j.SuccessRecordCount = p.success.Load()
		j.ErrorRecordCount = p.errors.Load()
	}
	if j.VpcConfig != nil {
		v := *j.VpcConfig
		v.SubnetIDs = append([]string(nil), v.SubnetIDs...)
		v.SecurityGroupIDs = append([]string(nil), v.SecurityGroupIDs...)
		j.VpcConfig = &v
	}
	return j
}

var jobIdentifierPattern = regexp.MustCompile(`^(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12}$`)

// lookupLocked finds a job by id or ARN. e.mu must be held.
func (e *Engine) lookupLocked(jobIdentifier string) (*jobState, error) {
	if !jobIdentifierPattern.MatchString(jobIdentifier) {
		return nil, validationError("jobIdentifier %q is neither a 12-character job id nor a model invocation job ARN", jobIdentifier)
	}
	id := jobIdentifier
	if strings.HasPrefix(jobIdentifier, "arn:") {
		arn, err := batch.ParseJobArn(jobIdentifier)
		if err != nil {
			return nil, validationError("jobIdentifier: %v", err)
		}
		if arn.Region != e.cfg.Region || arn.Account != e.cfg.Account {
			return nil, notFoundError("model invocation job %s not found in account %s, region %s", jobIdentifier, e.cfg.Account, e.cfg.Region)
		}
		id = arn.JobID
	}
	s, ok := e.jobs[id]
	if !ok {
		return nil, notFoundError("model invocation job %s not found", jobIdentifier)
	}
	return s, nil
}

// ListJobs lists jobs (ListModelInvocationJobs), filtered, sorted by
// submit time (newest first unless SortOrder is Ascending) and paginated.
func (e *Engine) ListJobs(_ context.Context, in ListJobsInput) (ListJobsOutput, error) {
	if in.MaxResults == 0 {
		in.MaxResults = 1000
	}
	if in.MaxResults < 1 || in.MaxResults > 1000 {
		return ListJobsOutput{}, validationError("maxResults is %d; it must be between 1 and 1000", in.MaxResults)
	}
	if in.SortBy != "" && in.SortBy != SortByCreationTime {
		return ListJobsOutput{}, validationError("sortBy %q is not supported; the only sort key is CreationTime", in.SortBy)
	}
	ascending := false
	switch in.SortOrder {
	case "", SortOrderDescending:
	case SortOrderAscending:
		ascending = true
	default:
		return ListJobsOutput{}, validationError("sortOrder %q is not one of Ascending, Descending", in.SortOrder)
	}
	if in.StatusEquals != "" && !in.StatusEquals.Valid() {
		return ListJobsOutput{}, validationError("statusEquals %q is not a job status", in.StatusEquals)
	}
	if len(in.NameContains) > batch.MaxJobNameLen {
		return ListJobsOutput{}, validationError("nameContains is longer than %d characters", batch.MaxJobNameLen)
	}
	var after *listCursor
	if in.NextToken != "" {
		c, err := parseListCursor(in.NextToken)
		if err != nil {
			return ListJobsOutput{}, err
		}
		after = &c
	}

	e.mu.Lock()
	page, more := e.index.page(ascending, after, in.SubmitTimeAfter, in.MaxResults, func(s *jobState) bool {
		j := &s.rec.Job
		return (in.StatusEquals == "" || j.Status == in.StatusEquals) && nameMatches(j.JobName, in.NameContains) &&
			(in.SubmitTimeAfter == nil || j.SubmitTime.After(*in.SubmitTimeAfter)) &&
			(in.SubmitTimeBefore == nil || j.SubmitTime.Before(*in.SubmitTimeBefore))
	})
	out := ListJobsOutput{InvocationJobSummaries: make([]Job, len(page))}
	for i, s := range page {
		out.InvocationJobSummaries[i] = s.viewLocked()
	}
	e.mu.Unlock()
	if more {
		out.NextToken = cursorOf(out.InvocationJobSummaries[len(page)-1]).String()
	}
	return out, nil
}

// listCursor is the position after which the next page starts.
type listCursor struct {
	time time.Time
	id   string
}

func cursorOf(j Job) listCursor {
	id := j.JobArn[strings.LastIndexByte(j.JobArn, '/')+1:]
	return listCursor{time: j.SubmitTime, id: id}
}

func (c listCursor) String() string {
	raw := strconv.FormatInt(c.time.UnixNano(), 10) + "." + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseListCursor(token string) (listCursor, error) {
	bad := validationError("nextToken is not a token returned by ListModelInvocationJobs")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return listCursor{}, bad
	}
	ns, id, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || len(id) != 12 {
		return listCursor{}, bad
	}
	return listCursor{time: time.Unix(0, n).UTC(), id: id}, nil
}

// StopJob stops a job (StopModelInvocationJob): it moves to Stopping at once
// and to Stopped once the records in flight are done and the output of those
// processed so far is written. Stopping a finished job is a ConflictException.
func (e *Engine) StopJob(ctx context.Context, jobIdentifier string) error {
	s, err := e.lockTransition(e.lookupLocked, jobIdentifier)
	if err != nil {
		return err
	}
	defer s.transition.Unlock()
	e.mu.Lock()
	status := s.rec.Job.Status
	if status.Terminal() {
		e.mu.Unlock()
		return conflictError("job %s has already ended with status %s and cannot be stopped", s.rec.Job.JobArn, status)
	}
	if status == batch.StatusStopping {
		e.mu.Unlock()
		return nil
	}
	e.setStatusLocked(s, batch.StatusStopping, "")
	rec := s.rec
	if s.stop != nil {
		s.stop(errStopRequested)
	}
	e.mu.Unlock()
	if err := e.store.save(rec, true); err != nil {
		return internalError("cannot store the job: %v", err)
	}
	e.publish(ctx, rec.Job)
	return nil
}

// TagResource adds or replaces tags on a job.
func (e *Engine) TagResource(_ context.Context, resourceArn string, tags []Tag) error {
	if err := validTags(tags); err != nil {
		return err
	}
	return e.updateTags(resourceArn, func(cur []Tag) ([]Tag, error) {
		merged := mergeTags(cur, tags)
		if len(merged) > maxTags {
			return nil, tooManyTagsError("the job would have %d tags; a resource has at most %d", len(merged), maxTags)
		}
		return merged, nil
	})
}

// UntagResource removes tags from a job; keys it does not have are ignored.
func (e *Engine) UntagResource(_ context.Context, resourceArn string, keys []string) error {
	if len(keys) > maxTags {
		return validationError("%d tag keys given; at most %d may be removed at once", len(keys), maxTags)
	}
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := validTagKey(k); err != nil {
			return err
		}
		drop[k] = true
	}
	return e.updateTags(resourceArn, func(cur []Tag) ([]Tag, error) {
		var kept []Tag
		for _, t := range cur {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		return kept, nil
	})
}

// ListTagsForResource returns a job's tags, sorted by key.
func (e *Engine) ListTagsForResource(_ context.Context, resourceArn string) ([]Tag, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.lookupResourceLocked(resourceArn)
	if err != nil {
		return nil, err
	}
	if st := s.rec.Job.Status; e.cfg.TagsUnreadableWhenStopped && (st == batch.StatusStopping || st == batch.StatusStopped) {
		// The service's exact answer is not documented; the fault only
		// has to fail the call, as reported.
		return nil, validationError("the tags of model invocation job %s cannot be listed while it is %s", resourceArn, st)
	}
	tags, err := e.tagsLocked(s)
	return append([]Tag{}, tags...), err
}

func (e *Engine) updateTags(resourceArn string, change func([]Tag) ([]Tag, error)) error {
	s, err := e.lockTransition(e.lookupResourceLocked, resourceArn)
	if err != nil {
		return err
	}
	defer s.transition.Unlock()
	e.mu.Lock()
	rec, err := e.fullLocked(s)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	tags, err := change(rec.Tags)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	rec.Tags = tags
	if !s.slim {
		s.rec.Tags = tags
	}
	e.mu.Unlock()
	if err := e.store.save(rec, true); err != nil {
		return internalError("cannot store the job's tags: %v", err)
	}
	return nil
}

// lockTransition finds a job with lookup, which runs under e.mu, and takes
// the job's transition lock, which the caller must release. e.mu must not
// be held, and is released before the transition lock is taken: the lock
// order is a job's transition lock first, then e.mu.
func (e *Engine) lockTransition(lookup func(string) (*jobState, error), name string) (*jobState, error) {
	e.mu.Lock()
	s, err := lookup(name)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.transition.Lock()
	return s, nil
}

// lookupResourceLocked finds a job by its ARN, as the tagging operations
// name resources. e.mu must be held.
func (e *Engine) lookupResourceLocked(resourceArn string) (*jobState, error) {
	if len(resourceArn) < 20 || len(resourceArn) > 1011 {
		return nil, validationError("resourceARN must be 20–1011 characters")
	}
	if _, err := batch.ParseJobArn(resourceArn); err != nil {
		return nil, validationError("resourceARN: %v; only model invocation jobs can be tagged here", err)
	}
	return e.lookupLocked(resourceArn)
}

// mergeTags returns cur with add applied (a key in both takes add's value),
// sorted by key.
func mergeTags(cur, add []Tag) []Tag {
	m := make(map[string]string, len(cur)+len(add))
	for _, t := range cur {
		m[t.Key] = t.Value
	}
	for _, t := range add {
		m[t.Key] = t.Value
	}
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// setStatusLocked changes the job's status and stamps the times. e.mu must
// be held; the caller saves and publishes.
func (e *Engine) setStatusLocked(s *jobState, status batch.Status, message string) {
	now := e.cfg.Clock.Now().UTC()
	j := &s.rec.Job
	if status.Terminal() && !j.Status.Terminal() {
		e.index.ended(*j)
	}
	j.Status = status
	j.Message = batch.Truncate(message, 2048)
	j.LastModifiedTime = &now
	if status.Terminal() {
		j.EndTime = &now
	}
}

// publish sends the job's current status as a state-change event.
func (e *Engine) publish(ctx context.Context, j Job) {
	ev := Event{
		Source:     batch.EventSource,
		DetailType: batch.EventDetailType,
		Account:    e.cfg.Account,
		Region:     e.cfg.Region,
		Time:       e.cfg.Clock.Now().UTC(),
		Resources:  []string{j.JobArn},
		Detail: batch.JobStateChange{
			Version:      "0.0",
			AccountID:    e.cfg.Account,
			BatchJobName: j.JobName,
			BatchJobArn:  j.JobArn,
			BatchModelID: j.ModelID,
			Status:       j.Status,
			CreationTime: j.SubmitTime.UTC().Format("2006-01-02T15:04:05.000Z"),
		},
	}
	if j.Status == batch.StatusFailed || j.Status == batch.StatusExpired || j.Status == batch.StatusStopped {
		ev.Detail.FailureMessage = j.Message
	}
	if err := e.cfg.Events.Publish(context.WithoutCancel(ctx), ev); err != nil {
		e.cfg.Logger.Warn("could not publish a batch job state change", "job", j.JobArn, "status", j.Status, "error", err)
	}
}

// String makes a job easy to read in logs and test failures.
func (j Job) String() string {
	return fmt.Sprintf("%s %s (%s, %d/%d records, %d errors)", j.JobName, j.Status, j.JobArn, j.ProcessedRecordCount, j.TotalRecordCount, j.ErrorRecordCount)
}
