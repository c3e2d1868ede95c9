package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

var ctx = context.Background()

// wantAPIError checks that err is the SDK's typed error T, sent with the
// HTTP status, and that its message contains each of the fragments.
func wantAPIError[T smithy.APIError](t *testing.T, err error, status int, fragments ...string) T {
	t.Helper()
	var typed T
	if !errors.As(err, &typed) {
		t.Fatalf("error %v (%T) is not a %T", err, err, typed)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("error %v: want HTTP status %d", err, status)
	}
	for _, f := range fragments {
		if !strings.Contains(typed.ErrorMessage(), f) {
			t.Errorf("%s message %q does not mention %q", typed.ErrorCode(), typed.ErrorMessage(), f)
		}
	}
	return typed
}

func TestJobRunsToCompletedAndIsReadBack(t *testing.T) {
	env := newEnv(t, envOptions{})
	in := createInput("sdk-run-1")
	in.Tags = []types.Tag{{Key: aws.String("project"), Value: aws.String("demo")}}
	in.TimeoutDurationInHours = aws.Int32(24)
	before := time.Now().Add(-time.Millisecond)
	arn := env.create(in)
	if !strings.HasPrefix(arn, "arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/") || len(jobID(arn)) != 12 {
		t.Fatalf("job ARN %q", arn)
	}
	env.wait(arn)

	j := env.get(arn)
	if j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("status %s (%s), want Completed", j.Status, aws.ToString(j.Message))
	}
	if aws.ToString(j.JobArn) != arn || aws.ToString(j.JobName) != "sdk-run-1" || aws.ToString(j.ModelId) != jobtest.Model ||
		aws.ToString(j.RoleArn) != jobtest.Role || aws.ToString(j.ClientRequestToken) == "" ||
		j.ModelInvocationType != types.ModelInvocationTypeInvokeModel || aws.ToInt32(j.TimeoutDurationInHours) != 24 {
		t.Errorf("job read back: %+v", j)
	}
	if aws.ToInt64(j.TotalRecordCount) != 10 || aws.ToInt64(j.ProcessedRecordCount) != 10 ||
		aws.ToInt64(j.SuccessRecordCount) != 10 || aws.ToInt64(j.ErrorRecordCount) != 0 {
		t.Errorf("counts total %d processed %d success %d errors %d, want 10/10/10/0",
			aws.ToInt64(j.TotalRecordCount), aws.ToInt64(j.ProcessedRecordCount), aws.ToInt64(j.SuccessRecordCount), aws.ToInt64(j.ErrorRecordCount))
	}
	submit, end, expires := aws.ToTime(j.SubmitTime), aws.ToTime(j.EndTime), aws.ToTime(j.JobExpirationTime)
	if submit.Before(before) || submit.After(time.Now()) || end.Before(submit) || !aws.ToTime(j.LastModifiedTime).Equal(end) {
		t.Errorf("times: submit %v, last modified %v, end %v", submit, aws.ToTime(j.LastModifiedTime), end)
	}
	if got := expires.Sub(submit); got < 24*time.Hour-time.Millisecond || got > 24*time.Hour+time.Millisecond {
		t.Errorf("expiration %v is %v after submission, want 24h", expires, got)
	}
	src, ok := j.InputDataConfig.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
	if !ok || aws.ToString(src.Value.S3Uri) != "s3://inbox/in/records.jsonl" || src.Value.S3InputFormat != types.S3InputFormatJsonl {
		t.Errorf("inputDataConfig %#v", j.InputDataConfig)
	}
	dst, ok := j.OutputDataConfig.(*types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !ok || aws.ToString(dst.Value.S3Uri) != "s3://outbox/results/" {
		t.Errorf("outputDataConfig %#v", j.OutputDataConfig)
	}

	// The job id alone names the job as well as its ARN does.
	if byID := env.get(jobID(arn)); aws.ToString(byID.JobArn) != arn || byID.Status != j.Status {
		t.Errorf("GetModelInvocationJob by id: %s %s", aws.ToString(byID.JobArn), byID.Status)
	}

	// The counts agree with the manifest the job wrote.
	rc, err := env.store.Get(ctx, "outbox", "results/"+jobID(arn)+"/manifest.json.out")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var summary struct{ TotalRecordCount, SuccessRecordCount int64 }
	if err := json.NewDecoder(rc).Decode(&summary); err != nil {
		t.Fatal(err)
	}
	if summary.TotalRecordCount != aws.ToInt64(j.TotalRecordCount) || summary.SuccessRecordCount != aws.ToInt64(j.SuccessRecordCount) {
		t.Errorf("manifest.json.out %+v disagrees with the API's counts", summary)
	}
}

