package handler

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

const testJobArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef012345"

func validPayload() batch.CreateJobPayload {
	var p batch.CreateJobPayload
	p.JobName = "nightly-run0"
	p.RoleArn = "arn:aws:iam::123456789012:role/BedrockBatchRole"
	p.ModelID = "amazon.nova-pro-v1:0"
	p.InputDataConfig.S3InputDataConfig.S3URI = "s3://in-bucket/manifests/part-0.jsonl"
	p.OutputDataConfig.S3OutputDataConfig.S3URI = "s3://out-bucket/output/nightly-run/"
	p.TimeoutDurationInHours = batch.DefaultTimeoutHours
	p.TaskToken = testToken(600)
	return p
}

func tagMap(tags []bedrocktypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func createOnce(t *testing.T, p batch.CreateJobPayload) (*bedrock.CreateModelInvocationJobInput, batch.CreateJobResult) {
	t.Helper()
	fake := &fakeCreator{arn: testJobArn}
	logger, _ := testLogger()
	l := ledgerOnly(t)
	res, err := NewCreateJob(l, fake, logger).Handle(context.Background(), p)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("CreateModelInvocationJob called %d times, want 1", len(fake.calls))
	}
	e, ok, err := l.Get(context.Background(), res.JobArn)
	if err != nil || !ok {
		t.Fatalf("the job is not in the ledger: %v", err)
	}
	if e.TaskToken != p.TaskToken || !e.Open() || e.ExecutionArn != p.ExecutionArn || e.ModelID != p.ModelID ||
		e.Manifest != p.InputDataConfig.S3InputDataConfig.S3URI || e.TimeoutHours != p.TimeoutDurationInHours {
		t.Errorf("ledger entry = %+v, want the payload's token, execution, model, manifest and timeout, open", e)
	}
	return fake.calls[0], res
}

// ledgerOnly is an empty ledger in a local DynamoDB.
func ledgerOnly(t *testing.T) *Ledger {
	l, _ := newTestLedger(t, nil)
	return l
}

