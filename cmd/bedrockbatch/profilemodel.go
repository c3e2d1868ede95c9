package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/spf13/pflag"

	"github.com/bedrockbatch/bedrockbatch/internal/profilemodel"
)

// profileModelUsage is the help of --profile-model on prepare, validate
// and cost.
const profileModelUsage = "the model id or cross-region inference profile id an application inference profile --model runs " +
	"(default: asked of Bedrock with GetInferenceProfile; give it offline or without that permission)"

func registerProfileModel(fs *pflag.FlagSet, v *string) {
	fs.StringVar(v, "profile-model", "", profileModelUsage)
}

// modelBehind returns the model id the data tools read --model as: the
// model an application inference profile runs (--profile-model, else
// Bedrock's answer, with the AWS configuration, AWS_ENDPOINT_URL included),
// any other id as it is.
func modelBehind(ctx context.Context, modelID, profileModel string) (string, error) {
	return profilemodel.Resolve(ctx, modelID, profileModel, func(ctx context.Context) (profilemodel.Getter, error) {
		cfg, err := awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return bedrock.NewFromConfig(cfg), nil
	})
}
