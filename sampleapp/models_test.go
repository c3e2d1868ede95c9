package sampleapp

import (
	"reflect"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

const (
	profileID  = "us.amazon.nova-pro-v1:0"
	appProfile = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"
)

// profileStacks synthesizes, once, the example for a cross-region
// inference profile id (with Converse records) and for an application
// inference profile ARN, each in a stage of its own with cdk-nag's checks.
var profileStacks = sync.OnceValue(func() map[string]awscdk.Stack {
	app := awscdk.NewApp(nil)
	out := map[string]awscdk.Stack{}
	for name, ctx := range map[string]map[string]string{
		"CrossRegion": {appcontract.ContextModelID: profileID, appcontract.ContextModelInvocationType: "Converse"},
		"Application": {appcontract.ContextModelID: appProfile},
	} {
		stage := awscdk.NewStage(app, jsii.String(name), nil)
		for k, v := range ctx {
			stage.Node().SetContext(jsii.String(k), v)
		}
		awscdk.Aspects_Of(stage).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		out[name] = NewMinimalStack(stage, StackName, nil)
	}
	return out
})

func templateJSON(t *testing.T, stack awscdk.Stack) map[string]any {
	t.Helper()
	tpl, err := templatetest.JSON(assertions.Template_FromStack(stack, nil))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// batchPolicy returns the statements of the example's BatchPolicy.
func batchPolicy(t *testing.T, tpl map[string]any) []map[string]any {
	t.Helper()
	for _, r := range tpl["Resources"].(map[string]any) {
		if templatetest.Dig(r, "Type") != "AWS::IAM::ManagedPolicy" {
			continue
		}
		var out []map[string]any
		for _, s := range templatetest.Dig(r, "Properties", "PolicyDocument", "Statement").([]any) {
			out = append(out, s.(map[string]any))
		}
		if len(out) > 0 && out[0]["Sid"] == "Inference" {
			return out
		}
	}
	t.Fatal("no BatchPolicy in the template")
	return nil
}

// TestProfilePolicies: for an inference profile the example allows the
// profile, and the foundation models behind it only through it
// (bedrock:InferenceProfileArn), in every region it may route to; see
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
// and https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html.
func TestProfilePolicies(t *testing.T) {
	stacks := profileStacks()
	profileArn := "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/" + profileID
	cases := []struct {
		stack, profile string
		models         []string
	}{
		{"CrossRegion", profileArn, []string{
			"arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
			"arn:${AWS::Partition}:bedrock:::foundation-model/amazon.nova-pro-v1:0",
		}},
		{"Application", appProfile, []string{
			"arn:${AWS::Partition}:bedrock:*::foundation-model/*",
			"arn:${AWS::Partition}:bedrock:::foundation-model/*",
			"arn:${AWS::Partition}:bedrock:*:${AWS::AccountId}:inference-profile/*",
		}},
	}
	for _, c := range cases {
		stmts := batchPolicy(t, templateJSON(t, stacks[c.stack]))
		if len(stmts) != 2 {
			t.Fatalf("%s: %d statements, want 2: %v", c.stack, len(stmts), stmts)
		}
		direct, behind := stmts[0], stmts[1]
		if got := templatetest.Strings(direct["Action"]); !reflect.DeepEqual(got, []string{"bedrock:InvokeModel", "bedrock:CreateModelInvocationJob", "bedrock:GetInferenceProfile"}) {
			t.Errorf("%s: actions on the profile %v", c.stack, got)
		}
		if got := templatetest.Strings(direct["Resource"]); !reflect.DeepEqual(got, []string{c.profile}) {
			t.Errorf("%s: profile resource %v, want %s", c.stack, got, c.profile)
		}
		if got := templatetest.Strings(behind["Action"]); !reflect.DeepEqual(got, []string{"bedrock:InvokeModel"}) {
			t.Errorf("%s: actions on the models behind %v", c.stack, got)
		}
		if got := templatetest.Strings(behind["Resource"]); !reflect.DeepEqual(got, c.models) {
			t.Errorf("%s: models behind the profile %v, want %v", c.stack, got, c.models)
		}
		if got := templatetest.Flatten(templatetest.Dig(behind, "Condition", "StringEquals", "bedrock:InferenceProfileArn")); got != c.profile {
			t.Errorf("%s: models reachable through %q, want only through %s", c.stack, got, c.profile)
		}
	}
}

func TestProfileStacksPassAwsSolutionsChecks(t *testing.T) {
	for name, stack := range profileStacks() {
		ann := assertions.Annotations_FromStack(stack)
		nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, m := range *ann.FindError(jsii.String("*"), nag) {
			t.Errorf("%s: cdk-nag error: %s", name, describe(m))
		}
		for _, m := range *ann.FindWarning(jsii.String("*"), nag) {
			t.Errorf("%s: cdk-nag warning: %s", name, describe(m))
		}
	}
}

func TestContextSetsTheInvocationType(t *testing.T) {
	tpl := templateJSON(t, profileStacks()["CrossRegion"])
	if got := templatetest.Dig(templatetest.Definition(t, tpl, "")["States"], "InputState", "Parameters", "model_invocation_type"); got != "Converse" {
		t.Errorf("InputState's model_invocation_type %v, want Converse", got)
	}
	tpl = templateJSON(t, profileStacks()["Application"])
	if got := templatetest.Dig(templatetest.Definition(t, tpl, "")["States"], "InputState", "Parameters"); templatetest.Dig(got, "model_invocation_type") != nil {
		t.Errorf("InputState sets model_invocation_type without the context: %v", got)
	}
}
