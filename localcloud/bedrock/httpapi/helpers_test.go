package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/internal/jobtest"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// echoBackend answers {"echo": n} to a modelInput {"n": n}, with n input
// and 2 output tokens. While gate is open (not closed) every call waits on
// it, so a job stays InProgress until the test lets it go.
type echoBackend struct {
	gate   chan struct{}
	models sync.Map // model ids the records were sent for
}

func (b *echoBackend) Invoke(ctx context.Context, req backend.Request) (backend.Response, error) {
	b.models.Store(req.Model.String(), true)
	var in struct{ N int }
	if err := json.Unmarshal(req.Body, &in); err != nil {
		return backend.Response{}, &model.RecordError{Code: 400, Message: "bad input: " + err.Error()}
	}
	if b.gate != nil {
		select {
		case <-b.gate:
		case <-ctx.Done():
			return backend.Response{}, ctx.Err()
		}
	}
	return backend.Response{Body: json.RawMessage(fmt.Sprintf(`{"echo":%d}`, in.N)), InputTokens: in.N, OutputTokens: 2}, nil
}

// testEnv is an engine behind the handler on an httptest server, and an SDK
// client pointed at it.
type testEnv struct {
	t       *testing.T
	store   *bedrock.S3Store
	engine  *bedrock.Engine
	backend *echoBackend
	url     string
	client  *awsbedrock.Client
}

type envOptions struct {
	noStart         bool // jobs stay Submitted
	gated           bool // records wait until release
	maxJobsPerModel int
	profiles        map[string]string // application inference profiles
}

func newEnv(t *testing.T, opts envOptions) *testEnv {
	t.Helper()
	root := t.TempDir()
	store := bedrock.NewS3Store(cloudtest.S3(t, root+"/s3", "inbox", "outbox"))
	env := &testEnv{t: t, store: store, backend: &echoBackend{}}
	if opts.gated {
		env.backend.gate = make(chan struct{})
	}
	e, err := bedrock.New(bedrock.Config{
		DataDir:            root + "/data",
		Store:              store,
		Backends:           jobtest.Backends(func() backend.Backend { return env.backend }),
		Limits:             manifest.Limits{MinRecordsPerJob: 1},
		MaxJobsPerModel:    opts.maxJobsPerModel,
		InferenceProfiles:  opts.profiles,
		CheckpointInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	env.engine = e
	if !opts.noStart {
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(NewHandler(e, nil))
	env.url = srv.URL
	// Cleanups run last-in first-out: release the backend, stop the engine,
	// then the server.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = e.Close() })
	t.Cleanup(env.release)
	env.client = awsbedrock.New(awsbedrock.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RetryMaxAttempts: 1,
	})
	env.put("in/records.jsonl", jobtest.Records(10))
	return env
}

// release lets a gated backend answer.
func (env *testEnv) release() {
	if g := env.backend.gate; g != nil {
		select {
		case <-g:
		default:
			close(g)
		}
	}
}

func (env *testEnv) put(key, body string) {
	env.t.Helper()
	if err := env.store.Put(context.Background(), "inbox", key, strings.NewReader(body)); err != nil {
		env.t.Fatal(err)
	}
}

// createInput is a valid request for a job over inbox/in/records.jsonl.
func createInput(name string) *awsbedrock.CreateModelInvocationJobInput {
	return &awsbedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name),
		RoleArn: aws.String(jobtest.Role),
		ModelId: aws.String(jobtest.Model),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
			Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://inbox/in/records.jsonl"), S3InputFormat: types.S3InputFormatJsonl},
		},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{
			Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://outbox/results/")},
		},
	}
}

func (env *testEnv) create(in *awsbedrock.CreateModelInvocationJobInput) string {
	env.t.Helper()
	out, err := env.client.CreateModelInvocationJob(context.Background(), in)
	if err != nil {
		env.t.Fatalf("CreateModelInvocationJob %s: %v", aws.ToString(in.JobName), err)
	}
	return aws.ToString(out.JobArn)
}

func (env *testEnv) get(jobIdentifier string) *awsbedrock.GetModelInvocationJobOutput {
	env.t.Helper()
	out, err := env.client.GetModelInvocationJob(context.Background(), &awsbedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(jobIdentifier)})
	if err != nil {
		env.t.Fatalf("GetModelInvocationJob %s: %v", jobIdentifier, err)
	}
	return out
}

// wait blocks until the engine has ended the job.
func (env *testEnv) wait(arn string) {
	env.t.Helper()
	done, err := env.engine.Done(arn)
	if err != nil {
		env.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		env.t.Fatalf("job %s did not end: %s", arn, env.get(arn).Status)
	}
}

// waitStatus polls GetModelInvocationJob until the job has the status.
func (env *testEnv) waitStatus(arn string, want types.ModelInvocationJobStatus) *awsbedrock.GetModelInvocationJobOutput {
	env.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := env.get(arn)
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			env.t.Fatalf("job %s is %s, not %s", arn, j.Status, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// jobID is the last part of a job ARN.
func jobID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }
