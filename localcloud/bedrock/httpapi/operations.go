package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

func (h *handler) createJob(r *http.Request, _ string) (any, error) {
	var req createJobRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	in := req.input()
	if t := req.TimeoutDurationInHours; t != nil {
		if *t == 0 {
			// The engine reads 0 as "the default"; on the wire it is a value
			// out of range.
			return nil, validationError("timeoutDurationInHours is 0; it must be between %d and %d hours, or left out for %d",
				batch.MinTimeoutHours, batch.MaxTimeoutHours, batch.DefaultTimeoutHours)
		}
		in.TimeoutDurationInHours = *t
	}
	arn, err := h.engine.CreateJob(r.Context(), in)
	if err != nil {
		return nil, err
	}
	return createJobResponse{JobArn: arn}, nil
}

func (h *handler) getJob(r *http.Request, jobIdentifier string) (any, error) {
	j, err := h.engine.GetJob(r.Context(), jobIdentifier)
	if err != nil {
		return nil, err
	}
	return toJobJSON(j), nil
}

func (h *handler) listJobs(r *http.Request, _ string) (any, error) {
	in, err := listJobsInput(r.URL.Query())
	if err != nil {
		return nil, err
	}
	out, err := h.engine.ListJobs(r.Context(), in)
	if err != nil {
		return nil, err
	}
	resp := listJobsResponse{InvocationJobSummaries: make([]jobJSON, len(out.InvocationJobSummaries)), NextToken: out.NextToken}
	for i, j := range out.InvocationJobSummaries {
		resp.InvocationJobSummaries[i] = toJobJSON(j)
	}
	return resp, nil
}

// listJobsInput reads ListModelInvocationJobs' query parameters.
func listJobsInput(q url.Values) (bedrock.ListJobsInput, error) {
	in := bedrock.ListJobsInput{
		StatusEquals: batch.Status(q.Get("statusEquals")),
		NameContains: q.Get("nameContains"),
		NextToken:    q.Get("nextToken"),
		SortBy:       q.Get("sortBy"),
		SortOrder:    q.Get("sortOrder"),
	}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return in, validationError("maxResults %q is not a whole number from 1 to 1000", v)
		}
		in.MaxResults = n
	}
	var err error
	if in.SubmitTimeAfter, err = queryTime(q, "submitTimeAfter"); err != nil {
		return in, err
	}
	if in.SubmitTimeBefore, err = queryTime(q, "submitTimeBefore"); err != nil {
		return in, err
	}
	if t := in.SubmitTimeAfter; t != nil && t.Nanosecond()%int(time.Millisecond) == 0 {
		// Submit times are reported to the millisecond, so a job submitted
		// within the given millisecond was not submitted after it: a
		// client that passes back a job's own submitTime does not get that
		// job again.
		end := t.Add(time.Millisecond - time.Nanosecond)
		in.SubmitTimeAfter = &end
	}
	return in, nil
}

// queryTime reads a date-time query parameter (RFC 3339, as the SDKs send
// it); nil when it is absent.
func queryTime(q url.Values, name string) (*time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, validationError("%s %q is not a date-time such as 2024-05-01T12:00:00Z", name, v)
	}
	return &t, nil
}

func (h *handler) stopJob(r *http.Request, jobIdentifier string) (any, error) {
	if err := h.engine.StopJob(r.Context(), jobIdentifier); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func (h *handler) tagResource(r *http.Request, _ string) (any, error) {
	var req tagResourceRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.Tags == nil {
		return nil, validationError("tags is required: give the list of {key, value} tags to add")
	}
	if err := h.engine.TagResource(r.Context(), req.ResourceARN, req.Tags); err != nil {
		return nil, serviceError(err, req.ResourceARN)
	}
	return empty{}, nil
}

func (h *handler) untagResource(r *http.Request, _ string) (any, error) {
	var req untagResourceRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.TagKeys == nil {
		return nil, validationError("tagKeys is required: give the list of tag keys to remove")
	}
	if err := h.engine.UntagResource(r.Context(), req.ResourceARN, req.TagKeys); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func (h *handler) listTags(r *http.Request, _ string) (any, error) {
	var req listTagsRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	tags, err := h.engine.ListTagsForResource(r.Context(), req.ResourceARN)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []bedrock.Tag{}
	}
	return listTagsResponse{Tags: tags}, nil
}

func (h *handler) getInferenceProfile(_ *http.Request, identifier string) (any, error) {
	p, err := h.engine.GetInferenceProfile(identifier)
	if err != nil {
		return nil, err
	}
	resp := inferenceProfileResponse{InferenceProfileName: p.Name, InferenceProfileArn: p.ARN, InferenceProfileID: p.ID, Status: "ACTIVE", Type: "APPLICATION"}
	for _, m := range p.ModelARNs {
		resp.Models = append(resp.Models, inferenceProfileModel{ModelArn: m})
	}
	return resp, nil
}
