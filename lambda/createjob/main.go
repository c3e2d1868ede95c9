// Command createjob is the BedrockBatchSfn create-job Lambda function: it
// wires the AWS SDK clients into handler.CreateJob.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/internal/lambdamain"
)

func main() {
	cfg, logger := lambdamain.Setup()
	lambda.Start(handler.NewCreateJob(lambdamain.Ledger(cfg, logger), bedrock.NewFromConfig(cfg), logger).Function())
}
