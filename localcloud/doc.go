// Package localcloud runs, in one process and on one port, the parts of
// Amazon S3, EventBridge, Lambda, Bedrock and Step Functions that
// bedrockbatch uses, speaking their real wire protocols so that the
// official aws-sdk-go-v2 clients (and the AWS CLI) work against it with
// only an endpoint override.
//
// Cloud wires the services together: an edge router (package edge) that
// dispatches each request by the SigV4 credential scope's service name, S3
// on plain files (package s3), EventBridge (package events) delivering to
// Lambda (package lambda) through the Lambda API, all keeping their state
// in one data directory so a restart loses nothing. Services that are
// built elsewhere (Bedrock, Step Functions) plug in with Cloud.Register.
// Components in the same process reach the services through the SDK with
// Cloud.AWSConfig, which needs no network.
package localcloud
