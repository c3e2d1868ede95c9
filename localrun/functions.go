package localrun

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
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
	c.RegisterFunctionByMetadata(batch.HandlerMetadataKey, batch.HandlerCreateJob,
		handler.NewCreateJob(br, logger.With("function", batch.HandlerCreateJob)).Function())
	s3c, sfc := s3.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	c.RegisterFunctionByMetadata(batch.HandlerMetadataKey, batch.HandlerJobEvent,
		handler.NewJobEvent(br, s3c, sfc, logger.With("function", batch.HandlerJobEvent)).Function())
	// The reconciler and the stopper wait and measure ages on the cloud's
	// clock, so that --time-scale compresses them too.
	clk := c.Options().Clock
	c.RegisterFunctionByMetadata(batch.HandlerMetadataKey, batch.HandlerReconcile,
		handler.NewReconcile(br, s3c, sfc, logger.With("function", batch.HandlerReconcile)).WithClock(clk).Function())
	c.RegisterFunctionByMetadata(batch.HandlerMetadataKey, batch.HandlerStopJobs,
		handler.NewStopJobs(br, logger.With("function", batch.HandlerStopJobs)).WithClock(clk).Function())
}
