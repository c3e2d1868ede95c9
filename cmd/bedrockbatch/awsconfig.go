package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsConfig loads the SDK configuration the way the AWS CLI does
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, shared files, SSO, instance
// roles), and checks the region and credentials at once: without them
// every call would fail later with a less clear error.
func awsConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: set AWS_REGION (or a region in the profile AWS_PROFILE names)")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "+
			"(any values for the local cloud), or sign in with `aws sso login`: %w", err)
	}
	return cfg, nil
}
