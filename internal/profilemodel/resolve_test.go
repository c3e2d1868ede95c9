package profilemodel

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/httpapi"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

const (
	profileARN = "arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/a1b2c3d4e5f6"
	otherARN   = "arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/zzzzzzzzzzzz"
)

// localBedrock serves a local Bedrock that knows profileARN as made from
// the cross-region profile source, and returns an SDK client of it.
func localBedrock(t *testing.T, source string) *awsbedrock.Client {
	t.Helper()
	root := t.TempDir()
	sim, err := backend.NewSim(backend.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := bedrock.New(bedrock.Config{
		DataDir:           root + "/data",
		Store:             bedrock.NewS3Store(cloudtest.S3(t, root+"/s3", "inbox")),
		Backends:          func(model.ID) (backend.Backend, error) { return sim, nil },
		InferenceProfiles: map[string]string{profileARN: source},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewHandler(e, nil))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = e.Close() })
	return awsbedrock.New(awsbedrock.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RetryMaxAttempts: 1,
	})
}

func clientOf(c *awsbedrock.Client) func(context.Context) (Getter, error) {
	return func(context.Context) (Getter, error) { return c, nil }
}

// GetInferenceProfile answers with the profile's ARN, id, type APPLICATION,
// status ACTIVE and models[].modelArn, the foundation-model ARN of each
// region it routes to; an identifier of no profile is a
// ResourceNotFoundException (HTTP 404).
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html
func TestLocalBedrockDescribesApplicationProfile(t *testing.T) {
	c := localBedrock(t, "us.amazon.nova-pro-v1:0")
	for _, ident := range []string{profileARN, "a1b2c3d4e5f6"} {
		out, err := c.GetInferenceProfile(context.Background(), &awsbedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(ident)})
		if err != nil {
			t.Fatalf("%s: %v", ident, err)
		}
		if aws.ToString(out.InferenceProfileArn) != profileARN || aws.ToString(out.InferenceProfileId) != "a1b2c3d4e5f6" ||
			out.Type != types.InferenceProfileTypeApplication || out.Status != types.InferenceProfileStatusActive {
			t.Errorf("%s: arn %q id %q type %q status %q", ident, aws.ToString(out.InferenceProfileArn), aws.ToString(out.InferenceProfileId), out.Type, out.Status)
		}
		if len(out.Models) != 1 || aws.ToString(out.Models[0].ModelArn) != "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0" {
			t.Errorf("%s: models %+v, want the foundation model of the profile's source", ident, out.Models)
		}
	}
	_, err := c.GetInferenceProfile(context.Background(), &awsbedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(otherARN)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown profile: %v, want ResourceNotFoundException (404)", err)
	}
}

func TestResolveAsksBedrock(t *testing.T) {
	c := localBedrock(t, "us.anthropic.claude-3-5-haiku-20241022-v1:0")
	got, err := Resolve(context.Background(), profileARN, "", clientOf(c))
	if err != nil {
		t.Fatal(err)
	}
	id := model.ParseID(got)
	if id.Base() != "anthropic.claude-3-5-haiku-20241022-v1:0" || id.Family() != model.FamilyAnthropic {
		t.Errorf("Resolve = %q (base %q, family %v), want the profile's Claude model", got, id.Base(), id.Family())
	}

	_, err = Resolve(context.Background(), otherARN, "", clientOf(c))
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || !strings.Contains(err.Error(), "--profile-model") ||
		!strings.Contains(err.Error(), "bedrock:GetInferenceProfile") {
		t.Errorf("unknown profile: %v, want Bedrock's error and both ways to name the model", err)
	}
}

func TestResolveWithoutBedrock(t *testing.T) {
	offline := func(context.Context) (Getter, error) { return nil, errors.New("no AWS region") }
	if got, err := Resolve(context.Background(), profileARN, "us.amazon.nova-pro-v1:0", offline); err != nil || got != "us.amazon.nova-pro-v1:0" {
		t.Errorf("--profile-model: %q, %v", got, err)
	}
	for _, id := range []string{"amazon.nova-pro-v1:0", "us.amazon.nova-pro-v1:0", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"} {
		if got, err := Resolve(context.Background(), id, "", offline); err != nil || got != id {
			t.Errorf("%s: %q, %v; an id that names its model is read as it is", id, got, err)
		}
		if _, err := Resolve(context.Background(), id, "amazon.nova-lite-v1:0", offline); err == nil || !strings.Contains(err.Error(), "leave it out") {
			t.Errorf("%s with --profile-model: %v", id, err)
		}
	}
	if _, err := Resolve(context.Background(), profileARN, otherARN, offline); err == nil || !strings.Contains(err.Error(), "--profile-model") {
		t.Errorf("profile ARN as --profile-model: %v", err)
	}
	_, err := Resolve(context.Background(), profileARN, "", offline)
	if err == nil || !strings.Contains(err.Error(), "no AWS region") || !strings.Contains(err.Error(), "--profile-model MODEL") {
		t.Errorf("offline without --profile-model: %v", err)
	}
}
