// Package localcloud runs, in one process and on one port, the parts of
// Amazon S3, Bedrock (batch and on-demand inference), Step Functions,
// EventBridge, Lambda, SQS, SNS and DynamoDB that bedrockbatch uses,
// speaking their real wire protocols so that the official aws-sdk-go-v2
// clients (and the AWS CLI) work against it with only an endpoint override.
//
// Cloud wires the services together behind an edge router (package edge)
// that dispatches each request by the SigV4 credential scope's service
// name: S3 on plain files (package s3), the batch engine (package bedrock)
// and the runtime's InvokeModel and Converse over the same model backends
// (package bedrock/runtime), the States Language interpreter (packages sfn
// and asl), EventBridge (package events) delivering to Lambda (package
// lambda), SQS queues and SNS topics (packages sqs and sns), the
// dead-letter queues templates give functions and rule targets, and
// DynamoDB tables (package dynamodb). Each keeps its state in one data
// directory, so a restart loses nothing, and services reach one another
// only through the SDK (Cloud.AWSConfig, which needs no network), as they
// would on AWS.
//
// Cloud.Deploy deploys a synthesized CDK app (a cdk.out directory). The
// cloud knows no particular app: a Lambda function runs its deployed code
// (its asset) in processes of its own through the Lambda Runtime API
// (package lambda), unless a Go handler is registered for it with
// RegisterFunction (by name) or RegisterFunctionByMetadata (by a template
// metadata entry, as the bedrockbatch construct marks its functions;
// package localrun registers those). A function it cannot run fails the
// deployment. Nor does it hold any of the data tools: the console (package
// console) shows a job's cost only from the price table that whoever opens
// the cloud passes in Options.Prices.
//
// Package cloudtest is its test support: it serves the services one by one
// on test servers for the tests of the services and of the tools that read
// and write S3.
package localcloud
