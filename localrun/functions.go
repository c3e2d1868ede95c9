package localrun

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// RegisterConstructFunctions gives the construct's functions (create job,
// job event, reconciler, stopper), wherever an
// app deploys them, the handlers their Lambda mains start on AWS, with SDK
// clients of the cloud itself. Call it before Deploy.
func RegisterConstructFunctions(c *localcloud.Cloud, logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := c.AWSConfig()
	br := bedrock.NewFromConfig(cfg)
	s3c, sfc, db := s3.NewFromConfig(cfg), sfn.NewFromConfig(cfg), dynamodb.NewFromConfig(cfg)
	// The reconciler and the stopper wait and measure ages on the cloud's
	// clock, so that --time-scale compresses them too; so does the ledger
	// stamp its closings.
	clk := c.Options().Clock
	reg := func(name string, build func(*handler.Ledger, *slog.Logger) lambda.Handler) {
		log := logger.With("function", name)
		c.RegisterFunctionByMetadata(batch.HandlerMetadataKey, name, withLedger(c, func(table string) lambda.Handler {
			return build(handler.NewLedger(db, table).WithClock(clk), log)
		}))
	}
	reg(batch.HandlerCreateJob, func(l *handler.Ledger, log *slog.Logger) lambda.Handler {
		return handler.NewCreateJob(l, br, log).WithClock(clk).Function()
	})
	reg(batch.HandlerJobEvent, func(l *handler.Ledger, log *slog.Logger) lambda.Handler {
		return handler.NewJobEvent(l, br, s3c, sfc, log).Function()
	})
	reg(batch.HandlerReconcile, func(l *handler.Ledger, log *slog.Logger) lambda.Handler {
		return handler.NewReconcile(l, br, s3c, sfc, log).WithClock(clk).Function()
	})
	reg(batch.HandlerStopJobs, func(l *handler.Ledger, log *slog.Logger) lambda.Handler {
		return handler.NewStopJobs(l, br, log).WithClock(clk).Function()
	})
}

// withLedger runs the handler build makes for the ledger table named by
// the invoked function's environment (batch.LedgerTableEnv), as the
// function's Lambda main reads it on AWS: one registration serves every
// deployed copy of the construct, each with its own table.
func withLedger(c *localcloud.Cloud, build func(table string) lambda.Handler) lambda.Handler {
	return lambda.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok {
			return nil, fmt.Errorf("the invocation carries no Lambda context, so its function, and with it the ledger table, is unknown")
		}
		name := lc.InvokedFunctionArn[strings.LastIndex(lc.InvokedFunctionArn, ":")+1:]
		for _, fn := range c.Lambda.Functions() {
			if fn.Name == name || fn.Arn == lc.InvokedFunctionArn {
				if table := fn.Environment[batch.LedgerTableEnv]; table != "" {
					return build(table).Invoke(ctx, payload)
				}
			}
		}
		return nil, fmt.Errorf("function %s has no %s variable: deploy it with the construct, which sets it to the job ledger's table", name, batch.LedgerTableEnv)
	})
}
