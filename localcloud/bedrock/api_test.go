package bedrock

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
)

func TestCreateValidation(t *testing.T) {
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.MaxJobsPerModel = 100 })
	manyTags := make([]Tag, 201)
	for i := range manyTags {
		manyTags[i] = Tag{Key: fmt.Sprintf("k%d", i)}
	}
	tests := []struct {
		name   string
		change func(*CreateJobInput)
		code   string
		msg    string
	}{
		{"underscore in name", func(in *CreateJobInput) { in.JobName = "test_job0" }, CodeValidation, "jobName"},
		{"name too long", func(in *CreateJobInput) { in.JobName = strings.Repeat("a", 64) }, CodeValidation, "63"},
		{"empty name", func(in *CreateJobInput) { in.JobName = "" }, CodeValidation, "jobName"},
		{"role not a role", func(in *CreateJobInput) { in.RoleArn = "arn:aws:iam::123456789012:user/bob" }, CodeValidation, "roleArn"},
		{"role without account", func(in *CreateJobInput) { in.RoleArn = "arn:aws:iam:::role/x" }, CodeValidation, "roleArn"},
		{"token with underscore", func(in *CreateJobInput) { in.ClientRequestToken = "a_b" }, CodeValidation, "clientRequestToken"},
		{"bad model id", func(in *CreateJobInput) { in.ModelID = "Not A Model!" }, CodeValidation, "modelId"},
		{"unknown model", func(in *CreateJobInput) { in.ModelID = "unknown.model-v1" }, CodeValidation, "no backend is configured"},
		{"no input", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig = batch.S3InputDataConfig{} }, CodeValidation, "s3InputDataConfig is required"},
		{"no output", func(in *CreateJobInput) { in.OutputDataConfig.S3OutputDataConfig = batch.S3OutputDataConfig{} }, CodeValidation, "s3OutputDataConfig is required"},
		{"not s3", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig.S3URI = "https://inbox/x.jsonl" }, CodeValidation, "s3://"},
		{"uppercase bucket", func(in *CreateJobInput) { in.OutputDataConfig.S3OutputDataConfig.S3URI = "s3://OutBox/" }, CodeValidation, "bucket"},
		{"bad key character", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig.S3URI = "s3://inbox/a b.jsonl" }, CodeValidation, "key segment"},
		{"empty key segment", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig.S3URI = "s3://inbox/a//b.jsonl" }, CodeValidation, "empty path segment"},
		{"csv input", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig.S3InputFormat = "CSV" }, CodeValidation, "JSONL"},
		{"bucket owner", func(in *CreateJobInput) { in.InputDataConfig.S3InputDataConfig.S3BucketOwner = "123" }, CodeValidation, "Member must satisfy regular expression pattern: [0-9]{12}"},
		{"timeout 23", func(in *CreateJobInput) { in.TimeoutDurationInHours = 23 }, CodeValidation, "between 24 and 168"},
		{"timeout 169", func(in *CreateJobInput) { in.TimeoutDurationInHours = 169 }, CodeValidation, "between 24 and 168"},
		{"invocation type", func(in *CreateJobInput) { in.ModelInvocationType = "Chat" }, CodeValidation, "modelInvocationType"},
		{"vpc without groups", func(in *CreateJobInput) { in.VpcConfig = &VpcConfig{SubnetIDs: []string{"subnet-1"}} }, CodeValidation, "vpcConfig"},
		{"bad tag key", func(in *CreateJobInput) { in.Tags = []Tag{{Key: "a*b", Value: "x"}} }, CodeValidation, "tag key"},
		{"bad tag value", func(in *CreateJobInput) { in.Tags = []Tag{{Key: "a", Value: "x&y"}} }, CodeValidation, "value"},
		{"too many tags", func(in *CreateJobInput) { in.Tags = manyTags }, CodeTooManyTags, "200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := createInput("valid-name", "s3://inbox/x.jsonl")
			tt.change(&in)
			_, err := env.engine.CreateJob(context.Background(), in)
			if apiCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("CreateJob = %v, want %s mentioning %q", err, tt.code, tt.msg)
			}
			if err.(*APIError).HTTPStatus != http.StatusBadRequest {
				t.Fatalf("HTTP status %d, want 400", err.(*APIError).HTTPStatus)
			}
		})
	}
	// The accepted edges of the same rules.
	for i, change := range []func(*CreateJobInput){
		func(in *CreateJobInput) { in.TimeoutDurationInHours = 24 },
		func(in *CreateJobInput) { in.TimeoutDurationInHours = 168 },
		func(in *CreateJobInput) { in.RoleArn = "arn:aws-us-gov:iam::123456789012:role/path/r" },
		func(in *CreateJobInput) { in.ModelID = "us.amazon.nova-lite-v1:0" },
		func(in *CreateJobInput) { in.JobName = "a" + strings.Repeat("-b", 31) },
		func(in *CreateJobInput) { in.ClientRequestToken = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b" },
		func(in *CreateJobInput) {
			in.VpcConfig = &VpcConfig{SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}
		},
	} {
		in := createInput(fmt.Sprintf("edge%d", i), "s3://inbox/x.jsonl")
		change(&in)
		if _, err := env.engine.CreateJob(context.Background(), in); err != nil {
			t.Errorf("edge case %d rejected: %v", i, err)
		}
	}
}

