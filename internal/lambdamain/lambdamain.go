// Package lambdamain holds what every Lambda main of the construct does
// before it starts its handler: a JSON logger on stdout (CloudWatch Logs
// keeps one line per entry) and the AWS configuration of the function's
// role and region.
package lambdamain

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
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
