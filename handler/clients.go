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
	ListTagsForResource(ctx context.Context, in *bedrock.ListTagsForResourceInput, optFns ...func(*bedrock.Options)) (*bedrock.ListTagsForResourceOutput, error)
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

// JobLister is the part of the Bedrock client that lists jobs;
// *bedrock.Client implements it, and it is what
// bedrock.NewListModelInvocationJobsPaginator takes.
type JobLister interface {
	ListModelInvocationJobs(ctx context.Context, in *bedrock.ListModelInvocationJobsInput, optFns ...func(*bedrock.Options)) (*bedrock.ListModelInvocationJobsOutput, error)
}

// JobStopper is the part of the Bedrock client that stops jobs;
// *bedrock.Client implements it.
type JobStopper interface {
	StopModelInvocationJob(ctx context.Context, in *bedrock.StopModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error)
}

// TagReader is the part of the Bedrock client that reads a job's tags;
// *bedrock.Client implements it.
type TagReader interface {
	ListTagsForResource(ctx context.Context, in *bedrock.ListTagsForResourceInput, optFns ...func(*bedrock.Options)) (*bedrock.ListTagsForResourceOutput, error)
}

// TaskHeartbeater is the part of the Step Functions client that tells
// whether a task still waits; *sfn.Client implements it.
type TaskHeartbeater interface {
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

// ReconcileBedrock is what Reconcile needs of the Bedrock client.
type ReconcileBedrock interface {
	JobLister
	JobReader
}

// ReconcileSFN is what Reconcile needs of the Step Functions client.
type ReconcileSFN interface {
	TaskReporter
	TaskHeartbeater
}

// StopBedrock is what StopJobs needs of the Bedrock client.
type StopBedrock interface {
	JobLister
	TagReader
	JobStopper
}
