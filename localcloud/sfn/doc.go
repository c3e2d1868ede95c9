// Package sfn serves the AWS Step Functions API (awsJson1.0, X-Amz-Target
// "AWSStepFunctions.<Operation>") in front of the States Language
// interpreter of package asl, so that the official aws-sdk-go-v2 sfn client
// (and the AWS CLI) work against the local cloud with only an endpoint
// override.
//
// A [Service] keeps state machines as one JSON file each under its data
// directory and runs their executions on an [asl.Engine] whose executions
// are persisted by an [asl.FileStore] in the same directory. Creating a
// Service over an existing directory brings the state machines back and
// resumes the executions that were running, including those waiting for a
// task token: the same token stays valid across the restart, and is
// accepted as soon as New returns.
//
// Requests and responses have the exact shapes of the service's API model:
// timestamps are epoch seconds, errors carry the exception names the SDK
// decodes into its typed errors (StateMachineDoesNotExist, InvalidDefinition,
// TaskTimedOut, …) with a message saying what was wrong.
package sfn
