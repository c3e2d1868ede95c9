// Command stopjobs is the BedrockBatchSfn function that stops the jobs of
// an execution that ended without success: it wires the AWS SDK client
// into handler.StopJobs.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrockbatch/bedrockbatch/handler"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler.NewStopJobs(bedrock.NewFromConfig(cfg), logger).Function())
}
