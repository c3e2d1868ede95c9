package bedrockbatchstepfn

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// InvalidModelInvocationTypeError is the error the fragment fails with,
// before any job is created, when the input's model_invocation_type is
// neither InvokeModel nor Converse.
const InvalidModelInvocationTypeError = "BedrockBatch.InvalidModelInvocationType"

// newJobOptions are the fragment's first states: they check the input's
// model_invocation_type (failing before any job when it is not one Bedrock
// accepts) and fill in the optional keys' defaults, InvokeModel and no
// job_tags, at the fragment's InputPath. The Maps' item selectors can then
// read both keys whether or not the execution gave them: a JSONPath to a
// missing key fails the state. Returns the first state and the last one,
// which next follows.
func newJobOptions(f *bedrockBatchSfn, props *BedrockBatchSfnProps, next awsstepfunctions.IChainable) awsstepfunctions.Choice {
	typePath := statePath(props.InputPath, batch.InputModelInvocationType)
	tagsPath := statePath(props.InputPath, batch.InputJobTags)

	checkTags := awsstepfunctions.NewChoice(f, jsii.String("CheckJobTags"), &awsstepfunctions.ChoiceProps{
		Comment: jsii.String("job_tags is optional: without it the jobs get only the fragment's tags"),
	})
	defaultTags := awsstepfunctions.NewPass(f, jsii.String("DefaultJobTags"), &awsstepfunctions.PassProps{
		Result:     awsstepfunctions.Result_FromObject(&map[string]interface{}{}),
		ResultPath: jsii.String(tagsPath),
	})
	defaultTags.Next(next)
	checkTags.When(awsstepfunctions.Condition_IsPresent(jsii.String(tagsPath)), next, nil)
	checkTags.Otherwise(defaultTags)

	invalid := awsstepfunctions.NewFail(f, jsii.String("InvalidModelInvocationType"), &awsstepfunctions.FailProps{
		Error: jsii.String(InvalidModelInvocationTypeError),
		Cause: jsii.String("model_invocation_type must be \"" + batch.InvocationInvokeModel + "\" (records are the model's " +
			"InvokeModel request bodies; the default) or \"" + batch.InvocationConverse + "\" (records are Converse requests)"),
	})
	defaultType := awsstepfunctions.NewPass(f, jsii.String("DefaultModelInvocationType"), &awsstepfunctions.PassProps{
		Result:     awsstepfunctions.Result_FromString(jsii.String(batch.InvocationInvokeModel)),
		ResultPath: jsii.String(typePath),
	})
	defaultType.Next(checkTags)
	checkType := awsstepfunctions.NewChoice(f, jsii.String("CheckModelInvocationType"), &awsstepfunctions.ChoiceProps{
		Comment: jsii.String("model_invocation_type is optional (default InvokeModel) and must be InvokeModel or Converse"),
	})
	checkType.When(awsstepfunctions.Condition_Not(awsstepfunctions.Condition_IsPresent(jsii.String(typePath))), defaultType, nil)
	checkType.When(awsstepfunctions.Condition_Not(awsstepfunctions.Condition_Or(
		awsstepfunctions.Condition_StringEquals(jsii.String(typePath), jsii.String(batch.InvocationInvokeModel)),
		awsstepfunctions.Condition_StringEquals(jsii.String(typePath), jsii.String(batch.InvocationConverse)),
	)), invalid, nil)
	checkType.Otherwise(checkTags)
	return checkType
}
