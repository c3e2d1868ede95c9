package watch

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// ErrExecutionNotFound is wrapped by the errors of Describe and Execution
// when the execution does not exist where the client looks.
var ErrExecutionNotFound = errors.New("execution not found")

// Describe describes an execution, with an error that says what to check
// when it cannot be found.
func Describe(ctx context.Context, sfc *sfn.Client, execArn string) (*sfn.DescribeExecutionOutput, error) {
	if execArn == "" {
		return nil, errors.New("no execution ARN: give the ARN that start printed (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)")
	}
	desc, err := sfc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
	if err != nil {
		return nil, describeError(execArn, err)
	}
	return desc, nil
}

// describeError explains a failed DescribeExecution.
func describeError(execArn string, err error) error {
	var missing *sfntypes.ExecutionDoesNotExist
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("%w: %s: check the ARN, and the region and account of your credentials (an execution's history is kept for 90 days)",
			ErrExecutionNotFound, execArn)
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidArn":
		return fmt.Errorf("%q is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME): %s", execArn, apiErr.ErrorMessage())
	}
	return fmt.Errorf("describe execution %s: %w", execArn, err)
}
