// Package localcloud runs, in one process and on one port, the parts of
// Amazon S3, Bedrock (batch inference), Step Functions, EventBridge, Lambda
// and DynamoDB that bedrockbatch uses, speaking their real wire protocols so
// that the official aws-sdk-go-v2 clients (and the AWS CLI) work against it
// with only an endpoint override.
//
// Cloud wires the services together behind an edge router (package edge)
// that dispatches each request by the SigV4 credential scope's service
// name: S3 on plain files (package s3), the batch engine (package bedrock),
// the States Language interpreter (packages sfn and asl), EventBridge
// (package events) delivering to Lambda (package lambda), DynamoDB tables
// (package dynamodb). Each keeps its state in one data directory, so a
// restart loses nothing, and services
// reach one another only through the SDK (Cloud.AWSConfig, which needs no
// network), as they would on AWS.
//
// Cloud.Deploy deploys a synthesized CDK app (a cdk.out directory). The
// cloud knows no particular app: Lambda functions run the Go handlers
// registered for them with RegisterFunction (by name) or
// RegisterFunctionByMetadata (by a template metadata entry, as the
// bedrockbatch construct marks its functions; package localrun registers
// those).
package localcloud