func TestIdempotencyAndConflict(t *testing.T) {
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.MaxJobsPerModel = 2 })
	in := createInput("same", "s3://inbox/x.jsonl")
	in.ClientRequestToken = "token-1"
	first := env.create(in)
	again := env.create(in)
	if again != first {
		t.Fatalf("same clientRequestToken gave %s, then %s", first, again)
	}
	other := in
	other.JobName = "different-name"
	if arn := env.create(other); arn != first {
		t.Fatalf("same token with other parameters gave a new job %s", arn)
	}
	dup := createInput("same", "s3://inbox/y.jsonl")
	if _, err := env.engine.CreateJob(context.Background(), dup); apiCode(err) != CodeConflict || !strings.Contains(err.Error(), `"same"`) {
		t.Fatalf("duplicate name: %v, want ConflictException", err)
	}
	env.wait(first)
	if _, err := env.engine.CreateJob(context.Background(), dup); apiCode(err) != CodeConflict {
		t.Fatalf("name of a finished job: %v, want ConflictException", err)
	}
	out, _ := env.engine.ListJobs(context.Background(), ListJobsInput{})
	if len(out.InvocationJobSummaries) != 1 {
		t.Fatalf("%d jobs exist, want 1", len(out.InvocationJobSummaries))
	}
}

func TestQuotaPerModel(t *testing.T) {
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.MaxJobsPerModel = 2 })
	env.engine.Close() // jobs stay Submitted
	env.open(false)
	env.put("inbox", "x.jsonl", jobtest.Records(100))
	a := env.create(createInput("q1", "s3://inbox/x.jsonl"))
	env.create(createInput("q2", "s3://inbox/x.jsonl"))
	_, err := env.engine.CreateJob(context.Background(), createInput("q3", "s3://inbox/x.jsonl"))
	if apiCode(err) != CodeServiceQuotaExceeded || !strings.Contains(err.Error(), jobtest.Model) {
		t.Fatalf("third job: %v, want ServiceQuotaExceededException naming the model", err)
	}
	otherModel := createInput("q4", "s3://inbox/x.jsonl")
	otherModel.ModelID = "amazon.nova-pro-v1:0"
	env.create(otherModel)
	if err := env.engine.StopJob(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if err := env.engine.Start(); err != nil {
		t.Fatal(err)
	}
	if j := env.wait(a); j.Status != batch.StatusStopped {
		t.Fatalf("stopped job: %v", j)
	}
	env.create(createInput("q3", "s3://inbox/x.jsonl"))
}

func TestGetJobIdentifiers(t *testing.T) {
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Region = "eu-west-1"; c.Account = "111122223333" })
	env.put("inbox", "x.jsonl", jobtest.Records(100))
	arn := env.create(createInput("ids", "s3://inbox/x.jsonl"))
	if !strings.HasPrefix(arn, "arn:aws:bedrock:eu-west-1:111122223333:model-invocation-job/") {
		t.Fatalf("ARN %s does not use the configured region and account", arn)
	}
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	for _, ident := range []string{arn, id} {
		if j, err := env.engine.GetJob(context.Background(), ident); err != nil || j.JobArn != arn {
			t.Fatalf("GetJob(%s) = %v, %v", ident, j, err)
		}
	}
	for ident, code := range map[string]string{
		"short":         CodeValidation,
		"UPPERCASE1234": CodeValidation,
		"abcdefghijkl":  CodeResourceNotFound,
		"arn:aws:bedrock:us-east-1:111122223333:model-invocation-job/" + id: CodeResourceNotFound,
	} {
		_, err := env.engine.GetJob(context.Background(), ident)
		if apiCode(err) != code {
			t.Errorf("GetJob(%s) = %v, want %s", ident, err, code)
		}
		if code == CodeResourceNotFound && err.(*APIError).HTTPStatus != http.StatusNotFound {
			t.Errorf("not found answers HTTP %d", err.(*APIError).HTTPStatus)
		}
	}
	env.wait(arn)
}

