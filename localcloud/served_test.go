package localcloud_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
)

// An app with resources and integrations the local cloud does not serve
// fails at deploy with all of them listed — types by logical id, a state
// machine's unserved integrations by state name and resource ARN — and
// nothing created; a rule target the local EventBridge cannot deliver to
// is listed too; permissions and log groups are recorded without
// complaint.
func TestDeployListsEverythingNotServed(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"version": "48.0.0", "artifacts": {"App": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}}}}`)
	write(t, filepath.Join(dir, "App.template.json"), `{"Resources": {
	  "Data": {"Type": "AWS::S3::Bucket"},
	  "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
	  "Logs": {"Type": "AWS::Logs::LogGroup"},
	  "Stream": {"Type": "AWS::Kinesis::Stream", "Metadata": {"aws:cdk:path": "App/Stream/Resource"}},
	  "Crawler": {"Type": "AWS::Glue::Job"},
	  "Route": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["app"]},
	    "Targets": [{"Id": "Flow", "Arn": "arn:aws:states:us-east-1:000000000000:stateMachine:flow"}]}},
	  "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": "arn:aws:iam::000000000000:role/r",
	    "DefinitionString": {"Fn::Join": ["", ["{\"StartAt\":\"Both\",\"States\":{\"Both\":{\"Type\":\"Parallel\",\"End\":true,\"Branches\":[",
	      "{\"StartAt\":\"Glue\",\"States\":{\"Glue\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::glue:startJobRun.sync\",\"End\":true}}},",
	      "{\"StartAt\":\"Notify\",\"States\":{\"Notify\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sns:publish.sync\",\"Next\":\"Child\"},",
	      "\"Child\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync:2\",\"End\":true}}}]}}}"]]}}}
	}}`)
	c := newCloud(t)
	_, err := c.Deploy(context.Background(), dir)
	var unserved *deploy.UnservedError
	if !errors.As(err, &unserved) {
		t.Fatalf("deploy: %v; want the list of what is not served", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"App/Stream (App/Stream), AWS::Kinesis::Stream", "App/Crawler, AWS::Glue::Job",
		`state "Glue" calls arn:aws:states:::glue:startJobRun.sync`, `state "Notify" calls arn:aws:states:::sns:publish.sync`,
		"target Flow (arn:aws:states:us-east-1:000000000000:stateMachine:flow)", "README",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	for _, served := range []string{"Role", "Logs", "Data", `"Child"`} {
		if strings.Contains(msg, served) {
			t.Errorf("the message names %s, which is served or recorded:\n%s", served, msg)
		}
	}
	if len(unserved.Resources) != 4 {
		t.Errorf("%d resources listed, want 4", len(unserved.Resources))
	}
	// Nothing was created: not even the bucket before the unserved ones.
	buckets, err := awss3.NewFromConfig(c.AWSConfig()).ListBuckets(context.Background(), &awss3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 0 {
		t.Errorf("buckets after a refused deploy: %+v %v", buckets, err)
	}
}
