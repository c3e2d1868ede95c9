// Command reconcile is the BedrockBatchSfn reconciler Lambda function: it
// wires the AWS SDK clients into handler.Reconcile.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/handler"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	h := handler.NewReconcile(bedrock.NewFromConfig(cfg), s3.NewFromConfig(cfg), sfn.NewFromConfig(cfg), logger)
	lambda.Start(h.Function())
}