func TestListJobs(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewManual(start)
	env := newEnv(t, &echoBackend{}, func(c *Config) { c.Clock = clk; c.MaxJobsPerModel = 100 })
	env.engine.Close()
	env.open(false) // jobs stay Submitted unless stopped
	var arns []string
	for i := 0; i < 5; i++ {
		arns = append(arns, env.create(createInput(fmt.Sprintf("list-%d", i), "s3://inbox/x.jsonl")))
		clk.Advance(time.Minute)
	}
	env.create(createInput("other", "s3://inbox/x.jsonl"))
	if err := env.engine.StopJob(context.Background(), arns[1]); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	names := func(out ListJobsOutput) string {
		var s []string
		for _, j := range out.InvocationJobSummaries {
			s = append(s, j.JobName)
		}
		return strings.Join(s, ",")
	}
	check := func(in ListJobsInput, want string) ListJobsOutput {
		t.Helper()
		out, err := env.engine.ListJobs(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(out); got != want {
			t.Fatalf("ListJobs(%+v) = %s, want %s", in, got, want)
		}
		return out
	}
	check(ListJobsInput{}, "other,list-4,list-3,list-2,list-1,list-0")
	check(ListJobsInput{SortOrder: SortOrderAscending, NameContains: "list"}, "list-0,list-1,list-2,list-3,list-4")
	check(ListJobsInput{StatusEquals: batch.StatusStopping}, "list-1")
	after, before := start.Add(90*time.Second), start.Add(4*time.Minute)
	check(ListJobsInput{SubmitTimeAfter: &after, SubmitTimeBefore: &before, SortBy: SortByCreationTime}, "list-3,list-2")

	page := check(ListJobsInput{MaxResults: 4}, "other,list-4,list-3,list-2")
	if page.NextToken == "" {
		t.Fatal("no nextToken on a full page")
	}
	page = check(ListJobsInput{MaxResults: 4, NextToken: page.NextToken}, "list-1,list-0")
	if page.NextToken != "" {
		t.Fatalf("nextToken %q on the last page", page.NextToken)
	}
	asc := check(ListJobsInput{MaxResults: 2, SortOrder: SortOrderAscending}, "list-0,list-1")
	check(ListJobsInput{MaxResults: 2, SortOrder: SortOrderAscending, NextToken: asc.NextToken}, "list-2,list-3")

	for _, in := range []ListJobsInput{
		{MaxResults: 1001}, {MaxResults: -1}, {SortBy: "Name"}, {SortOrder: "Up"}, {StatusEquals: "Running"}, {NextToken: "!!"},
	} {
		if _, err := env.engine.ListJobs(ctx, in); apiCode(err) != CodeValidation {
			t.Errorf("ListJobs(%+v) = %v, want ValidationException", in, err)
		}
	}
}

func TestTags(t *testing.T) {
	env := newEnv(t, &echoBackend{}, nil)
	in := createInput("tagged", "s3://inbox/x.jsonl")
	in.Tags = []Tag{{Key: "TaskToken:0", Value: "abc"}, {Key: "team", Value: "data"}}
	arn := env.create(in)
	ctx := context.Background()
	if err := env.engine.TagResource(ctx, arn, []Tag{{Key: "team", Value: "ml"}, {Key: "TaskToken:1", Value: "def"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.engine.UntagResource(ctx, arn, []string{"TaskToken:0", "absent"}); err != nil {
		t.Fatal(err)
	}
	tags, err := env.engine.ListTagsForResource(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tags) != "[{TaskToken:1 def} {team ml}]" {
		t.Fatalf("tags = %v", tags)
	}
	missing := arn[:len(arn)-12] + "zzzzzzzzzzzz"
	if _, err := env.engine.ListTagsForResource(ctx, missing); apiCode(err) != CodeResourceNotFound {
		t.Fatalf("tags of a missing job: %v", err)
	}
	if err := env.engine.TagResource(ctx, "arn:aws:s3:::bucket-name", []Tag{{Key: "a"}}); apiCode(err) != CodeValidation {
		t.Fatalf("tagging a non-job ARN: %v", err)
	}
	if err := env.engine.TagResource(ctx, arn, []Tag{{Key: "bad*key"}}); apiCode(err) != CodeValidation {
		t.Fatalf("bad key: %v", err)
	}
	many := make([]Tag, 199)
	for i := range many {
		many[i] = Tag{Key: fmt.Sprintf("k%03d", i)}
	}
	if err := env.engine.TagResource(ctx, arn, many); apiCode(err) != CodeTooManyTags {
		t.Fatalf("201 tags: %v", err)
	}
	// An ended job keeps its tags out of memory: they are read back, and
	// changed, from its state file.
	env.wait(arn)
	if err := env.engine.TagResource(ctx, arn, []Tag{{Key: "after", Value: "end"}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := env.engine.ListTagsForResource(ctx, arn); err != nil || fmt.Sprint(tags) != "[{TaskToken:1 def} {after end} {team ml}]" {
		t.Fatalf("tags of the ended job = %v (%v)", tags, err)
	}
	if err := env.engine.UntagResource(ctx, arn, []string{"after"}); err != nil {
		t.Fatal(err)
	}
	// Tags survive a restart.
	env.engine.Close()
	env.open(true)
	if tags, _ := env.engine.ListTagsForResource(ctx, arn); len(tags) != 2 {
		t.Fatalf("after restart: %v", tags)
	}
}
