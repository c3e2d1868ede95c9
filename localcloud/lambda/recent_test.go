package lambda_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// Synchronous and asynchronous invocations through the API are listed
// newest first with their result or error; an asynchronous one once per
// attempt.
func TestRecentInvocations(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	svc, c := newLambda(t, t.TempDir())
	t.Cleanup(func() { cancel(); svc.Wait() })
	svc.Register("echo", lambda.HandlerFunc(echo))
	svc.Register("fails", lambda.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, &quotaError{} }))
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("fails"), Payload: []byte(`{}`),
		InvocationType: types.InvocationTypeEvent}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.RecentInvocations()) < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := svc.RecentInvocations()
	if len(got) != 4 {
		t.Fatalf("listed %d invocations, want 1 synchronous + 3 attempts of the asynchronous one: %+v", len(got), got)
	}
	last := got[len(got)-1]
	if last.Function != "echo" || last.Type != "RequestResponse" || last.Payload != `{"a":1}` ||
		last.Result != `{"a":1,"echoed":true}` || last.Error != "" || last.RequestID == "" || last.Start.IsZero() {
		t.Errorf("synchronous invocation %+v", last)
	}
	for i, inv := range got[:3] {
		if inv.Function != "fails" || inv.Type != "Event" || inv.Attempt != 3-i || inv.Error != "quotaError" ||
			inv.Result != `{"errorMessage":"quota exceeded","errorType":"quotaError"}` {
			t.Errorf("asynchronous attempt %d: %+v", 3-i, inv)
		}
	}
}
