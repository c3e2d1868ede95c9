package profilemodel

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// Getter is the Bedrock call Resolve makes; *bedrock.Client is one.
type Getter interface {
	GetInferenceProfile(ctx context.Context, in *bedrock.GetInferenceProfileInput, optFns ...func(*bedrock.Options)) (*bedrock.GetInferenceProfileOutput, error)
}

// Resolve returns the model id the data tools read modelID as: modelID
// itself unless it is an application inference profile ARN; for one,
// profileModel when it is given, else the foundation model Bedrock's
// GetInferenceProfile says the profile routes to. client is called only
// when Bedrock must be asked, so that the offline paths need no AWS
// configuration.
func Resolve(ctx context.Context, modelID, profileModel string, client func(context.Context) (Getter, error)) (string, error) {
	id := model.ParseID(modelID)
	if id.Kind() != model.KindApplicationInferenceProfileARN {
		if profileModel != "" {
			return "", fmt.Errorf("--profile-model %s: --model %s is a %s, which names its model; "+
				"--profile-model is only for an application inference profile ARN: leave it out", profileModel, modelID, id.Kind())
		}
		return modelID, nil
	}
	if profileModel != "" {
		if k := model.ParseID(profileModel).Kind(); k == model.KindApplicationInferenceProfileARN || k == model.KindOtherARN {
			return "", fmt.Errorf("--profile-model %s is a %s: give the model id or cross-region inference profile id the profile %s runs, "+
				"such as amazon.nova-pro-v1:0 or us.amazon.nova-pro-v1:0", profileModel, k, modelID)
		}
		return profileModel, nil
	}
	base, err := ask(ctx, modelID, client)
	if err != nil {
		return "", fmt.Errorf("--model %s is an application inference profile, which does not name its model, "+
			"and Bedrock could not say which model it runs (%w); give the model with --profile-model MODEL "+
			"(the model id or cross-region inference profile id the profile was made from), "+
			"or use AWS credentials allowed bedrock:GetInferenceProfile on the profile", modelID, err)
	}
	return base, nil
}

// ask calls GetInferenceProfile and returns the foundation model id its
// models list. The list has the same model in each region the profile
// routes to; a list of different models is refused, as no one request
// format or price would fit it.
func ask(ctx context.Context, arn string, client func(context.Context) (Getter, error)) (string, error) {
	c, err := client(ctx)
	if err != nil {
		return "", err
	}
	out, err := c.GetInferenceProfile(ctx, &bedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("GetInferenceProfile: %w", err)
	}
	var base string
	var arns []string
	for _, m := range out.Models {
		b := model.ParseID(aws.ToString(m.ModelArn)).Base()
		arns = append(arns, aws.ToString(m.ModelArn))
		switch {
		case b == "":
			return "", fmt.Errorf("GetInferenceProfile listed %q, which is not a foundation model ARN", aws.ToString(m.ModelArn))
		case base == "":
			base = b
		case b != base:
			return "", fmt.Errorf("GetInferenceProfile listed different models (%s)", strings.Join(arns, ", "))
		}
	}
	if base == "" {
		return "", fmt.Errorf("GetInferenceProfile listed no models")
	}
	return base, nil
}