func TestCreateValidationErrors(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	for _, tc := range []struct {
		name     string
		change   func(*awsbedrock.CreateModelInvocationJobInput)
		fragment string
	}{
		{"underscore in job name", func(in *awsbedrock.CreateModelInvocationJobInput) { in.JobName = aws.String("test_job0") }, "jobName"},
		{"not a role ARN", func(in *awsbedrock.CreateModelInvocationJobInput) { in.RoleArn = aws.String("batch-role") }, "roleArn"},
		{"timeout below 24 hours", func(in *awsbedrock.CreateModelInvocationJobInput) { in.TimeoutDurationInHours = aws.Int32(12) }, "between 24 and 168"},
		{"timeout of zero", func(in *awsbedrock.CreateModelInvocationJobInput) { in.TimeoutDurationInHours = aws.Int32(0) }, "timeoutDurationInHours is 0"},
		{"model without a backend", func(in *awsbedrock.CreateModelInvocationJobInput) { in.ModelId = aws.String("unknown.model-v1") }, "unknown.model-v1"},
		{"input not in S3", func(in *awsbedrock.CreateModelInvocationJobInput) {
			in.InputDataConfig = &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
				Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("https://example.com/in.jsonl")},
			}
		}, "s3Uri"},
		{"bad idempotency token", func(in *awsbedrock.CreateModelInvocationJobInput) { in.ClientRequestToken = aws.String("a_b") }, "clientRequestToken"},
		{"bad tag", func(in *awsbedrock.CreateModelInvocationJobInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("semi;colon")}}
		}, `tag "k"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := createInput("valid-name")
			tc.change(in)
			_, err := env.client.CreateModelInvocationJob(ctx, in)
			wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, tc.fragment)
		})
	}
	out, err := env.client.ListModelInvocationJobs(ctx, &awsbedrock.ListModelInvocationJobsInput{})
	if err != nil || len(out.InvocationJobSummaries) != 0 {
		t.Fatalf("rejected requests created jobs: %v %v", out, err)
	}
}

func TestIdempotencyAndNameConflict(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	in := createInput("once-only")
	in.ClientRequestToken = aws.String("retry-token-1")
	first := env.create(in)
	if again := env.create(in); again != first {
		t.Fatalf("a retry with the same clientRequestToken made %s, want %s", again, first)
	}
	in.ClientRequestToken = aws.String("retry-token-2")
	_, err := env.client.CreateModelInvocationJob(ctx, in)
	wantAPIError[*types.ConflictException](t, err, http.StatusBadRequest, "once-only", "already exists")

	// Without a token of its own, the SDK makes up a fresh one per call: the
	// second call is a new request and conflicts.
	fresh := createInput("twice")
	env.create(fresh)
	_, err = env.client.CreateModelInvocationJob(ctx, createInput("twice"))
	wantAPIError[*types.ConflictException](t, err, http.StatusBadRequest, "twice")

	out, err := env.client.ListModelInvocationJobs(ctx, &awsbedrock.ListModelInvocationJobsInput{})
	if err != nil || len(out.InvocationJobSummaries) != 2 {
		t.Fatalf("want 2 jobs, got %v %v", out, err)
	}
}

func TestServiceQuotaPerModel(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true, maxJobsPerModel: 2})
	env.create(createInput("quota-1"))
	env.create(createInput("quota-2"))
	_, err := env.client.CreateModelInvocationJob(ctx, createInput("quota-3"))
	wantAPIError[*types.ServiceQuotaExceededException](t, err, http.StatusBadRequest, jobtest.Model, "quota")

	other := createInput("quota-other-model")
	other.ModelId = aws.String("amazon.nova-lite-v1:0")
	env.create(other) // the quota is per model
}

func TestNotFoundAndBadIdentifiers(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	missing := "arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/abcdef123456"

	_, err := env.client.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(missing)})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound, missing)
	_, err = env.client.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String("abcdef123456")})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound, "abcdef123456")
	_, err = env.client.StopModelInvocationJob(ctx, &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(missing)})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound)
	_, err = env.client.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: aws.String(missing)})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound)
	_, err = env.client.TagResource(ctx, &awsbedrock.TagResourceInput{ResourceARN: aws.String(missing), Tags: []types.Tag{}})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound)

	// Another region's ARN is well formed but names no job here.
	_, err = env.client.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{
		JobIdentifier: aws.String(strings.Replace(missing, "us-east-1", "eu-west-1", 1))})
	wantAPIError[*types.ResourceNotFoundException](t, err, http.StatusNotFound, "eu-west-1")

	_, err = env.client.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String("not-a-job")})
	wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, "not-a-job")
	_, err = env.client.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:s3:::some-bucket-name")})
	wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, "resourceARN")
}

func TestListPaginationAndFilters(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	names := []string{"alpha-1", "beta-1", "alpha-2", "beta-2", "alpha-3", "alpha-4", "alpha-5"}
	var arns []string
	for _, n := range names {
		arns = append(arns, env.create(createInput(n)))
		time.Sleep(2 * time.Millisecond) // distinct submit times, to the millisecond
	}
	if _, err := env.client.StopModelInvocationJob(ctx, &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arns[1])}); err != nil {
		t.Fatal(err)
	}

	list := func(in awsbedrock.ListModelInvocationJobsInput) (got []string, pages int) {
		t.Helper()
		p := awsbedrock.NewListModelInvocationJobsPaginator(env.client, &in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("page %d: %v", pages+1, err)
			}
			pages++
			for _, s := range page.InvocationJobSummaries {
				got = append(got, aws.ToString(s.JobName))
			}
		}
		return got, pages
	}
	newestFirst := slices.Clone(names)
	slices.Reverse(newestFirst)

	got, pages := list(awsbedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(2)})
	if !slices.Equal(got, newestFirst) || pages != 4 {
		t.Errorf("pages of 2, newest first: %v in %d pages, want %v in 4", got, pages, newestFirst)
	}
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(3), SortBy: types.SortJobsByCreationTime, SortOrder: types.SortOrderAscending})
	if !slices.Equal(got, names) {
		t.Errorf("ascending: %v, want %v", got, names)
	}
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{NameContains: aws.String("alpha"), MaxResults: aws.Int32(2), SortOrder: types.SortOrderAscending})
	if want := []string{"alpha-1", "alpha-2", "alpha-3", "alpha-4", "alpha-5"}; !slices.Equal(got, want) {
		t.Errorf("nameContains alpha: %v, want %v", got, want)
	}
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{StatusEquals: types.ModelInvocationJobStatusStopping})
	if !slices.Equal(got, []string{"beta-1"}) {
		t.Errorf("statusEquals Stopping: %v, want [beta-1]", got)
	}
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{StatusEquals: types.ModelInvocationJobStatusCompleted})
	if len(got) != 0 {
		t.Errorf("statusEquals Completed: %v, want none", got)
	}

	// A job's own submitTime, as reported, bounds the time filters: the job
	// is neither after nor before it.
	third := env.get(arns[2]).SubmitTime
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{SubmitTimeAfter: third, SortOrder: types.SortOrderAscending})
	if want := names[3:]; !slices.Equal(got, want) {
		t.Errorf("submitTimeAfter %v: %v, want %v", third, got, want)
	}
	got, _ = list(awsbedrock.ListModelInvocationJobsInput{SubmitTimeBefore: third, SortOrder: types.SortOrderAscending})
	if want := names[:2]; !slices.Equal(got, want) {
		t.Errorf("submitTimeBefore %v: %v, want %v", third, got, want)
	}

	for _, tc := range []struct {
		in       awsbedrock.ListModelInvocationJobsInput
		fragment string
	}{
		{awsbedrock.ListModelInvocationJobsInput{StatusEquals: "Finished"}, "statusEquals"},
		{awsbedrock.ListModelInvocationJobsInput{SortBy: "JobName"}, "sortBy"},
		{awsbedrock.ListModelInvocationJobsInput{SortOrder: "Sideways"}, "sortOrder"},
		{awsbedrock.ListModelInvocationJobsInput{MaxResults: aws.Int32(1001)}, "maxResults"},
		{awsbedrock.ListModelInvocationJobsInput{NextToken: aws.String("not-a-token")}, "nextToken"},
	} {
		_, err := env.client.ListModelInvocationJobs(ctx, &tc.in)
		wantAPIError[*types.ValidationException](t, err, http.StatusBadRequest, tc.fragment)
	}
}

// taskToken makes a token of n characters from the alphabet of Step
// Functions task tokens.
func taskToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

func TestTagsRoundTrip(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	in := createInput("tagged")
	in.Tags = []types.Tag{{Key: aws.String("project"), Value: aws.String("demo")}}
	arn := env.create(in)

	// Eight tags of the longest value (256 characters:
	// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Tag.html).
	token := taskToken(8 * batch.MaxTagValueLen)
	type part struct{ Key, Value string }
	var parts []part
	var tags []types.Tag
	for i := range 8 {
		p := part{Key: fmt.Sprintf("part:%d", i), Value: token[i*batch.MaxTagValueLen : (i+1)*batch.MaxTagValueLen]}
		parts = append(parts, p)
		tags = append(tags, types.Tag{Key: aws.String(p.Key), Value: aws.String(p.Value)})
	}
	if _, err := env.client.TagResource(ctx, &awsbedrock.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags}); err != nil {
		t.Fatal(err)
	}

	listTags := func() map[string]string {
		t.Helper()
		out, err := env.client.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	got := listTags()
	if len(got) != 9 || got["project"] != "demo" {
		t.Fatalf("tags after TagResource: %d tags %v", len(got), got)
	}
	for _, p := range parts {
		if got[p.Key] != p.Value {
			t.Fatalf("tag %s came back as %d characters, want its %d", p.Key, len(got[p.Key]), len(p.Value))
		}
	}

	// A tag with a key the job already has replaces its value.
	if _, err := env.client.TagResource(ctx, &awsbedrock.TagResourceInput{ResourceARN: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("project"), Value: aws.String("renamed")}}}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range parts {
		keys = append(keys, p.Key)
	}
	if _, err := env.client.UntagResource(ctx, &awsbedrock.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: append(keys, "never-set")}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(); len(got) != 1 || got["project"] != "renamed" {
		t.Fatalf("tags after UntagResource: %v, want only project=renamed", got)
	}

	many := make([]types.Tag, 200)
	for i := range many {
		many[i] = types.Tag{Key: aws.String("k" + strings.Repeat("x", i%100) + string(rune('a'+i/100))), Value: aws.String("v")}
	}
	_, err := env.client.TagResource(ctx, &awsbedrock.TagResourceInput{ResourceARN: aws.String(arn), Tags: many})
	e := wantAPIError[*types.TooManyTagsException](t, err, http.StatusBadRequest, "201")
	if aws.ToString(e.ResourceName) != arn {
		t.Errorf("TooManyTagsException.ResourceName = %q, want %s", aws.ToString(e.ResourceName), arn)
	}
	if got := listTags(); len(got) != 1 {
		t.Errorf("a rejected TagResource changed the tags: %v", got)
	}
}

func TestStopRunningJob(t *testing.T) {
	env := newEnv(t, envOptions{gated: true})
	arn := env.create(createInput("to-stop"))
	env.waitStatus(arn, types.ModelInvocationJobStatusInProgress)

	if _, err := env.client.StopModelInvocationJob(ctx, &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if s := env.get(arn).Status; s != types.ModelInvocationJobStatusStopping && s != types.ModelInvocationJobStatusStopped {
		t.Fatalf("right after StopModelInvocationJob the job is %s", s)
	}
	env.wait(arn)
	j := env.get(arn)
	if j.Status != types.ModelInvocationJobStatusStopped || j.EndTime == nil {
		t.Fatalf("stopped job: %s, end time %v", j.Status, j.EndTime)
	}
	_, err := env.client.StopModelInvocationJob(ctx, &awsbedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(jobID(arn))})
	wantAPIError[*types.ConflictException](t, err, http.StatusBadRequest, "Stopped")
}

func TestUnknownOperationThroughSDK(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	_, err := env.client.ListFoundationModels(ctx, &awsbedrock.ListFoundationModelsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != codeUnknownOperation {
		t.Fatalf("ListFoundationModels: %v", err)
	}
	for _, op := range operations {
		if !strings.Contains(ae.ErrorMessage(), op.name) {
			t.Errorf("the error does not name %s: %s", op.name, ae.ErrorMessage())
		}
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
		t.Errorf("status: %v", err)
	}
}
