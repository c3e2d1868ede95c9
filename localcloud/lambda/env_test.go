package lambda_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// Each function's handler sees its own environment, though all run in one
// process, also when invoked at the same time.
func TestHandlersSeeTheirFunctionsEnvironment(t *testing.T) {
	ctx := context.Background()
	svc, c := newLambda(t, t.TempDir())
	report := lambda.HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		_, leaked := lambda.LookupEnv(ctx, "PROCESS_ONLY")
		return json.Marshal(map[string]any{
			"table": lambda.Getenv(ctx, "TABLE"), "name": lambda.Getenv(ctx, "AWS_LAMBDA_FUNCTION_NAME"),
			"region": lambda.Getenv(ctx, "AWS_REGION"), "memory": lambda.Getenv(ctx, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "leaked": leaked,
		})
	})
	for _, fn := range []lambda.Function{
		{Name: "reader-a", Environment: map[string]string{"TABLE": "a"}},
		{Name: "reader-b", Environment: map[string]string{"TABLE": "b"}, MemorySize: 512},
	} {
		if _, err := svc.Deploy(fn, report); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PROCESS_ONLY", "the process's")
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, want := "reader-a", `{"leaked":false,"memory":"128","name":"reader-a","region":"us-east-1","table":"a"}`
			if i%2 == 1 {
				name, want = "reader-b", `{"leaked":false,"memory":"512","name":"reader-b","region":"us-east-1","table":"b"}`
			}
			out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name)})
			if err != nil || string(out.Payload) != want {
				t.Errorf("%s saw %s (%v), want %s", name, out.Payload, err, want)
			}
		}()
	}
	wg.Wait()

	// Outside an invocation Getenv is os.Getenv, as in Lambda itself.
	if got := lambda.Getenv(ctx, "PROCESS_ONLY"); got != os.Getenv("PROCESS_ONLY") || got == "" {
		t.Errorf("outside an invocation Getenv = %q", got)
	}

	_, err := svc.Deploy(lambda.Function{Name: "bad", Environment: map[string]string{"AWS_REGION": "x", "OK": "y"}}, report)
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("a reserved variable: %v", err)
	}
	_, err = svc.Deploy(lambda.Function{Name: "bad", Environment: map[string]string{"1X": "y"}}, report)
	if err == nil || !strings.Contains(err.Error(), `"1X"`) {
		t.Errorf("a bad variable name: %v", err)
	}
}
