// Command stopjobs is the BedrockBatchSfn function that stops the jobs of
// an execution that ended without success: it wires the AWS SDK client
// into handler.StopJobs.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/internal/lambdamain"
)

func main() {
	cfg, logger := lambdamain.Setup()
	lambda.Start(handler.NewStopJobs(lambdamain.Ledger(cfg, logger), bedrock.NewFromConfig(cfg), logger).Function())
}
