package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
)

// TestBehindTheEdgeRouter serves the handler the way the local cloud does:
// one endpoint that routes requests by their SigV4 service, here next to a
// stand-in for S3.
func TestBehindTheEdgeRouter(t *testing.T) {
	env := newEnv(t, envOptions{noStart: true})
	rt := edge.New(nil)
	rt.Register(edge.S3, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not S3's request", http.StatusTeapot)
	}))
	rt.Register(edge.Bedrock, NewHandler(env.engine, nil))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	client := awsbedrock.New(awsbedrock.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RetryMaxAttempts: 1,
	})

	out, err := client.CreateModelInvocationJob(ctx, createInput("via-edge"))
	if err != nil {
		t.Fatal(err)
	}
	// Tagging paths are not Bedrock-looking, so only the signature routes them.
	tags, err := client.ListTagsForResource(ctx, &awsbedrock.ListTagsForResourceInput{ResourceARN: out.JobArn})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("ListTagsForResource through the router: %v %v", tags, err)
	}
	j, err := client.GetModelInvocationJob(ctx, &awsbedrock.GetModelInvocationJobInput{JobIdentifier: out.JobArn})
	if err != nil || aws.ToString(j.JobName) != "via-edge" {
		t.Fatalf("GetModelInvocationJob through the router: %v %v", j, err)
	}
}
