package submit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

// Errors callers may branch on; the returned errors wrap them with what to
// check.
var (
	ErrStateMachineNotFound = errors.New("state machine not found")
	ErrBucketNotFound       = errors.New("bucket not found")
	ErrBucketAccess         = errors.New("bucket not accessible")
	ErrStackNotFound        = errors.New("stack not found")
	// ErrNoCloudFormation: the endpoint (the local cloud) serves no
	// CloudFormation, so a stack's outputs cannot be read there.
	ErrNoCloudFormation = errors.New("CloudFormation is not served at this endpoint")
)

// StackOutputs reads the bucket and state machine a deployed stack names in
// its appcontract outputs (BatchBucketName, StateMachineArn); either is
// empty when the stack does not have it. The local cloud serves no
// CloudFormation: there the error (wrapping ErrNoCloudFormation) says to
// name the state machine and bucket directly.
func StackOutputs(ctx context.Context, cfc *cloudformation.Client, stack string) (bucket, stateMachineArn string, err error) {
	out, err := cfc.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		var apiErr smithy.APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist"):
			return "", "", fmt.Errorf("%w: stack %q: check the name and the region of your credentials", ErrStackNotFound, stack)
		case cfc.Options().BaseEndpoint != nil:
			return "", "", fmt.Errorf("%w (%s): the local cloud cannot read stack %q; pass --state-machine and --bucket instead "+
				"(the deploy report of `bedrockbatch local serve --app …` names both): %v",
				ErrNoCloudFormation, aws.ToString(cfc.Options().BaseEndpoint), stack, err)
		}
		return "", "", fmt.Errorf("read the outputs of stack %q: %w", stack, err)
	}
	if len(out.Stacks) == 0 {
		return "", "", fmt.Errorf("%w: stack %q", ErrStackNotFound, stack)
	}
	for _, o := range out.Stacks[0].Outputs {
		switch aws.ToString(o.OutputKey) {
		case appcontract.OutputBucketName:
			bucket = aws.ToString(o.OutputValue)
		case appcontract.OutputStateMachineArn:
			stateMachineArn = aws.ToString(o.OutputValue)
		}
	}
	return bucket, stateMachineArn, nil
}

// ResolveStateMachine turns a state machine's name or ARN into its ARN,
// checking that it exists. A name is looked up with ListStateMachines.
func ResolveStateMachine(ctx context.Context, sfc *sfn.Client, nameOrArn string) (string, error) {
	if strings.HasPrefix(nameOrArn, "arn:") {
		_, err := sfc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(nameOrArn)})
		var missing *sfntypes.StateMachineDoesNotExist
		switch {
		case errors.As(err, &missing):
			return "", fmt.Errorf("%w: %s: check the ARN, and the region and account of your credentials", ErrStateMachineNotFound, nameOrArn)
		case err != nil:
			return "", fmt.Errorf("state machine %s: %w", nameOrArn, err)
		}
		return nameOrArn, nil
	}
	var names []string
	pg := sfn.NewListStateMachinesPaginator(sfc, &sfn.ListStateMachinesInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list state machines: %w", err)
		}
		for _, m := range page.StateMachines {
			if aws.ToString(m.Name) == nameOrArn {
				return aws.ToString(m.StateMachineArn), nil
			}
			names = append(names, aws.ToString(m.Name))
		}
	}
	region := sfc.Options().Region
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no state machine named %q: there is none in region %s; deploy the app, or check the region", ErrStateMachineNotFound, nameOrArn, region)
	}
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
	}
	return "", fmt.Errorf("%w: no state machine named %q in region %s; there are: %s", ErrStateMachineNotFound, nameOrArn, region, strings.Join(names, ", "))
}

// CheckBucket makes sure the bucket exists and these credentials reach it.
func CheckBucket(ctx context.Context, s3c *s3.Client, bucket string) error {
	_, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		switch resp.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%w: s3://%s: check --bucket (the workflow's input bucket, its stack output %s)", ErrBucketNotFound, bucket, appcontract.OutputBucketName)
		case http.StatusForbidden:
			return fmt.Errorf("%w: s3://%s: access denied to these credentials; they need s3:ListBucket and s3:PutObject on it", ErrBucketAccess, bucket)
		case http.StatusMovedPermanently:
			return fmt.Errorf("%w: s3://%s is in another region than %s: set AWS_REGION to the bucket's region", ErrBucketAccess, bucket, s3c.Options().Region)
		}
	}
	return fmt.Errorf("bucket s3://%s: %w", bucket, err)
}
