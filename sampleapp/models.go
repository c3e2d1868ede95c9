package sampleapp

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// modelStatements allow batch inference with modelID and nothing else,
// as AWS documents it for each kind of id
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html,
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html):
//   - a foundation model: the model in the stack's region;
//   - a cross-region inference profile: the profile, and the foundation
//     model in every region it routes to (any region, and none for a
//     global profile) but only when reached through that profile
//     (bedrock:InferenceProfileArn);
//   - an application inference profile: the profile, and whatever
//     foundation model or system profile it was made from (not named by
//     its id), again only through that profile.
//
// The policy goes to the Bedrock service role, which invokes the model,
// and to the create-job function, which creates jobs with it.
func modelStatements(stack awscdk.Stack, modelID string) []awsiam.PolicyStatement {
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()
	foundation := func(region, id string) string {
		return "arn:" + partition + ":bedrock:" + region + "::foundation-model/" + id
	}
	direct := func(resource string, extra ...string) awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("Inference"),
			Actions:   jsii.Strings(append([]string{"bedrock:InvokeModel", "bedrock:CreateModelInvocationJob"}, extra...)...),
			Resources: jsii.Strings(resource),
		})
	}
	throughProfile := func(profileArn string, resources ...string) awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ModelsBehindTheProfile"),
			Actions:   jsii.Strings("bedrock:InvokeModel"),
			Resources: jsii.Strings(resources...),
			Conditions: &map[string]interface{}{
				"StringEquals": map[string]interface{}{"bedrock:InferenceProfileArn": profileArn},
			},
		})
	}
	id := model.ParseID(modelID)
	switch {
	case id.Kind() == model.KindInferenceProfile:
		profile := "arn:" + partition + ":bedrock:" + region + ":" + account + ":inference-profile/" + modelID
		return []awsiam.PolicyStatement{
			direct(profile, "bedrock:GetInferenceProfile"),
			throughProfile(profile, foundation("*", id.Base()), foundation("", id.Base())),
		}
	case id.Kind() == model.KindApplicationInferenceProfileARN:
		return []awsiam.PolicyStatement{
			direct(modelID, "bedrock:GetInferenceProfile"),
			throughProfile(modelID, foundation("*", "*"), foundation("", "*"),
				"arn:"+partition+":bedrock:*:"+account+":inference-profile/*"),
		}
	case id.IsARN():
		// A foundation model, system profile or custom model ARN.
		return []awsiam.PolicyStatement{direct(modelID)}
	}
	return []awsiam.PolicyStatement{direct(foundation(region, modelID))}
}

// suppressModelWildcards explains the wildcards a profile's statements
// need to cdk-nag.
func suppressModelWildcards(policy awsiam.ManagedPolicy, modelID string) {
	if k := model.ParseID(modelID).Kind(); k != model.KindInferenceProfile && k != model.KindApplicationInferenceProfileARN {
		return
	}
	cdknag.NagSuppressions_AddResourceSuppressions(policy, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("An inference profile routes each request to a foundation model in one of several regions " +
			"(an application profile to a model its id does not name), so the foundation models are allowed in " +
			"every region, and only when reached through this profile (bedrock:InferenceProfileArn)."),
		AppliesTo: &[]interface{}{
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:bedrock:\*?::foundation-model\/.+$/`)},
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:bedrock:\*:<AWS::AccountId>:inference-profile\/\*$/`)},
		},
	}}, jsii.Bool(false))
}
