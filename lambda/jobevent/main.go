// Command jobevent is the BedrockBatchSfn job-event Lambda function: it
// wires the AWS SDK clients into handler.JobEvent.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/internal/lambdamain"
)

func main() {
	cfg, logger := lambdamain.Setup()
	lambda.Start(handler.NewJobEvent(lambdamain.Ledger(cfg, logger), bedrock.NewFromConfig(cfg), s3.NewFromConfig(cfg), sfn.NewFromConfig(cfg), logger).Function())
}
