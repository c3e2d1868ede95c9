// Package handler holds the logic of the two functions the BedrockBatchSfn
// fragment deploys: CreateJob, which starts one Bedrock batch inference job
// per manifest and parks the Step Functions task token on it, and JobEvent,
// which turns the job's terminal state-change event into SendTaskSuccess or
// SendTaskFailure.
//
// Both are plain Go values over narrow interfaces of the aws-sdk-go-v2
// clients, so the Lambda mains under lambda/ only wire real clients in, the
// local cloud runs the same code against its own endpoint, and tests use
// fakes.
package handler