func TestCreateJobSendsRequest(t *testing.T) {
	p := validPayload()
	in, res := createOnce(t, p)
	if res.JobArn != testJobArn {
		t.Errorf("JobArn = %q, want %q", res.JobArn, testJobArn)
	}
	if got := aws.ToString(in.JobName); got != p.JobName {
		t.Errorf("JobName = %q, want the valid name unchanged %q", got, p.JobName)
	}
	if got := aws.ToString(in.RoleArn); got != p.RoleArn {
		t.Errorf("RoleArn = %q", got)
	}
	if got := aws.ToString(in.ModelId); got != p.ModelID {
		t.Errorf("ModelId = %q", got)
	}
	inCfg, ok := in.InputDataConfig.(*bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
	if !ok || aws.ToString(inCfg.Value.S3Uri) != p.InputDataConfig.S3InputDataConfig.S3URI {
		t.Errorf("InputDataConfig = %#v", in.InputDataConfig)
	}
	outCfg, ok := in.OutputDataConfig.(*bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !ok || aws.ToString(outCfg.Value.S3Uri) != p.OutputDataConfig.S3OutputDataConfig.S3URI {
		t.Errorf("OutputDataConfig = %#v", in.OutputDataConfig)
	}
	if got := aws.ToInt32(in.TimeoutDurationInHours); got != int32(p.TimeoutDurationInHours) {
		t.Errorf("TimeoutDurationInHours = %d", got)
	}
	if got := aws.ToString(in.ClientRequestToken); got != batch.ClientRequestToken(p.TaskToken) {
		t.Errorf("ClientRequestToken = %q, want batch.ClientRequestToken(token)", got)
	}
	tags := tagMap(in.Tags)
	if len(tags) != len(in.Tags) {
		t.Errorf("duplicate tag keys in %v", in.Tags)
	}
	for k, v := range tags {
		if strings.Contains(v, p.TaskToken[:64]) || strings.HasPrefix(k, "TaskToken") {
			t.Errorf("tag %s carries the task token, a bearer credential anyone allowed to list tags could read", k)
		}
	}
	if got := tags[batch.OriginalNameTag]; got != p.JobName {
		t.Errorf("original-name tag = %q, want %q", got, p.JobName)
	}
	for _, tag := range in.Tags {
		if err := batch.ValidTagValue(aws.ToString(tag.Value)); err != nil {
			t.Errorf("tag %s: %v", aws.ToString(tag.Key), err)
		}
	}
}

func TestCreateJobPublishedExampleName(t *testing.T) {
	p := validPayload()
	p.JobName = "test_job0" // the published example's job_name "test_job" with index 0
	fake := &fakeCreator{arn: testJobArn}
	logger, buf := testLogger()
	if _, err := NewCreateJob(ledgerOnly(t), fake, logger).Handle(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	in := fake.calls[0]
	if got := aws.ToString(in.JobName); got != "test-job0" {
		t.Errorf("JobName = %q, want test-job0", got)
	}
	if got := tagMap(in.Tags)[batch.OriginalNameTag]; got != "test_job0" {
		t.Errorf("original-name tag = %q, want test_job0", got)
	}
	requireJobArnOnEveryLine(t, buf, testJobArn)
	var mapped bool
	for _, l := range logLines(t, buf) {
		if l["originalName"] == "test_job0" && l["jobName"] == "test-job0" {
			mapped = true
		}
	}
	if !mapped {
		t.Errorf("no log line maps test_job0 to test-job0:\n%s", buf)
	}
}

func TestCreateJobValidNameIsNotReportedAsChanged(t *testing.T) {
	fake := &fakeCreator{arn: testJobArn}
	logger, buf := testLogger()
	if _, err := NewCreateJob(ledgerOnly(t), fake, logger).Handle(context.Background(), validPayload()); err != nil {
		t.Fatal(err)
	}
	for _, l := range logLines(t, buf) {
		if _, ok := l["originalName"]; ok {
			t.Errorf("a valid name was logged as changed: %v", l)
		}
	}
}

func TestCreateJobLongNames(t *testing.T) {
	base := strings.Repeat("quarterly_report_", 20) // 340 characters
	seen := map[string]string{}
	for _, idx := range []string{"0", "1", "10"} {
		p := validPayload()
		p.JobName = base + idx
		in, _ := createOnce(t, p)
		name := aws.ToString(in.JobName)
		if err := batch.ValidJobName(name); err != nil {
			t.Errorf("%q: %v", p.JobName, err)
		}
		if name != batch.SanitizeJobName(p.JobName) {
			t.Errorf("JobName = %q, want batch.SanitizeJobName = %q", name, batch.SanitizeJobName(p.JobName))
		}
		if other, ok := seen[name]; ok {
			t.Errorf("%q and %q both became %q", other, p.JobName, name)
		}
		seen[name] = p.JobName
		orig := tagMap(in.Tags)[batch.OriginalNameTag]
		if err := batch.ValidTagValue(orig); err != nil {
			t.Errorf("original-name tag: %v", err)
		}
		if len(orig) != batch.MaxTagValueLen || !strings.HasPrefix(p.JobName, orig) {
			t.Errorf("original-name tag = %q, want the first %d characters of the name", orig, batch.MaxTagValueLen)
		}
	}
}

func TestTagValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"test_job0", "test_job0"},
		{"a b.c:d/e=f+g@h-i", "a b.c:d/e=f+g@h-i"},
		{"job#1", "job_1"},
		{"ünï", "_n_"},
		{"", ""},
		{strings.Repeat("x", 300), strings.Repeat("x", 256)},
		{strings.Repeat("é", 300), strings.Repeat("_", 256)},
	}
	for _, tt := range tests {
		got := tagValue(tt.in)
		if got != tt.want {
			t.Errorf("tagValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := batch.ValidTagValue(got); err != nil {
			t.Errorf("tagValue(%q): %v", tt.in, err)
		}
	}
}

func TestCreateJobClientRequestToken(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$`)
	p := validPayload()
	first, _ := createOnce(t, p)
	retry, _ := createOnce(t, p)
	a, b := aws.ToString(first.ClientRequestToken), aws.ToString(retry.ClientRequestToken)
	if a != b {
		t.Errorf("a retry with the same task token sent %q, then %q", a, b)
	}
	if !pattern.MatchString(a) || len(a) > 256 {
		t.Errorf("ClientRequestToken %q does not match the service's pattern", a)
	}
	p.TaskToken = testToken(601)
	other, _ := createOnce(t, p)
	if aws.ToString(other.ClientRequestToken) == a {
		t.Error("different task tokens gave the same ClientRequestToken")
	}
}

// The longest token Step Functions gives is kept whole in the ledger
// (createOnce checks the entry).
func TestCreateJobLongestToken(t *testing.T) {
	p := validPayload()
	p.TaskToken = testToken(batch.MaxTaskTokenChars)
	in, _ := createOnce(t, p)
	if len(in.Tags) > 2 {
		t.Errorf("%d tags, want the original-name and execution tags at most", len(in.Tags))
	}
}

// A retried invocation gets the same job (client request token) and finds
// its entry already written: no error, one entry.
func TestCreateJobRetryRecordsOnce(t *testing.T) {
	l := ledgerOnly(t)
	logger, _ := testLogger()
	h := NewCreateJob(l, &fakeCreator{arn: testJobArn}, logger)
	p := validPayload()
	for range 2 {
		if _, err := h.Handle(context.Background(), p); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	if e, ok, _ := l.Get(context.Background(), testJobArn); !ok || e.TaskToken != p.TaskToken {
		t.Errorf("entry after a retry = %+v, %v", e, ok)
	}
}

func TestCreateJobValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*batch.CreateJobPayload)
		fields []string
	}{
		{"empty job name", func(p *batch.CreateJobPayload) { p.JobName = "" }, []string{FieldJobName}},
		{"empty role", func(p *batch.CreateJobPayload) { p.RoleArn = "" }, []string{FieldRoleArn}},
		{"role is a user", func(p *batch.CreateJobPayload) { p.RoleArn = "arn:aws:iam::123456789012:user/alice" }, []string{FieldRoleArn}},
		{"role is a name", func(p *batch.CreateJobPayload) { p.RoleArn = "BedrockBatchRole" }, []string{FieldRoleArn}},
		{"role of another service", func(p *batch.CreateJobPayload) { p.RoleArn = "arn:aws:s3:::role/x" }, []string{FieldRoleArn}},
		{"role too long", func(p *batch.CreateJobPayload) {
			p.RoleArn = "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 2048)
		}, []string{FieldRoleArn}},
		{"empty model", func(p *batch.CreateJobPayload) { p.ModelID = "" }, []string{FieldModelID}},
		{"model with space", func(p *batch.CreateJobPayload) { p.ModelID = "amazon.nova pro" }, []string{FieldModelID}},
		{"model too long", func(p *batch.CreateJobPayload) { p.ModelID = strings.Repeat("m", 2049) }, []string{FieldModelID}},
		{"empty input", func(p *batch.CreateJobPayload) { p.InputDataConfig.S3InputDataConfig.S3URI = "" }, []string{FieldInputURI}},
		{"input not s3", func(p *batch.CreateJobPayload) {
			p.InputDataConfig.S3InputDataConfig.S3URI = "https://in-bucket/a.jsonl"
		}, []string{FieldInputURI}},
		{"input bucket upper case", func(p *batch.CreateJobPayload) {
			p.InputDataConfig.S3InputDataConfig.S3URI = "s3://In-Bucket/a.jsonl"
		}, []string{FieldInputURI}},
		{"empty output", func(p *batch.CreateJobPayload) { p.OutputDataConfig.S3OutputDataConfig.S3URI = "" }, []string{FieldOutputURI}},
		{"output key with space", func(p *batch.CreateJobPayload) {
			p.OutputDataConfig.S3OutputDataConfig.S3URI = "s3://out-bucket/my output/"
		}, []string{FieldOutputURI}},
		{"timeout missing", func(p *batch.CreateJobPayload) { p.TimeoutDurationInHours = 0 }, []string{FieldTimeout}},
		{"timeout 23", func(p *batch.CreateJobPayload) { p.TimeoutDurationInHours = 23 }, []string{FieldTimeout}},
		{"timeout 169", func(p *batch.CreateJobPayload) { p.TimeoutDurationInHours = 169 }, []string{FieldTimeout}},
		{"empty token", func(p *batch.CreateJobPayload) { p.TaskToken = "" }, []string{FieldTaskToken}},
		{"token too long", func(p *batch.CreateJobPayload) { p.TaskToken = testToken(batch.MaxTaskTokenChars + 1) }, []string{FieldTaskToken}},
		{"everything wrong", func(p *batch.CreateJobPayload) { *p = batch.CreateJobPayload{} },
			[]string{FieldJobName, FieldRoleArn, FieldModelID, FieldInputURI, FieldOutputURI, FieldTimeout, FieldTaskToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPayload()
			tt.edit(&p)
			fake := &fakeCreator{arn: testJobArn}
			logger, _ := testLogger()
			_, err := NewCreateJob(ledgerOnly(t), fake, logger).Handle(context.Background(), p)
			var perr *InvalidPayloadError
			if !errors.As(err, &perr) {
				t.Fatalf("error = %v, want *InvalidPayloadError", err)
			}
			var got []string
			for _, f := range perr.Fields {
				got = append(got, f.Field)
				if !strings.Contains(err.Error(), f.Field+": ") {
					t.Errorf("message %q does not name %s", err, f.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("bad fields = %v, want %v", got, tt.fields)
			}
			if len(fake.calls) != 0 {
				t.Error("Bedrock was called with an invalid payload")
			}
			if ErrorName(err, ErrorCreateJob) != "InvalidPayloadError" {
				t.Errorf("ErrorName = %q", ErrorName(err, ErrorCreateJob))
			}
		})
	}
}

func TestValidatePayloadAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*batch.CreateJobPayload)
	}{
		{"defaults", func(*batch.CreateJobPayload) {}},
		{"timeout 24", func(p *batch.CreateJobPayload) { p.TimeoutDurationInHours = 24 }},
		{"timeout 168", func(p *batch.CreateJobPayload) { p.TimeoutDurationInHours = 168 }},
		{"aws-cn role", func(p *batch.CreateJobPayload) { p.RoleArn = "arn:aws-cn:iam::123456789012:role/r" }},
		{"aws-us-gov role with path", func(p *batch.CreateJobPayload) {
			p.RoleArn = "arn:aws-us-gov:iam::123456789012:role/service-role/r"
		}},
		{"inference profile ARN", func(p *batch.CreateJobPayload) {
			p.ModelID = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
		}},
		{"name needing sanitizing", func(p *batch.CreateJobPayload) { p.JobName = "__weird name!__7" }},
		{"longest token", func(p *batch.CreateJobPayload) { p.TaskToken = testToken(batch.MaxTaskTokenChars) }},
		{"input prefix", func(p *batch.CreateJobPayload) {
			p.InputDataConfig.S3InputDataConfig.S3URI = "s3://in-bucket/manifests/"
		}},
	}
	for _, tt := range tests {
		p := validPayload()
		tt.edit(&p)
		if err := ValidatePayload(p); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestCreateJobNameConflict(t *testing.T) {
	p := validPayload()
	p.JobName = "test_job0"
	fake := &fakeCreator{err: &smithy.OperationError{
		ServiceID: "Bedrock", OperationName: "CreateModelInvocationJob",
		Err: &bedrocktypes.ConflictException{Message: aws.String("job name already exists")},
	}}
	logger, _ := testLogger()
	_, err := NewCreateJob(ledgerOnly(t), fake, logger).Handle(context.Background(), p)
	var conflict *JobNameConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("error = %v, want *JobNameConflictError", err)
	}
	if conflict.JobName != "test-job0" || conflict.OriginalName != "test_job0" {
		t.Errorf("conflict names = %q, %q", conflict.JobName, conflict.OriginalName)
	}
	var svc *bedrocktypes.ConflictException
	if !errors.As(err, &svc) {
		t.Error("the service's ConflictException is not reachable with errors.As")
	}
	for _, want := range []string{"test-job0", "distinct job_name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if ErrorName(err, ErrorCreateJob) != "JobNameConflictError" {
		t.Errorf("ErrorName = %q", ErrorName(err, ErrorCreateJob))
	}
}

func TestCreateJobServiceError(t *testing.T) {
	fake := &fakeCreator{err: &smithy.OperationError{
		ServiceID: "Bedrock", OperationName: "CreateModelInvocationJob",
		Err: &bedrocktypes.ServiceQuotaExceededException{Message: aws.String("too many jobs")},
	}}
	logger, _ := testLogger()
	h := NewCreateJob(ledgerOnly(t), fake, logger)
	_, err := h.Handle(context.Background(), validPayload())
	var quota *bedrocktypes.ServiceQuotaExceededException
	if !errors.As(err, &quota) {
		t.Fatalf("error = %v, want a wrapped ServiceQuotaExceededException", err)
	}
	if !strings.Contains(err.Error(), "s3://in-bucket/manifests/part-0.jsonl") {
		t.Errorf("message %q does not say which manifest", err)
	}
	_, lerr := h.HandleLambda(context.Background(), validPayload())
	resp, ok := lerr.(messages.InvokeResponse_Error)
	if !ok {
		t.Fatalf("HandleLambda error is %T, want messages.InvokeResponse_Error", lerr)
	}
	if resp.Type != "ServiceQuotaExceededException" || resp.Message != err.Error() {
		t.Errorf("HandleLambda error = %+v", resp)
	}
}

func TestHandleLambda(t *testing.T) {
	logger, _ := testLogger()
	ok := NewCreateJob(ledgerOnly(t), &fakeCreator{arn: testJobArn}, logger)
	res, err := ok.HandleLambda(context.Background(), validPayload())
	if err != nil || res.JobArn != testJobArn {
		t.Errorf("HandleLambda = %+v, %v", res, err)
	}
	_, err = ok.HandleLambda(context.Background(), batch.CreateJobPayload{})
	if resp, isResp := err.(messages.InvokeResponse_Error); !isResp || resp.Type != "InvalidPayloadError" {
		t.Errorf("invalid payload: HandleLambda error = %#v", err)
	}
	broken := NewCreateJob(ledgerOnly(t), &fakeCreator{err: errors.New("connection reset")}, logger)
	_, err = broken.HandleLambda(context.Background(), validPayload())
	if resp, isResp := err.(messages.InvokeResponse_Error); !isResp || resp.Type != "CreateJobError" || !strings.Contains(resp.Message, "connection reset") {
		t.Errorf("network error: HandleLambda error = %#v", err)
	}
}

func TestCreateJobResponseWithoutArn(t *testing.T) {
	logger, _ := testLogger()
	_, err := NewCreateJob(ledgerOnly(t), &fakeCreator{arn: ""}, logger).Handle(context.Background(), validPayload())
	if err == nil || !strings.Contains(err.Error(), "no job ARN") {
		t.Errorf("error = %v, want one saying the response has no job ARN", err)
	}
}

func TestNewCreateJobNilLoggerUsesDefault(t *testing.T) {
	logger, buf := testLogger()
	prev := slog.Default()
	slog.SetDefault(logger)
	defer slog.SetDefault(prev)
	if _, err := NewCreateJob(ledgerOnly(t), &fakeCreator{arn: testJobArn}, nil).Handle(context.Background(), validPayload()); err != nil {
		t.Fatal(err)
	}
	requireJobArnOnEveryLine(t, buf, testJobArn)
}
