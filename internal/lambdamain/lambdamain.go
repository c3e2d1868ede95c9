// Package lambdamain holds what every Lambda main of the construct does
// before it starts its handler: a JSON logger on stdout (CloudWatch Logs
// keeps one line per entry) and the AWS configuration of the function's
// role and region, and the job ledger the functions share.
package lambdamain

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
)

// Setup returns the logger and the AWS configuration; it ends the process
// when the configuration cannot be loaded, since no invocation could
// succeed without it.
func Setup() (aws.Config, *slog.Logger) {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	return cfg, logger
}

// Ledger returns the job ledger named by batch.LedgerTableEnv, reached
// with cfg; it ends the process when the variable is unset, since the
// function cannot find a task token without it.
func Ledger(cfg aws.Config, logger *slog.Logger) *handler.Ledger {
	table := os.Getenv(batch.LedgerTableEnv)
	if table == "" {
		logger.Error("the job ledger's table is not set: deploy the function with the construct, which sets " + batch.LedgerTableEnv + " to the ledger's table name")
		os.Exit(1)
	}
	return handler.NewLedger(dynamodb.NewFromConfig(cfg), table)
}
