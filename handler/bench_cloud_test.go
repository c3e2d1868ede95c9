package handler_test

import (
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// localcloudBedrockHeld keeps the local Bedrock's jobs in Submitted for a
// day of the (manual) clock, so that they stay open while a benchmark runs.
func localcloudBedrockHeld() bedrock.Config {
	return bedrock.Config{StepDelay: 24 * time.Hour}
}
