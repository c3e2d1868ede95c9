// Command gofn is a user's Go function as it is deployed to Lambda
// (provided.al2023, built as bootstrap): it reads its settings with
// os.Getenv, calls the cloud with the SDK's default configuration, and
// fails or runs long when the event asks it to.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
)

type event struct {
	Action string `json:"action"`
}

// quotaError is a function error with a type name of its own.
type quotaError struct{}

func (quotaError) Error() string { return "out of quota" }

var started = time.Now()

func handle(ctx context.Context, ev event) (map[string]any, error) {
	fmt.Println("handling", ev.Action)
	switch ev.Action {
	case "fail":
		return nil, quotaError{}
	case "sleep":
		time.Sleep(time.Minute)
	case "exit":
		os.Exit(3)
	case "whoami":
		// The function's own SDK call reaches the local cloud through
		// AWS_ENDPOINT_URL, with the credentials Lambda gives it.
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		out, err := awslambda.NewFromConfig(cfg).GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))})
		if err != nil {
			return nil, err
		}
		return map[string]any{"runtime": string(out.Configuration.Runtime)}, nil
	case "":
	default:
		return nil, errors.New("unknown action " + ev.Action)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	return map[string]any{
		"greeting":    os.Getenv("GREETING"),
		"name":        os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		"memory":      os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
		"region":      os.Getenv("AWS_REGION"),
		"handler":     os.Getenv("_HANDLER"),
		"taskRoot":    os.Getenv("LAMBDA_TASK_ROOT"),
		"keyID":       os.Getenv("AWS_ACCESS_KEY_ID"),
		"token":       os.Getenv("AWS_SESSION_TOKEN") != "",
		"endpoint":    os.Getenv("AWS_ENDPOINT_URL") != "",
		"requestId":   lc.AwsRequestID,
		"arn":         lc.InvokedFunctionArn,
		"memoryCtx":   lambdacontext.MemoryLimitInMB,
		"secondsLeft": int(time.Until(deadline).Round(time.Second).Seconds()),
		"pid":         os.Getpid(),
		"startedAt":   started.UnixNano(),
	}, nil
}

func main() { lambda.Start(handle) }
