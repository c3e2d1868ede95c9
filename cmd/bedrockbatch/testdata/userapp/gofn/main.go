// Command gofn is a user's Go function, unmodified for the local cloud: it
// reads its settings with os.Getenv and runs with lambda.Start.
package main

import (
	"context"
	"os"
	"runtime"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	From string `json:"from"`
}

func handle(_ context.Context, ev event) (map[string]string, error) {
	return map[string]string{
		"from":     ev.From,
		"greeting": os.Getenv("GREETING"),
		"bucket":   os.Getenv("BUCKET"),
		"function": os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		"memory":   os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
		"arch":     runtime.GOARCH,
	}, nil
}

func main() { lambda.Start(handle) }
