package handler

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// JobCreator is the part of the Bedrock client that CreateJob uses;
// *bedrock.Client implements it.
type JobCreator interface {
	CreateModelInvocationJob(ctx context.Context, in *bedrock.CreateModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error)
}

// JobReader is the part of the Bedrock client that JobEvent uses;
// *bedrock.Client implements it.
type JobReader interface {
	GetModelInvocationJob(ctx context.Context, in *bedrock.GetModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error)
}

// S3Lister is the part of the S3 client that JobEvent uses to find a job's
// output files; *s3.Client implements it, and it is what
// s3.NewListObjectsV2Paginator takes.
type S3Lister interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// TaskReporter is the part of the Step Functions client that JobEvent uses
// to end a waiting task; *sfn.Client implements it.
type TaskReporter interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// JobStopper is the part of the Bedrock client that stops jobs;
// *bedrock.Client implements it.
type JobStopper interface {
	StopModelInvocationJob(ctx context.Context, in *bedrock.StopModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error)
}
